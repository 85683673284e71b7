import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPERATOR_ROLE } from '../../shared/adapters/functions/clientPrincipal';
import { TENANT_CHECK_QUEUE } from '../../shared/config/loadConfig';
import { bicepParamName, infraParameters } from '../../shared/config/settingsDocs';
import { SETTING_SPECS } from '../../shared/config/settings';

// No Bicep CLI runs here: the templates are read as text and checked against the code they serve.
const root = join(__dirname, '..', '..');
const infra = join(root, 'infra');
const read = (file: string) => readFileSync(join(infra, file), 'utf8');
const main = read('main.bicep');
const app = read('app/functionApp.bicep');
const secrets = read('app/channelSecrets.bicep');
const rbac = read('app/rbac.bicep');
const alerts = read('app/alerts.bicep');
const fleetApp = read('app/fleetApp.bicep');
const statusApp = read('app/statusPageApp.bicep');
const statusAuth = read('app/statusPageAuth.bicep');
const bicepFiles = ['main.bicep', ...readdirSync(join(infra, 'app')).filter((f) => f.endsWith('.bicep')).map((f) => `app/${f}`)];
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The HTTP functions as registered in functions/*.ts: name, route and auth level. */
function httpFunctions(): { name: string; route: string; authLevel: string }[] {
  const dir = join(root, 'functions');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/app\.http\('(\w+)',\s*\{([\s\S]*?)\}\);/g)])
    .map((m) => ({
      name: m[1] ?? '',
      route: /route:\s*'([^']+)'/.exec(m[2] ?? '')?.[1] ?? '',
      authLevel: /authLevel:\s*'(\w+)'/.exec(m[2] ?? '')?.[1] ?? '',
    }));
}

