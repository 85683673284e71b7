import '../../functions/index';
import { checkInfra } from '../../scripts/bicep/compileInfra';
import { OPERATOR_ROLE } from '../../shared/adapters/functions/clientPrincipal';
import { tokenExchangeAudience } from '../../shared/composition/tenantAccess';
import { loadConfig, TENANT_CHECK_QUEUE } from '../../shared/config/loadConfig';
import { SETTING_SPECS, specOfSetting } from '../../shared/config/settings';
import { bicepParamName } from '../../shared/config/settingsDocs';
import { AZURE_CLOUD, Runtime, type ArmValue } from '../support/armExpression';
import { registrations } from '../support/functionsCoreApi';
import { compiledMain, DEPLOYER, deploymentOf, describeInfra, graphRoleId, graphScopeId, SCOPE, type Deployment, type Resource } from '../support/infraDeployment';

// The first run compiles with the real Bicep compiler (tens of seconds on a busy machine); later runs read its cache.
jest.setTimeout(300_000);

/**
 * infra/main.bicep as the real Bicep compiler builds it and `bicep snapshot` evaluates it, one
 * deployment per mode. A new mode (connectors, routes, …) is one more entry in MODES and in the
 * expectations below it.
 */

const CUSTOMER = '22222222-2222-2222-2222-222222222222';
const EMAIL = { apnsEmailFrom: 'apns-monitor@contoso.com', apnsEmailTo: 'intune-oncall@contoso.com' };
const SECRETS = {
  apnsTeamsWebhookUrl: 'https://contoso.webhook.office.com/workflows/TeamsSecretPath',
  apnsSlackWebhookUrl: 'https://hooks.slack.com/services/T000/B000/SlackSecretPath',
  apnsPagerdutyRoutingKey: 'R0123456789ABCDEF0123456789ABCDE',
  apnsWebhookUrl: 'https://hooks.contoso.com/apns/WebhookSecretPath',
  apnsWebhookSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
};

const MODES = {
  monitorOnly: { enableRenewal: 'false' },
  upload: {},
  email: EMAIL,
  fleet: { apnsTenants: `${SCOPE.tenantId}=Contoso,${CUSTOMER}=Fabrikam`, ...EMAIL },
  fleetMonitorOnly: { apnsTenants: `${SCOPE.tenantId}=Contoso,${CUSTOMER}=Fabrikam`, enableRenewal: 'false' },
  fleetOfCustomers: { apnsTenants: `${CUSTOMER}=Fabrikam` },
  fleetExistingApp: { apnsTenants: `${CUSTOMER}=Fabrikam`, fleetAppClientId: '33333333-3333-3333-3333-333333333333' },
  managedDevicesRead: { grantManagedDevicesRead: 'true' },
  grantsByHand: { grantGraphPermissions: 'false' },
  azdInCi: { principalType: 'ServicePrincipal' },
  noDeployer: { principalId: '' },
  channels: { ...SECRETS, ...EMAIL, apnsTenantName: 'Contoso', apnsWarningDays: '21' },
  noStatusPage: { statusPage: 'false' },
  // Customer routes (SPEC §15): the route settings as Key Vault references, whose secrets an operator stored.
  routes: {
    apnsTenants: `${CUSTOMER}=Fabrikam`,
    apnsTenantRoutes: `${CUSTOMER}=FABRIKAM`,
    ...EMAIL,
    routeVaultReferences: [
      'APNS_ROUTE_FABRIKAM_TEAMS_WEBHOOK_URL=route-fabrikam-teams-webhook-url',
      ' APNS_ROUTE_FABRIKAM_EMAIL_TO = route-fabrikam-email-to ',
      'APNS_ROUTE_FABRIKAM_TEAMS_MIN_SEVERITY=route-fabrikam-teams-min-severity',
      // Not a route setting: a pair cannot replace another setting.
      'APNS_TENANT_ID=route-evil',
      'APNS_ROUTE_BROKEN',
    ].join(','),
  },
  // Connectors (SPEC §14): DeviceManagementConfiguration.Read.All follows the kinds monitored ('all', the default, needs it).
  connectorsNotMonitored: { apnsMonitoredAssets: 'apns,vpp,ade,mtd,partners,autopilot,exchange' },
  oneConnectorMonitored: { apnsMonitoredAssets: 'apns, googleplay' },
  configurationReadRefused: { grantConfigurationRead: 'false' },
  configurationReadForced: { apnsMonitoredAssets: 'apns', grantConfigurationRead: 'true' },
  fleetWithoutConnectors: { apnsTenants: `${SCOPE.tenantId}=Contoso,${CUSTOMER}=Fabrikam`, apnsMonitoredAssets: 'apns,vpp,ade' },
  // GDAP discovery (SPEC §15): the home identity reads the partner's customers, unless the home tenant is no partner.
  fleetNotPartner: { apnsTenants: `${CUSTOMER}=Fabrikam`, grantGdapRead: 'false' },
  // Renewal proposals (SPEC §16): the postdeploy hook's second provision, in each tenant mode; and off.
  subscribed: { keyVaultEventsSubscribed: 'true' },
  fleetSubscribed: { apnsTenants: `${CUSTOMER}=Fabrikam`, keyVaultEventsSubscribed: 'true' },
  noKeyVaultEvents: { keyVaultEvents: 'false', keyVaultEventsSubscribed: 'true' },
  monitorOnlySubscribed: { enableRenewal: 'false', keyVaultEventsSubscribed: 'true' },
} satisfies Record<string, Record<string, string>>;
type Mode = keyof typeof MODES;