describe('infra/ and the config schema agree', () => {
  test.each(SETTING_SPECS.filter((s) => s.infra === 'parameter').map((s) => [s.name, s] as const))(
    'when %s is a parameter, main.bicep declares it with the config default and sets the app setting',
    (name, spec) => {
      const param = bicepParamName(name);
      const declaration = new RegExp(`^param ${param} string = '${escape(spec.default ?? '')}'$`, 'm');
      expect(main).toMatch(declaration);
      if (spec.secret) {
        expect(main).toMatch(new RegExp(`@secure\\(\\)\\nparam ${param} `));
        expect(secrets).toContain(`setting: '${name}'`); // a Key Vault reference, never a plain value
      } else {
        expect(main).toMatch(new RegExp(`^\\s+${name}: ${param}$`, 'm'));
      }
    },
  );

  test.each(SETTING_SPECS.filter((s) => s.infra === 'wired').map((s) => [s.name]))('when %s is wired from created resources, the Function App sets it', (name) => {
    expect(app).toMatch(new RegExp(`^\\s+${name}: `, 'm'));
  });

  test('when main.parameters.json is read, it maps every parameter from the azd environment with its default', () => {
    expect(JSON.parse(read('main.parameters.json'))).toEqual(infraParameters());
  });

  test('when main.parameters.json and main.bicep are compared, each names the same parameters (deployedAt keeps its utcNow default)', () => {
    const declared = [...main.matchAll(/^param (\w+) /gm)].map((m) => m[1]).sort();
    const mapped = Object.keys(infraParameters().parameters as Record<string, unknown>);
    expect([...mapped, 'deployedAt'].sort()).toEqual(declared);
    expect(main).toMatch(/^param deployedAt string = utcNow\('u'\)$/m);
  });

  test('when the infra is read, it is the conventional azd layout with the required resources', () => {
    const azureYaml = readFileSync(join(infra, '..', 'azure.yaml'), 'utf8');
    expect(azureYaml).toMatch(/host: function/);
    expect(main).toMatch(/sku: \{ name: 'FC1', tier: 'FlexConsumption' \}/);
    expect(app).toMatch(/runtime: \{ name: 'node', version: '22' \}/);
    expect(main).toMatch(/allowSharedKeyAccess: false/);
    expect(app).toMatch(/AzureWebJobsStorage__credential: 'managedidentity'/);
    expect(main).toMatch(/enableRbacAuthorization: true/);
    expect(rbac).toMatch(/keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'/);
    expect(read('app/graphPermissions.bicep')).toMatch(/Microsoft\.Graph\/appRoleAssignedTo@v1\.0/);
    expect(main).toMatch(/'DeviceManagementServiceConfig\.ReadWrite\.All' : 'DeviceManagementServiceConfig\.Read\.All'/);
    expect(alerts).toMatch(/name == "ApnsDaysRemaining"/);
    expect(JSON.parse(read('bicepconfig.json')).extensions.microsoftGraphV1).toMatch(/^br:mcr\.microsoft\.com\/bicep\/extensions\/microsoftgraph\/v1\.0:/);
  });

  test('when a file declares Microsoft Graph resources, it loads the extension and uses the v1.0 types', () => {
    for (const file of bicepFiles) {
      const text = read(file);
      const types = [...text.matchAll(/'Microsoft\.Graph\/([\w/]+)@([\w.]+)'/g)];
      if (types.length === 0) continue;
      expect(text).toMatch(/^extension microsoftGraphV1$/m);
      for (const t of types) expect(`${t[1]}@${t[2]}`).toMatch(/@v1\.0$/);
    }
  });
});

describe('fleet (SPEC §11)', () => {
  test('when APNS_TENANTS lists tenants or APNS_FLEET is true, the multi-tenant app is created unless an existing one is given', () => {
    expect(main).toMatch(/var fleetMode = toLower\(fleet\) == 'true' \|\| !empty\(apnsTenants\)/);
    expect(main).toMatch(/var createFleetApp = fleetMode && empty\(fleetAppClientId\)/);
    expect(main).toMatch(/module fleetApp 'app\/fleetApp\.bicep' = if \(createFleetApp\)/);
    expect(main).toMatch(/var appClientId = createFleetApp \? fleetApp\.outputs\.appId : \(fleetMode \? fleetAppClientId : ''\)/);
    expect(main).toMatch(/^\s+appClientId: appClientId$/m);
    expect(app).toMatch(/^\s+APNS_APP_CLIENT_ID: appClientId$/m);
  });

  test('when the fleet app is declared, it is multi-tenant, asks for application permissions and trusts the identity with no secret', () => {
    expect(fleetApp).toMatch(/'Microsoft\.Graph\/applications@v1\.0'/);
    expect(fleetApp).toMatch(/signInAudience: 'AzureADMultipleOrgs'/);
    expect(fleetApp).toMatch(/type: 'Role'/);
    expect(fleetApp).toMatch(/resource trustsManagedIdentity 'federatedIdentityCredentials@v1\.0'/);
    expect(fleetApp).toMatch(/var issuer = '\$\{environment\(\)\.authentication\.loginEndpoint\}\$\{tenant\(\)\.tenantId\}\/v2\.0'/);
    expect(fleetApp).toMatch(/var tokenExchangeAudience = 'api:\/\/AzureADTokenExchange'/);
    expect(fleetApp).toMatch(/subject: identityPrincipalId/);
    expect(main).toMatch(/identityPrincipalId: identity\.outputs\.principalId\n\s+permissions: intunePermissions/);
    expect(fleetApp).not.toMatch(/passwordCredentials|keyCredentials/);
  });

  test('when a customer admin opens the consent link, Entra has a reply address to land them on (else AADSTS900971)', () => {
    expect(fleetApp).toMatch(/web: \{ redirectUris: \[ consentLandingPage \] \}/);
    const landing = /var consentLandingPage = '([^']+)'/.exec(fleetApp)?.[1] ?? '';
    expect(landing).toMatch(/^https:\/\//);
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain(landing); // for an existing app, the README says to add it
  });

  test('when the home tenant is itself watched, the deployment grants the fleet app there (its admin consent)', () => {
    expect(main).toMatch(/grantHomeTenant: grantsOn && homeTenantWatched/);
    expect(fleetApp).toMatch(/for permission in \(grantHomeTenant \? permissions : \[\]\)/);
  });

  test('when in a fleet, the identity gets no Intune permission of its own (the app reads each tenant)', () => {
    expect(main).toMatch(/var identityPermissions = concat\(fleetMode \? \[\] : intunePermissions, empty\(apnsEmailFrom\) \? \[\] : \[ 'Mail\.Send' \]\)/);
  });

  test('when in a fleet, the queue the timer fills exists and the identity may use it', () => {
    expect(main).toContain(`queueServices: fleetMode ? { queues: [ { name: '${TENANT_CHECK_QUEUE}' } ] } : {}`);
    expect(rbac).toMatch(/storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'/);
    expect(rbac).toMatch(/for role in \[roles\.storageBlobDataOwner, roles\.storageTableDataContributor, roles\.storageQueueDataContributor\]/);
  });
});

describe('status page access (SPEC §12)', () => {
  const keyRoutes = httpFunctions().filter((f) => f.authLevel === 'function');
  const anonymousRoutes = httpFunctions().filter((f) => f.authLevel === 'anonymous');

  test('when the functions are read, the status page and the function-key routes are both there', () => {
    expect(keyRoutes.map((f) => f.route)).toEqual(expect.arrayContaining(['apns/status', 'apns/renew', 'apns/csr']));
    expect(anonymousRoutes.map((f) => f.route)).toContain('apns/dashboard');
  });

  test('when App Service Authentication is configured, it signs in the home tenant only and redirects browsers to sign-in', () => {
    expect(statusAuth).toMatch(/'Microsoft\.Web\/sites\/config@2024-04-01'/);
    expect(statusAuth).toMatch(/name: 'authsettingsV2'/);
    expect(statusAuth).toMatch(/requireAuthentication: true/);
    expect(statusAuth).toMatch(/unauthenticatedClientAction: 'RedirectToLoginPage'/);
    expect(statusAuth).toMatch(/openIdIssuer: '\$\{environment\(\)\.authentication\.loginEndpoint\}\$\{tenant\(\)\.tenantId\}\/v2\.0'/);
    expect(statusAuth).not.toMatch(/^\s+clientSecretSettingName:/m);
    expect(main).toMatch(/module statusPageAuth 'app\/statusPageAuth\.bicep' = if \(statusPageOn\)/);
  });

  test('when a route needs a function key, sign-in skips it (automation keeps working); no anonymous route is skipped', () => {
    const excluded = [...(/var keyRoutes = \[([\s\S]*?)\n\]/.exec(statusAuth)?.[1] ?? '').matchAll(/'([^']+)'/g)].map((m) => m[1]);
    for (const f of keyRoutes) expect(excluded).toContain(`/api/${f.route}`);
    for (const f of anonymousRoutes) expect(excluded).not.toContain(`/api/${f.route}`);
    // The README's one-off run of the timer, with the master key.
    expect(excluded).toContain('/admin/functions/checkApnsExpiry');
    expect(readFileSync(join(root, 'functions', 'checkApnsExpiry.ts'), 'utf8')).toMatch(/app\.timer\('checkApnsExpiry'/);
  });

  test('when the sign-in app is declared, it is single-tenant, allows the ID token without a secret and defines the operator role the code checks', () => {
    expect(statusApp).toMatch(/signInAudience: 'AzureADMyOrg'/);
    expect(statusApp).toMatch(/redirectUris: \[ 'https:\/\/\$\{hostName\}\/\.auth\/login\/aad\/callback' \]/);
    expect(statusApp).toMatch(/enableIdTokenIssuance: true/);
    expect(statusApp).toContain(`var operatorRole = '${OPERATOR_ROLE}'`);
    expect(statusApp).toMatch(/value: operatorRole/);
    expect(statusApp).toMatch(/allowedMemberTypes: \[ 'User' \]/);
    expect(statusApp).not.toMatch(/passwordCredentials|keyCredentials/);
    expect(main).toMatch(/hostName: app\.outputs\.defaultHostname/);
  });
});

describe('deploying without surprises', () => {
  test("when azd runs in CI as a service principal, the deployer's role assignment takes that kind", () => {
    expect(main).toMatch(/^param principalType string = 'User'$/m);
    expect(main).toMatch(/deployerPrincipalType: principalType/);
    expect(rbac).toMatch(/principalType: deployerPrincipalType/);
    expect((infraParameters().parameters as Record<string, { value: string }>).principalType?.value).toBe('${AZURE_PRINCIPAL_TYPE=User}');
  });

  test('when the Key Vault is named, the name is unique per environment and azd down --purge can free it', () => {
    expect(main).toMatch(/var token = toLower\(uniqueString\(subscription\(\)\.id, environmentName, location\)\)/);
    expect(main).toMatch(/vault: 'kv-apns-\$\{take\(token, 13\)\}'/); // 8 + 13 ≤ 24 characters
    expect(main).toMatch(/enablePurgeProtection: toLower\(keyVaultPurgeProtection\) == 'true'/);
    expect(main).toMatch(/^param keyVaultPurgeProtection string = 'false'$/m);
  });

  test('when the Function App starts for the first time, its role assignments are already made', () => {
    expect(main).toMatch(/module app 'app\/functionApp\.bicep' = \{[\s\S]*?dependsOn: \[ rbac \]/);
  });

  test('when the heartbeat alert is created, it stays quiet until the first scheduled run has had its chance, and counts successful runs only', () => {
    expect(main).toMatch(/deployedAt: deployedAt/);
    expect(alerts).toMatch(/let deployedAt = todatetime\("\$\{deployedAt\}"\);/);
    expect(alerts).toMatch(/name == "ApnsCheckCompleted" and tostring\(customDimensions\.ok\) == "true"/);
    expect(alerts).toMatch(/\(isnotnull\(lastGood\) and lastGood < ago\(26h\)\) or \(isnull\(lastGood\) and now\(\) > deployedAt \+ 26h\)/);
    expect(alerts).toMatch(/query: heartbeatQuery/);
    // The event and dimension the query reads are the ones the app sends.
    const telemetry = readFileSync(join(root, 'shared', 'adapters', 'notifiers', 'appinsights', 'appInsightsTelemetry.ts'), 'utf8');
    expect(telemetry).toMatch(/name: 'ApnsCheckCompleted'/);
    expect(telemetry).toMatch(/ok: String\(run\.ok\)/);
  });

  test('when a tenant answers 403 with the read permission, the documented alternative is one setting away', () => {
    expect(main).toMatch(/toLower\(grantManagedDevicesRead\) == 'true' \? \[ 'DeviceManagementManagedDevices\.Read\.All' \] : \[\]/);
    expect((infraParameters().parameters as Record<string, { value: string }>).grantManagedDevicesRead?.value).toBe('${APNS_GRANT_MANAGED_DEVICES_READ=false}');
  });
});

describe('hardening (SPEC §9)', () => {
  test('when publishing credentials are configured, FTP and SCM basic auth are off', () => {
    expect(app).toMatch(/\{ name: 'ftp', allow: false \}/);
    expect(app).toMatch(/\{ name: 'scm', allow: false \}/);
    expect(app).toMatch(/ftpsState: 'Disabled'/);
  });

  test('when the deployment outputs are read, none holds a connection string, key or secret', () => {
    for (const file of bicepFiles) {
      const outputs = [...read(file).matchAll(/^output (\w+) [^=]+= (.+)$/gm)];
      for (const [line, name, value] of outputs) {
        // channelSecrets' output is the app settings' Key Vault references: names, never values.
        if (file === 'app/channelSecrets.bicep' && name === 'references') {
          expect(value).toMatch(/=> '@Microsoft\.KeyVault\(VaultName=\$\{vaultName\};SecretName=\$\{s\.secret\}\)'\)$/);
          continue;
        }
        expect(`${file}: ${line}`).not.toMatch(/connectionString|ConnectionString|InstrumentationKey|listKeys|listKeyValue|[sS]ecret|\.value\b/);
      }
    }
    // The AVM component module outputs the connection string: Application Insights is declared directly.
    expect(main).not.toMatch(/avm\/res\/insights\/component/);
    expect(app).toMatch(/APPLICATIONINSIGHTS_CONNECTION_STRING: insights\.properties\.ConnectionString/);
  });

  test('when app settings are written, they are exactly the given list (no merge with what the app had)', () => {
    expect(app).toMatch(/resource appSettingsConfig 'Microsoft\.Web\/sites\/config@2024-04-01'/);
    expect(app).not.toMatch(/^\s+appSettingsKeyValuePairs:/m);
  });
});