const READ = 'DeviceManagementServiceConfig.Read.All';
const WRITE = 'DeviceManagementServiceConfig.ReadWrite.All';
const MANAGED_DEVICES = 'DeviceManagementManagedDevices.Read.All';
const CONFIG = 'DeviceManagementConfiguration.Read.All';
const GDAP = 'DelegatedAdminRelationship.Read.All';
const MAIL = 'Mail.Send';

const deployments = new Map<Mode, Deployment>();
function mode(name: Mode): Deployment {
  let d = deployments.get(name);
  if (!d) {
    d = deploymentOf(MODES[name]);
    deployments.set(name, d);
  }
  return d;
}

const text = (v: unknown): string => (v instanceof Runtime ? v.toString() : typeof v === 'string' ? v : JSON.stringify(v));
const ofType = (d: Deployment, type: string, predicate: (r: Resource) => boolean = () => true) => d.resources(type).filter(predicate);
const fleetAppOf = (d: Deployment) => ofType(d, 'Microsoft.Graph/applications@v1.0', (r) => (r.properties as Record<string, unknown>).signInAudience === 'AzureADMultipleOrgs');
const signInAppOf = (d: Deployment) => ofType(d, 'Microsoft.Graph/applications@v1.0', (r) => (r.properties as Record<string, unknown>).signInAudience === 'AzureADMyOrg');

interface Grant {
  principalId: ArmValue;
  principalType: string;
  principal: string;
  resourceAppId: ArmValue;
  appRole: string;
}

/** The app role assignments the postprovision hook makes, by whom they go to. */
function grantsOf(d: Deployment) {
  const grants = d.output('APNS_APP_ROLE_GRANTS') as unknown as Grant[];
  const to = (needle: string) => grants.filter((g) => text(g.principalId).includes(needle));
  return {
    all: grants,
    identity: to('userAssignedIdentities/id-apns-').map((g) => g.appRole).sort(),
    fleetHomeTenant: to('fleetSp').map((g) => g.appRole).sort(),
    people: grants.filter((g) => g.principalType === 'User'),
  };
}

describeInfra('infra/ through the real Bicep compiler', () => {
  test('when infra:check builds and lints every Bicep file (Graph modules included), there is no error and no warning', () => {
    const result = checkInfra();
    expect(result.diagnostics.map((d) => d.text)).toEqual([]);
    expect(result.failures).toEqual([]);
    expect(result.files).toEqual(expect.arrayContaining(['infra/main.bicep', 'infra/app/fleetApp.bicep', 'infra/app/statusPageApp.bicep']));
  });

  test.each(Object.keys(MODES) as Mode[])('when the %s deployment is evaluated, bicep snapshot reports nothing it could not resolve', (name) => {
    expect(mode(name).snapshot.diagnostics).toEqual([]);
  });
});

describeInfra('Microsoft Graph permissions per mode (granted after provisioning by the postprovision hook)', () => {
  test.each([
    ['monitorOnly', [CONFIG, READ], []],
    ['upload', [CONFIG, WRITE], []],
    ['email', [CONFIG, WRITE, MAIL], []],
    ['fleet', [GDAP, MAIL], [CONFIG, WRITE]],
    ['fleetMonitorOnly', [GDAP], [CONFIG, READ]],
    ['fleetOfCustomers', [GDAP], []],
    ['fleetExistingApp', [GDAP], []],
    ['fleetNotPartner', [], []],
    ['fleetWithoutConnectors', [GDAP], [WRITE]],
    ['managedDevicesRead', [CONFIG, MANAGED_DEVICES, WRITE], []],
    ['connectorsNotMonitored', [WRITE], []],
    ['oneConnectorMonitored', [CONFIG, WRITE], []],
    ['configurationReadRefused', [WRITE], []],
    ['configurationReadForced', [CONFIG, WRITE], []],
    ['grantsByHand', [], []],
  ] as [Mode, string[], string[]][])('when the mode is %s, the identity gets %j and the fleet app in the home tenant %j', (name, identity, fleetHomeTenant) => {
    const grants = grantsOf(mode(name));
    expect(grants.identity).toEqual(identity);
    expect(grants.fleetHomeTenant).toEqual(fleetHomeTenant);
    for (const g of grants.all.filter((x) => x.principalType === 'ServicePrincipal')) expect(g.resourceAppId).toBe('00000003-0000-0000-c000-000000000000');
  });

  test.each([
    ['fleet', [WRITE, CONFIG]],
    ['fleetMonitorOnly', [READ, CONFIG]],
    ['fleetOfCustomers', [WRITE, CONFIG]],
    ['fleetWithoutConnectors', [WRITE]],
  ] as [Mode, string[]][])('when the mode is %s, the fleet app each customer consents to asks for %j as application permissions', (name, permissions) => {
    const d = mode(name);
    const [app] = fleetAppOf(d);
    const props = d.graphProperties(app as Resource, 'fleetApp') as { requiredResourceAccess: { resourceAppId: string; resourceAccess: { id: string; type: string }[] }[] };
    expect(props.requiredResourceAccess).toEqual([{ resourceAppId: '00000003-0000-0000-c000-000000000000', resourceAccess: permissions.map((p) => ({ id: graphRoleId(p), type: 'Role' })) }]);
  });

  test('when the fleet uses an existing app, or there is no fleet, no fleet app is created', () => {
    expect(fleetAppOf(mode('fleetExistingApp'))).toEqual([]);
    expect(fleetAppOf(mode('upload'))).toEqual([]);
    expect(mode('fleetExistingApp').appSettings().APNS_APP_CLIENT_ID).toBe('33333333-3333-3333-3333-333333333333');
  });

  test('when a person deploys, they get the status page Operator role of the sign-in app; azd in CI, no deployer, or no status page: nobody does', () => {
    expect(grantsOf(mode('upload')).people).toEqual([
      { principalId: DEPLOYER, principalType: 'User', principal: 'the deploying user', resourceAppId: expect.any(Runtime), appRole: OPERATOR_ROLE },
    ]);
    expect(text(grantsOf(mode('upload')).people[0]?.resourceAppId)).toContain('signInApp');
    for (const name of ['azdInCi', 'noDeployer', 'noStatusPage'] as Mode[]) expect(grantsOf(mode(name)).people).toEqual([]);
  });

  test('when the sign-in app is declared, it asks for the delegated sign-in scopes only, consented for everyone, and defines the role the code checks', () => {
    const d = mode('upload');
    const [app] = signInAppOf(d);
    const props = d.graphProperties(app as Resource, 'statusPageApp') as Record<string, unknown>;
    expect(props.requiredResourceAccess).toEqual([
      { resourceAppId: '00000003-0000-0000-c000-000000000000', resourceAccess: ['openid', 'profile', 'email'].map((s) => ({ id: graphScopeId(s), type: 'Scope' })) },
    ]);
    expect(props.appRoles).toEqual([expect.objectContaining({ value: OPERATOR_ROLE, allowedMemberTypes: ['User'], isEnabled: true })]);
    expect(props.web).toMatchObject({ implicitGrantSettings: { enableIdTokenIssuance: true, enableAccessTokenIssuance: false } });
    expect(JSON.stringify(props)).not.toMatch(/passwordCredentials|keyCredentials/);
    const consent = d.resource('Microsoft.Graph/oauth2PermissionGrants@v1.0');
    expect(consent.properties).toMatchObject({ consentType: 'AllPrincipals', scope: 'openid profile email' });
  });
});

describeInfra('role assignments', () => {
  const ROLES: Record<string, string> = {
    'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': 'Storage Blob Data Owner',
    '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3': 'Storage Table Data Contributor',
    '974c5e8b-45b9-4653-ba55-5f855dd0fb88': 'Storage Queue Data Contributor',
    '4633458b-17de-408a-b874-0445c86b69e6': 'Key Vault Secrets User',
    'b86a8fe4-44ce-4948-aee5-eccb2c155cd7': 'Key Vault Secrets Officer',
  };

  function assignments(d: Deployment) {
    const storage = d.resource('Microsoft.Storage/storageAccounts');
    const vault = d.resource('Microsoft.KeyVault/vaults');
    const identity = d.resource('Microsoft.ManagedIdentity/userAssignedIdentities');
    return d
      .resources('Microsoft.Authorization/roleAssignments')
      .map((r) => {
        const props = r.properties as { principalId: string; principalType: string; roleDefinitionId: string };
        const scope = String(r.id).split('/providers/Microsoft.Authorization/roleAssignments/')[0];
        const roleId = props.roleDefinitionId.split('/').pop() as string;
        expect(props.roleDefinitionId).toBe(`/subscriptions/${SCOPE.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleId}`);
        return {
          role: ROLES[roleId] ?? roleId,
          scope: scope === storage.id ? 'storage account' : scope === vault.id ? 'Key Vault' : scope,
          principal: props.principalId.includes(`${String(identity.id)}'`) && props.principalId.endsWith('.principalId]') ? 'the identity' : props.principalId,
          principalType: props.principalType,
        };
      })
      .sort((a, b) => `${a.scope}${a.role}`.localeCompare(`${b.scope}${b.role}`));
  }

  test('when deployed by a person, the identity gets exactly the storage and Key Vault data roles it needs, and the person Secrets Officer', () => {
    expect(assignments(mode('upload'))).toEqual([
      { role: 'Key Vault Secrets Officer', scope: 'Key Vault', principal: DEPLOYER, principalType: 'User' },
      { role: 'Key Vault Secrets User', scope: 'Key Vault', principal: 'the identity', principalType: 'ServicePrincipal' },
      { role: 'Storage Blob Data Owner', scope: 'storage account', principal: 'the identity', principalType: 'ServicePrincipal' },
      { role: 'Storage Queue Data Contributor', scope: 'storage account', principal: 'the identity', principalType: 'ServicePrincipal' },
      { role: 'Storage Table Data Contributor', scope: 'storage account', principal: 'the identity', principalType: 'ServicePrincipal' },
    ]);
  });

  test('when azd runs in CI as a service principal, the deployer’s assignment takes that kind (else UnmatchedPrincipalType); with no deployer there is none', () => {
    expect(assignments(mode('azdInCi')).filter((a) => a.principal === DEPLOYER)).toEqual([{ role: 'Key Vault Secrets Officer', scope: 'Key Vault', principal: DEPLOYER, principalType: 'ServicePrincipal' }]);
    expect(assignments(mode('noDeployer')).map((a) => a.principal)).toEqual(Array(4).fill('the identity'));
  });
});

describeInfra('the app settings the code reads', () => {
  /** Set by the infra for the Functions host itself, not read by the product (the host reads them). */
  const HOST_ONLY = ['AzureWebJobsStorage__credential', 'AzureWebJobsStorage__clientId', 'NODE_OPTIONS'];

  test('when every channel is configured, every app setting is one the config schema knows (or the host reads), with the value given', () => {
    const d = mode('channels');
    const settings = d.appSettings();
    const known = new Set([...SETTING_SPECS.map((s) => s.name), ...HOST_ONLY]);
    expect(Object.keys(settings).filter((k) => !known.has(k))).toEqual([]);
    for (const spec of SETTING_SPECS.filter((s) => s.infra === 'parameter' && !s.secret)) {
      const given = d.params[bicepParamName(spec.name)] ?? spec.default ?? '';
      if (given === '') expect(settings).not.toHaveProperty(spec.name);
      else expect([spec.name, settings[spec.name]]).toEqual([spec.name, given]);
    }
    for (const spec of SETTING_SPECS.filter((s) => s.infra === 'wired' && s.name !== 'APNS_APP_CLIENT_ID')) expect(settings).toHaveProperty(spec.name);
    expect(settings).not.toHaveProperty('APNS_APP_CLIENT_ID'); // single tenant: the fleet stays off
  });

  test('when a channel secret is given, its setting is a Key Vault reference to the secret made for it, and no setting holds a secret value', () => {
    const d = mode('channels');
    const settings = d.appSettings();
    const secretSettings = SETTING_SPECS.filter((s) => s.infra === 'parameter' && s.secret).map((s) => s.name);
    const created = d.resources('Microsoft.KeyVault/vaults/secrets').map((r) => String(r.name).split('/').pop());
    for (const name of secretSettings) {
      const ref = /^@Microsoft\.KeyVault\(VaultName=(.+);SecretName=([0-9A-Za-z-]+)\)$/.exec(text(settings[name]));
      expect([name, ref?.[2] !== undefined && created.includes(ref[2])]).toEqual([name, true]);
    }
    const all = JSON.stringify(settings, (_k, v: unknown) => (v instanceof Runtime ? v.toString() : v));
    for (const value of Object.values(SECRETS)) expect(all).not.toContain(value);
    // The references name the vault this deployment creates.
    const main = compiledMain();
    const module = (name: string) => (main.resources as { name: string; properties: { parameters: Record<string, { value: string }> } }[]).find((r) => r.name === name);
    expect(module('channelSecrets')?.properties.parameters.vaultName?.value).toBe(module('vault')?.properties.parameters.name?.value);
  });

  test('when no channel secret is given, no reference is set (a channel is on only when its setting is present)', () => {
    const settings = mode('upload').appSettings();
    for (const s of SETTING_SPECS.filter((x) => x.secret && x.infra === 'parameter')) expect(settings).not.toHaveProperty(s.name);
  });

  test('when the settings are handed to the code as the platform resolves them, loadConfig accepts them and sees every channel, identity-based storage and the cloud', () => {
    const d = mode('channels');
    const resolved: Record<string, string> = {};
    const secretOf: Record<string, string> = Object.fromEntries(Object.entries(SECRETS).map(([param, value]) => [SETTING_SPECS.find((s) => bicepParamName(s.name) === param)?.name ?? param, value]));
    for (const [name, value] of Object.entries(d.appSettings())) {
      if (typeof value === 'string' && value.startsWith('@Microsoft.KeyVault(')) resolved[name] = secretOf[name] as string; // the platform resolves references
      else if (value instanceof Runtime) resolved[name] = runtimeStandIn(name);
      else resolved[name] = String(value);
    }
    const config = loadConfig(resolved);
    expect(Object.keys(config.channels).sort()).toEqual(['email', 'pagerduty', 'slack', 'teams', 'webhook']);
    expect(config.state.connection).toEqual({ kind: 'tableServiceUri', url: `https://${String(d.resource('Microsoft.Storage/storageAccounts').name)}.table.core.windows.net` });
    expect(config.queue.connection).toEqual({ kind: 'queueServiceUri', url: `https://${String(d.resource('Microsoft.Storage/storageAccounts').name)}.queue.core.windows.net` });
    expect(config.entra.authorityHost).toBe('https://login.microsoftonline.com');
    expect(config.tenant.id).toBe(SCOPE.tenantId);
    expect(config.policy.warningDays).toBe(21);
    expect(config.fleet).toBe(false);
  });

  test('when the mode is a fleet, APNS_TENANTS and the fleet app’s client id are set', () => {
    const settings = mode('fleet').appSettings();
    expect(settings.APNS_TENANTS).toBe(MODES.fleet.apnsTenants);
    expect(text(settings.APNS_APP_CLIENT_ID)).toContain('fleetApp');
  });

  test('when route settings are given as Key Vault secret names, each becomes a reference to that secret of the vault this deployment creates, and nothing else is touched', () => {
    const d = mode('routes');
    const settings = d.appSettings();
    const vault = String(d.resource('Microsoft.KeyVault/vaults').name);
    const routeSettings = Object.fromEntries(Object.entries(settings).filter(([k]) => k.startsWith('APNS_ROUTE_')));
    expect(routeSettings).toEqual({
      APNS_ROUTE_FABRIKAM_TEAMS_WEBHOOK_URL: `@Microsoft.KeyVault(VaultName=${vault};SecretName=route-fabrikam-teams-webhook-url)`,
      APNS_ROUTE_FABRIKAM_EMAIL_TO: `@Microsoft.KeyVault(VaultName=${vault};SecretName=route-fabrikam-email-to)`,
      APNS_ROUTE_FABRIKAM_TEAMS_MIN_SEVERITY: `@Microsoft.KeyVault(VaultName=${vault};SecretName=route-fabrikam-teams-min-severity)`,
    });
    expect(settings.APNS_TENANT_ID).toBe(SCOPE.tenantId); // the pair naming another setting was dropped
    expect(settings.APNS_TENANT_ROUTES).toBe(`${CUSTOMER}=FABRIKAM`);
    // The values never pass through the deployment: no secret resource is made for a route.
    expect(d.resources('Microsoft.KeyVault/vaults/secrets').map((r) => String(r.name)).filter((name) => name.includes('route-'))).toEqual([]);
    for (const name of Object.keys(settings)) expect([name, specOfSetting(name) !== undefined || HOST_ONLY.includes(name)]).toEqual([name, true]);
  });

  test('when the route references are resolved by the platform, loadConfig sees the route and the tenant it is assigned to', () => {
    const d = mode('routes');
    const secretValues: Record<string, string> = {
      'route-fabrikam-teams-webhook-url': 'https://fabrikam.webhook.office.com/workflows/FabrikamPath',
      'route-fabrikam-email-to': 'it@fabrikam.example',
      'route-fabrikam-teams-min-severity': 'warning',
    };
    const resolved: Record<string, string> = {};
    for (const [name, value] of Object.entries(d.appSettings())) {
      const ref = typeof value === 'string' ? /SecretName=([0-9A-Za-z-]+)\)$/.exec(value) : null;
      resolved[name] = ref ? (secretValues[ref[1] as string] as string) : value instanceof Runtime ? runtimeStandIn(name) : String(value);
    }
    const config = loadConfig(resolved);
    expect(config.routes).toEqual({
      FABRIKAM: {
        teams: { webhookUrl: 'https://fabrikam.webhook.office.com/workflows/FabrikamPath', minSeverity: 'warning' },
        email: { from: EMAIL.apnsEmailFrom, to: ['it@fabrikam.example'], minSeverity: 'notice' },
      },
    });
    expect(config.tenantRoutes).toEqual({ [CUSTOMER]: ['FABRIKAM'] });
  });

  /** What a deployment value looks like once it exists (a GUID, a URL, a connection string). */
  function runtimeStandIn(name: string): string {
    if (name === 'APPLICATIONINSIGHTS_CONNECTION_STRING') return 'InstrumentationKey=00000000-0000-0000-0000-0000000000c3;IngestionEndpoint=https://swedencentral-0.in.applicationinsights.azure.com/';
    if (name === 'APNS_KEY_VAULT_URL') return 'https://kv-apns-example.vault.azure.net/';
    return '00000000-0000-0000-0000-0000000000d4';
  }
});

describeInfra('security and platform properties', () => {
  test('when every output is evaluated with every secret given, none holds a secret, a key or a connection string', () => {
    const d = mode('channels');
    const outputs = Object.keys(d.snapshot.outputs).map((name) => `${name}=${JSON.stringify(d.output(name), (_k, v: unknown) => (v instanceof Runtime ? v.toString() : v))}`);
    expect(outputs.length).toBeGreaterThan(5);
    for (const line of outputs) {
      for (const value of Object.values(SECRETS)) expect(line).not.toContain(value);
      // The Event Grid trigger's name says "Secret" (a Key Vault secret's new version), and holds none.
      expect(line.replaceAll('keyVaultSecretVersionCreated', 'keyVaultEventTrigger')).not.toMatch(/ConnectionString|InstrumentationKey|listKeys|primaryKey|secret/i);
    }
  });

  test('when the Function App is declared, it is Flex Consumption on Node 22 with the user-assigned identity, deployed from blob storage with that identity, HTTPS only, no basic auth', () => {
    const d = mode('upload');
    const identity = d.resource('Microsoft.ManagedIdentity/userAssignedIdentities');
    const plan = d.resource('Microsoft.Web/serverfarms');
    expect(plan).toMatchObject({ sku: { name: 'FC1', tier: 'FlexConsumption' }, properties: { reserved: true } });
    const site = d.resource('Microsoft.Web/sites');
    expect(site).toMatchObject({
      kind: 'functionapp,linux',
      identity: { type: 'UserAssigned', userAssignedIdentities: { [String(identity.id)]: {} } },
      properties: {
        serverFarmId: plan.id,
        httpsOnly: true,
        keyVaultReferenceIdentity: identity.id,
        siteConfig: { ftpsState: 'Disabled', minTlsVersion: '1.2' },
        functionAppConfig: {
          runtime: { name: 'node', version: '22' },
          deployment: { storage: { type: 'blobContainer', authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identity.id } } },
        },
      },
    });
    expect(d.resources('Microsoft.Web/sites/basicPublishingCredentialsPolicies').map((r) => [String(r.name).split('/').pop(), (r.properties as { allow: boolean }).allow])).toEqual([
      ['ftp', false],
      ['scm', false],
    ]);
    expect(site.tags).toMatchObject({ 'azd-service-name': 'api' });
    const settings = d.appSettings();
    expect(settings).toMatchObject({ AzureWebJobsStorage__credential: 'managedidentity', AzureWebJobsStorage__accountName: d.resource('Microsoft.Storage/storageAccounts').name });
    expect(text(settings.AZURE_CLIENT_ID)).toContain('userAssignedIdentities/id-apns-');
  });

  test('when storage and Key Vault are declared, storage takes no shared key or public blob and Key Vault is in RBAC mode with soft delete', () => {
    const d = mode('upload');
    expect(d.resource('Microsoft.Storage/storageAccounts').properties).toMatchObject({ allowSharedKeyAccess: false, allowBlobPublicAccess: false, minimumTlsVersion: 'TLS1_2', supportsHttpsTrafficOnly: true });
    expect(d.resource('Microsoft.KeyVault/vaults').properties).toMatchObject({ enableRbacAuthorization: true, enableSoftDelete: true, softDeleteRetentionInDays: 7 });
    expect(d.resource('Microsoft.KeyVault/vaults').properties).not.toHaveProperty('enablePurgeProtection', false); // the API refuses an explicit false
    expect(d.resource('Microsoft.Insights/components').properties).toMatchObject({ WorkspaceResourceId: d.resource('Microsoft.OperationalInsights/workspaces').id });
  });

  test('when in a fleet, the queue the timer fills exists; otherwise there is none', () => {
    const queues = (m: Mode) => mode(m).resources('Microsoft.Storage/storageAccounts/queueServices/queues').map((r) => String(r.name).split('/').pop());
    expect(queues('fleet')).toEqual([TENANT_CHECK_QUEUE]);
    expect(queues('upload')).toEqual([]);
  });

  test.each([
    ['AzureCloud', 'https://login.microsoftonline.com/'],
    ['AzureUSGovernment', 'https://login.microsoftonline.us/'],
    ['AzureChinaCloud', 'https://login.chinacloudapi.cn/'],
  ])('when deployed in %s, the fleet app trusts the identity for the audience the code asks for there', (cloud, loginEndpoint) => {
    const d = mode('fleet');
    const [credential] = d.resources('Microsoft.Graph/applications/federatedIdentityCredentials@v1.0');
    const environment = { ...AZURE_CLOUD, name: cloud, authentication: { ...AZURE_CLOUD.authentication, loginEndpoint } };
    const props = d.graphProperties(credential as Resource, 'fleetApp', environment) as { audiences: string[]; issuer: string; subject: ArmValue };
    expect(props.audiences).toEqual([tokenExchangeAudience(loginEndpoint)]);
    expect(props.issuer).toBe(`${loginEndpoint}${SCOPE.tenantId}/v2.0`);
    expect(text(props.subject)).toContain('userAssignedIdentities/id-apns-');
  });

  test('when the fleet app is declared, it is multi-tenant, lands consenting admins somewhere (else AADSTS900971) and has no secret', () => {
    const d = mode('fleet');
    const [app] = fleetAppOf(d);
    const props = d.graphProperties(app as Resource, 'fleetApp');
    expect(props).toMatchObject({ signInAudience: 'AzureADMultipleOrgs', web: { redirectUris: ['https://entra.microsoft.com/'] } });
    expect(JSON.stringify(props)).not.toMatch(/passwordCredentials|keyCredentials/);
  });

  test('when App Service Authentication is on, browsers are sent to sign-in except on the function-key routes, and the issuer is the home tenant', () => {
    const auth = mode('upload').resources('Microsoft.Web/sites/config').find((r) => String(r.name).endsWith('/authsettingsV2'));
    const props = auth?.properties as { globalValidation: { excludedPaths: string[]; requireAuthentication: boolean; unauthenticatedClientAction: string }; identityProviders: { azureActiveDirectory: { registration: { openIdIssuer: string } } } };
    expect(props.globalValidation).toMatchObject({ requireAuthentication: true, unauthenticatedClientAction: 'RedirectToLoginPage' });
    const http = registrations.flatMap((r) => Object.values(r.metadata.bindings).filter((b) => b.type === 'httpTrigger'));
    const keyRoutes = http.filter((b) => b.authLevel === 'function').map((b) => `/api/${String(b.route)}`);
    const anonymous = http.filter((b) => b.authLevel === 'anonymous').map((b) => `/api/${String(b.route)}`);
    expect(keyRoutes.length).toBeGreaterThan(2);
    for (const route of keyRoutes) expect(props.globalValidation.excludedPaths).toContain(route);
    for (const route of anonymous) expect(props.globalValidation.excludedPaths).not.toContain(route);
    expect(props.globalValidation.excludedPaths).toContain('/admin/functions/checkApnsExpiry'); // the README's one-off run with the master key
    // Event Grid's deliveries (the host demands its system key): a sign-in redirect would lose every Key Vault event.
    expect(props.globalValidation.excludedPaths).toContain('/runtime/webhooks/eventgrid');
    expect(String(props.identityProviders.azureActiveDirectory.registration.openIdIssuer)).toContain(SCOPE.tenantId);
    expect(mode('noStatusPage').resources('Microsoft.Web/sites/config').map((r) => String(r.name).split('/').pop())).toEqual(['appsettings']);
  });
});

describeInfra('renewal proposals from Key Vault (SPEC §16): the Event Grid system topic and its subscription', () => {
  const topics = (m: Mode) => mode(m).resources('Microsoft.EventGrid/systemTopics');
  const subscriptions = (m: Mode) => mode(m).resources('Microsoft.EventGrid/systemTopics/eventSubscriptions');

  test('when azd up provisions the first time, the vault gets its system topic but no subscription yet (the function is deployed after), and the hook is told to finish', () => {
    const d = mode('upload');
    const [topic, ...more] = topics('upload');
    expect(more).toEqual([]);
    expect(topic).toMatchObject({ location: SCOPE.location, properties: { source: d.resource('Microsoft.KeyVault/vaults').id, topicType: 'Microsoft.KeyVault.vaults' } });
    expect(subscriptions('upload')).toEqual([]);
    expect(d.output('APNS_KEY_VAULT_EVENTS_STATE')).toBe('function-pending');
    expect(text(d.output('APNS_KEY_VAULT_EVENTS_FUNCTION_ID'))).toMatch(/Microsoft\.Web\/sites\/func-apns-\w+\/functions\/keyVaultSecretVersionCreated/);
  });

  test('when the postdeploy hook provisions again, the subscription sends only new versions of the certificate secret to the function, one event at a time', () => {
    const d = mode('subscribed');
    const [subscription] = subscriptions('subscribed');
    const props = subscription?.properties as { destination: { endpointType: string; properties: { resourceId: string; maxEventsPerBatch: number } }; filter: Record<string, unknown>; eventDeliverySchema: string };
    expect(props.destination).toMatchObject({ endpointType: 'AzureFunction', properties: { maxEventsPerBatch: 1 } });
    expect(text(props.destination.properties.resourceId)).toBe(`${String(d.resource('Microsoft.Web/sites').id)}/functions/keyVaultSecretVersionCreated`);
    expect(props.filter).toEqual({ includedEventTypes: ['Microsoft.KeyVault.SecretNewVersionCreated'], subjectBeginsWith: 'apns-certificate', subjectEndsWith: 'apns-certificate', isSubjectCaseSensitive: false });
    expect(props.eventDeliverySchema).toBe('EventGridSchema');
    expect(d.output('APNS_KEY_VAULT_EVENTS_STATE')).toBe('subscribed');
  });

  test('when the monitor watches a fleet, the subscription takes every <prefix>-<tenantId> (the function ignores a name that is no watched tenant’s)', () => {
    const [subscription] = subscriptions('fleetSubscribed');
    expect((subscription?.properties as { filter: Record<string, unknown> }).filter).toMatchObject({ subjectBeginsWith: 'apns-certificate-', subjectEndsWith: '' });
  });

  test('when renewal proposals are off, or the monitor may not upload, there is no topic, no subscription, and the hook has nothing to do', () => {
    for (const m of ['noKeyVaultEvents', 'monitorOnlySubscribed', 'monitorOnly'] as Mode[]) {
      expect([m, topics(m), subscriptions(m), mode(m).output('APNS_KEY_VAULT_EVENTS_STATE')]).toEqual([m, [], [], 'off']);
    }
  });
});
