import { ConfigError, loadConfig, routesFor } from '../../../shared/config/loadConfig';
import { SETTINGS } from '../../../shared/config/settings';
import { MONITORED_KINDS } from '../../../shared/domain/assets';

const BASE = { APNS_TENANT_ID: 'contoso' };
const problemsOf = (env: Record<string, string>): readonly string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig', () => {
  test('when only the tenant is set, every default of the settings list applies', () => {
    const config = loadConfig(BASE);
    expect(config.policy).toEqual({ noticeDays: 60, warningDays: 30, criticalDays: 7, repeatHoursWarning: 168, repeatHoursCritical: 24, syncWarningHours: 24, syncCriticalHours: 72 });
    expect(config.graph).toEqual({ baseUrl: 'https://graph.microsoft.com', maxRetryMs: 60_000 });
    expect(config.monitoredKinds).toEqual(MONITORED_KINDS);
    expect(config.schedule).toBe('0 0 8 * * *');
    expect(config.state).toEqual({ connection: undefined, table: 'apnsmonitor' });
    expect(config.channels).toEqual({});
    expect(config.delivery.attempts).toBe(3);
    expect(config.renewal).toEqual({ keyVaultUrl: undefined, secretName: 'apns-certificate' });
    expect(config.tenant).toEqual({ id: 'contoso', name: 'contoso' });
  });

  test('when a config is loaded, it is frozen all the way down', () => {
    const config = loadConfig({ ...BASE, APNS_TEAMS_WEBHOOK_URL: 'https://example.test/hook' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.policy)).toBe(true);
    expect(Object.isFrozen(config.channels.teams)).toBe(true);
  });

  test('when a number is not a whole number of days, the message names the field and the value', () => {
    expect(problemsOf({ ...BASE, APNS_WARNING_DAYS: 'abc' })).toContain('APNS_WARNING_DAYS: must be a whole number of days, got "abc"');
    expect(problemsOf({ ...BASE, APNS_CRITICAL_DAYS: '2.5' })).toContain('APNS_CRITICAL_DAYS: must be a whole number of days, got "2.5"');
    expect(problemsOf({ ...BASE, APNS_REPEAT_HOURS_CRITICAL: '0' })).toContain('APNS_REPEAT_HOURS_CRITICAL: must be a whole number of hours (at least 1), got "0"');
  });

  test('when the bands are not ordered critical < warning < notice, it says which and why', () => {
    expect(problemsOf({ ...BASE, APNS_CRITICAL_DAYS: '30' })).toContain('APNS_CRITICAL_DAYS: must be less than APNS_WARNING_DAYS (got 30 ≥ 30)');
    expect(problemsOf({ ...BASE, APNS_WARNING_DAYS: '90' })).toContain('APNS_WARNING_DAYS: must be less than APNS_NOTICE_DAYS (got 90 ≥ 60)');
  });

  test('when APNS_MONITORED_ASSETS names kinds, only they are read; "all" is every kind; an unknown kind is refused with the list', () => {
    expect(loadConfig({ ...BASE, APNS_MONITORED_ASSETS: 'mtd, apns' }).monitoredKinds).toEqual(['apns', 'mtd']);
    expect(loadConfig({ ...BASE, APNS_MONITORED_ASSETS: 'all' }).monitoredKinds).toEqual(MONITORED_KINDS);
    expect(problemsOf({ ...BASE, APNS_MONITORED_ASSETS: 'apns,jamf' })).toContain(
      'APNS_MONITORED_ASSETS: must be "all" or a comma list of apns, vpp, ade, certconnectors, mtd, googleplay, partners, autopilot, exchange, connectorstatus, got "apns,jamf"',
    );
  });

  test('when the sync thresholds are not ordered warning < critical, it says which and why', () => {
    expect(problemsOf({ ...BASE, APNS_SYNC_CRITICAL_HOURS: '24' })).toContain('APNS_SYNC_CRITICAL_HOURS: must be more than APNS_SYNC_WARNING_HOURS (got 24 ≤ 24)');
    expect(problemsOf({ ...BASE, APNS_SYNC_WARNING_HOURS: '0' })).toContain('APNS_SYNC_WARNING_HOURS: must be a whole number of hours (at least 1), got "0"');
    expect(loadConfig({ ...BASE, APNS_SYNC_WARNING_HOURS: '12', APNS_SYNC_CRITICAL_HOURS: '48' }).policy).toMatchObject({ syncWarningHours: 12, syncCriticalHours: 48 });
  });

  test('when several settings are wrong, every problem is listed at once', () => {
    const problems = problemsOf({ APNS_NOTICE_DAYS: 'x', APNS_TEAMS_MIN_SEVERITY: 'loud', APNS_TEAMS_WEBHOOK_URL: 'https://t.example/x' });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^APNS_TENANT_ID: is required/),
        'APNS_NOTICE_DAYS: must be a whole number of days, got "x"',
        'APNS_TEAMS_MIN_SEVERITY: must be one of notice, warning, critical, got "loud"',
      ]),
    );
  });

  test('when AZURE_TENANT_ID is set and APNS_TENANT_ID is not, it is used', () => {
    expect(loadConfig({ AZURE_TENANT_ID: 'abc-123' }).tenant.id).toBe('abc-123');
  });

  test('when the tenant id holds a colon (it would break alert keys), it is refused', () => {
    expect(problemsOf({ APNS_TENANT_ID: 'a:b' })[0]).toMatch(/^APNS_TENANT_ID: must be a tenant ID/);
  });

  test('when a webhook URL is http or garbage, it is refused without echoing the secret URL', () => {
    const problems = problemsOf({ ...BASE, APNS_TEAMS_WEBHOOK_URL: 'http://prod.westeurope.logic.azure.com/workflows/x?sig=SECRETSIG', APNS_SLACK_WEBHOOK_URL: 'hooks.slack.com/services/T/B/SECRET' });
    expect(problems).toEqual([
      'APNS_TEAMS_WEBHOOK_URL: must be an https:// URL, (value not shown: it is a secret)',
      'APNS_SLACK_WEBHOOK_URL: must be an https:// URL, (value not shown: it is a secret)',
    ]);
    expect(problems.join(' ')).not.toMatch(/SECRET/);
  });

  test('when e-mail is half configured, the missing half is named', () => {
    expect(problemsOf({ ...BASE, APNS_EMAIL_TO: 'oncall@contoso.com' })).toEqual([expect.stringMatching(/^APNS_EMAIL_FROM: must be the sending mailbox/)]);
    expect(problemsOf({ ...BASE, APNS_EMAIL_FROM: 'monitor@contoso.com' })).toEqual(['APNS_EMAIL_TO: must list at least one recipient when APNS_EMAIL_FROM is set']);
  });

  test('when channels are configured, each gets its URL, its recipients and its minimum severity', () => {
    const config = loadConfig({
      ...BASE,
      APNS_TEAMS_WEBHOOK_URL: 'https://teams.example/hook',
      APNS_EMAIL_FROM: 'monitor@contoso.com',
      APNS_EMAIL_TO: 'a@contoso.com, b@contoso.com',
      APNS_PAGERDUTY_ROUTING_KEY: 'R0123456789ABCDEF0123456789ABCDE',
      APNS_WEBHOOK_URL: 'https://hooks.example/apns',
      APNS_WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      APNS_WEBHOOK_MIN_SEVERITY: 'critical',
    });
    expect(config.channels.teams).toEqual({ webhookUrl: 'https://teams.example/hook', minSeverity: 'notice' });
    expect(config.channels.email).toEqual({ from: 'monitor@contoso.com', to: ['a@contoso.com', 'b@contoso.com'], minSeverity: 'notice' });
    expect(config.channels.pagerduty).toEqual({ routingKey: 'R0123456789ABCDEF0123456789ABCDE', eventsUrl: 'https://events.pagerduty.com/v2/enqueue', minSeverity: 'warning' });
    expect(config.channels.webhook?.minSeverity).toBe('critical');
  });

  test('when the webhook secret is not whsec_ base64, it is refused without showing it', () => {
    const problems = problemsOf({ ...BASE, APNS_WEBHOOK_URL: 'https://hooks.example/apns', APNS_WEBHOOK_SECRET: 'hunter2' });
    expect(problems).toEqual(['APNS_WEBHOOK_SECRET: must look like whsec_<base64> (value not shown: it is a secret)']);
  });

  test('when the state connection is a connection string, a table URI or an identity-based account, each is understood', () => {
    expect(loadConfig({ ...BASE, AzureWebJobsStorage: 'UseDevelopmentStorage=true' }).state.connection).toEqual({ kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' });
    expect(loadConfig({ ...BASE, APNS_STATE_CONNECTION: 'https://acct.table.core.windows.net/' }).state.connection).toEqual({ kind: 'tableServiceUri', url: 'https://acct.table.core.windows.net' });
    expect(loadConfig({ ...BASE, AzureWebJobsStorage__accountName: 'stapnsmon' }).state.connection).toEqual({ kind: 'tableServiceUri', url: 'https://stapnsmon.table.core.windows.net' });
  });

  test('when the schedule is not a six-field NCRONTAB, it is refused', () => {
    expect(problemsOf({ ...BASE, APNS_CHECK_SCHEDULE: '0 8 * * *' })[0]).toMatch(/^APNS_CHECK_SCHEDULE: must be an NCRONTAB expression with six fields/);
  });

  test('when the monitored assets name something unknown, it is refused', () => {
    expect(problemsOf({ ...BASE, APNS_MONITORED_ASSETS: 'apns,dep' })[0]).toMatch(/^APNS_MONITORED_ASSETS: must be "all" or a comma list of apns, vpp, ade/);
    expect(loadConfig({ ...BASE, APNS_MONITORED_ASSETS: 'ade, apns' }).monitoredKinds).toEqual(['apns', 'ade']);
  });

  test('when a secret name breaks the Key Vault rules, it is refused', () => {
    expect(problemsOf({ ...BASE, APNS_CERT_SECRET_NAME: 'apns_cert' })[0]).toMatch(/^APNS_CERT_SECRET_NAME: must be a Key Vault secret name/);
  });

  test('when the Application Insights connection string has no valid key, it is refused (the SDK would silently send nothing)', () => {
    expect(problemsOf({ ...BASE, APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=demo;IngestionEndpoint=https://x/' })).toEqual([
      'APPLICATIONINSIGHTS_CONNECTION_STRING: must hold InstrumentationKey=<GUID> (copy it from the Application Insights resource)',
    ]);
    const ok = 'InstrumentationKey=11111111-2222-3333-4444-555555555555;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/';
    expect(loadConfig({ ...BASE, APPLICATIONINSIGHTS_CONNECTION_STRING: ok }).appInsights).toEqual({ connectionString: ok });
  });

  test.each([
    ['True', true],
    ['true', true],
    ['TRUE', true],
    ['1', true],
    [' 1 ', true],
    ['False', false],
    ['0', false],
    ['', false],
    ['yes', false],
  ])('when App Service writes WEBSITE_AUTH_ENABLED=%j, principal headers are trusted: %s (as the Functions host reads it)', (value, trusted) => {
    expect(loadConfig({ ...BASE, WEBSITE_AUTH_ENABLED: value }).easyAuth).toBe(trusted);
  });

  test('when the Graph base URL is a national cloud, it is kept without a trailing slash', () => {
    expect(loadConfig({ ...BASE, APNS_GRAPH_BASE_URL: 'https://graph.microsoft.us/' }).graph.baseUrl).toBe('https://graph.microsoft.us');
  });

  test('when the settings list is read, every name is unique and every literal default parses', () => {
    const names = SETTINGS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    const env: Record<string, string> = { ...BASE };
    for (const s of SETTINGS) if ('default' in s && s.default !== undefined) env[s.name] = s.default;
    expect(() => loadConfig(env)).not.toThrow();
  });
});

describe('loadConfig: customer routes (APNS_ROUTE_<R>_<SETTING>, APNS_TENANT_ROUTES)', () => {
  const ACME_TEAMS = 'https://acme.webhook.office.com/workflows/AcmeSecretPath';
  const ROUTES = {
    ...BASE,
    APNS_EMAIL_FROM: 'apns-monitor@msp.example',
    APNS_ROUTE_ACME_TEAMS_WEBHOOK_URL: ACME_TEAMS,
    APNS_ROUTE_ACME_TEAMS_MIN_SEVERITY: 'warning',
    APNS_ROUTE_ACME_EMAIL_TO: 'it@acme.example, ceo@acme.example',
    APNS_ROUTE_ACME_PAGERDUTY_ROUTING_KEY: 'R0ACMER0ACMER0ACMER0ACMER0ACME00',
    APNS_ROUTE_BETA2_WEBHOOK_URL: 'https://hooks.beta.example/apns',
    APNS_ROUTE_BETA2_WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    APNS_TENANT_ROUTES: 'tenant-a=ACME, tenant-b=acme+Beta2',
  };

  test('when routes are defined, each gets its channels validated like the global ones, with their own minimum severities and the defaults of the global settings', () => {
    const config = loadConfig(ROUTES);
    // APNS_EMAIL_FROM there only for the routes' recipients: no global e-mail, and no complaint.
    expect(config.channels).toEqual({});
    expect(config.routes).toEqual({
      ACME: {
        teams: { webhookUrl: ACME_TEAMS, minSeverity: 'warning' },
        email: { from: 'apns-monitor@msp.example', to: ['it@acme.example', 'ceo@acme.example'], minSeverity: 'notice' },
        pagerduty: { routingKey: 'R0ACMER0ACMER0ACMER0ACMER0ACME00', eventsUrl: 'https://events.pagerduty.com/v2/enqueue', minSeverity: 'warning' },
      },
      BETA2: { webhook: { url: 'https://hooks.beta.example/apns', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', minSeverity: 'notice' } },
    });
    expect(config.tenantRoutes).toEqual({ 'tenant-a': ['ACME'], 'tenant-b': ['ACME', 'BETA2'] });
    expect(Object.isFrozen(config.routes.ACME?.teams)).toBe(true);
  });

  test('when a route setting is wrong, the problem names the route setting as written and never echoes a secret', () => {
    const problems = problemsOf({ ...BASE, APNS_ROUTE_ACME_TEAMS_WEBHOOK_URL: 'http://acme.example/hook?sig=AcmeSecret', APNS_ROUTE_ACME_WEBHOOK_SECRET: 'nope', APNS_ROUTE_ACME_SLACK_MIN_SEVERITY: 'loud', APNS_ROUTE_ACME_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/x' });
    expect(problems).toEqual(expect.arrayContaining([
      'APNS_ROUTE_ACME_TEAMS_WEBHOOK_URL: must be an https:// URL, (value not shown: it is a secret)',
      'APNS_ROUTE_ACME_SLACK_MIN_SEVERITY: must be one of notice, warning, critical, got "loud"',
      'APNS_ROUTE_ACME_WEBHOOK_URL: is required when APNS_ROUTE_ACME_WEBHOOK_SECRET is set',
      'APNS_ROUTE_ACME_WEBHOOK_SECRET: must look like whsec_<base64> (value not shown: it is a secret)',
    ]));
    expect(problems.join('\n')).not.toContain('AcmeSecret');
    expect(problems.join('\n')).not.toContain('nope');
  });

  test('when a route e-mail has no sender, a route has no channel, a name is not capitals and digits, or a suffix is unknown, each is refused by name', () => {
    expect(problemsOf({ ...BASE, APNS_ROUTE_ACME_EMAIL_TO: 'it@acme.example' })).toEqual(['APNS_ROUTE_ACME_EMAIL_TO: needs APNS_EMAIL_FROM, the mailbox every e-mail is sent from']);
    expect(problemsOf({ ...BASE, APNS_ROUTE_ACME_TEAMS_MIN_SEVERITY: 'warning' })).toEqual([
      'APNS_ROUTE_ACME_*: route ACME has no channel: set its TEAMS_WEBHOOK_URL, SLACK_WEBHOOK_URL, EMAIL_TO, PAGERDUTY_ROUTING_KEY or WEBHOOK_URL',
    ]);
    expect(problemsOf({ ...BASE, APNS_ROUTE_acme_TEAMS_WEBHOOK_URL: 'https://acme.example/hook' })[0]).toMatch(/^APNS_ROUTE_acme_TEAMS_WEBHOOK_URL: a route's name \(after APNS_ROUTE_\) must be 1–32 capital letters or digits/);
    expect(problemsOf({ ...BASE, APNS_ROUTE_ACME_EMAIL_FROM: 'x@acme.example' })[0]).toMatch(/^APNS_ROUTE_ACME_EMAIL_FROM: is not a route setting; a route takes APNS_ROUTE_ACME_TEAMS_WEBHOOK_URL, APNS_ROUTE_ACME_TEAMS_MIN_SEVERITY, /);
  });

  test('when APNS_TENANT_ROUTES names a route no setting defines, or is malformed, the problem names it', () => {
    expect(problemsOf({ ...ROUTES, APNS_TENANT_ROUTES: 'tenant-a=ACME+GAMMA' })).toEqual(['APNS_TENANT_ROUTES: route GAMMA (tenant tenant-a) is not defined: no APNS_ROUTE_GAMMA_… setting sets a channel for it']);
    expect(problemsOf({ ...ROUTES, APNS_TENANT_ROUTES: 'tenant-a' })).toEqual(['APNS_TENANT_ROUTES: tenant tenant-a names no route (each entry is tenantId=R1+R2)']);
    expect(problemsOf({ ...ROUTES, APNS_TENANT_ROUTES: 'a:b=ACME' })).toEqual(['APNS_TENANT_ROUTES: "a:b" is not a tenant ID (each entry is tenantId=R1+R2)']);
    expect(problemsOf({ ...ROUTES, APNS_TENANT_ROUTES: 'tenant-a=ACME,TENANT-A=BETA2' })).toEqual(['APNS_TENANT_ROUTES: tenant TENANT-A is listed twice']);
  });

  test("when a tenant's routes are asked for, APNS_TENANT_ROUTES and the registry's add up; a registry route no setting defines is a configuration error naming it", () => {
    const config = loadConfig(ROUTES);
    expect(routesFor(config, { id: 'TENANT-A', name: 'A' })).toEqual(['ACME']);
    expect(routesFor(config, { id: 'tenant-a', name: 'A', routes: ['beta2', 'ACME'] })).toEqual(['ACME', 'BETA2']);
    expect(routesFor(config, { id: 'tenant-c', name: 'C' })).toEqual([]);
    expect(() => routesFor(config, { id: 'tenant-c', name: 'C', routes: ['ZETA'] })).toThrow(ConfigError);
    expect(() => routesFor(config, { id: 'tenant-c', name: 'C', routes: ['ZETA'] })).toThrow('tenant tenant-c: route ZETA (from the tenant registry) is not defined: no APNS_ROUTE_ZETA_… setting sets a channel for it');
  });

  test('when a route value is empty, it is unset, as for the global settings', () => {
    expect(loadConfig({ ...BASE, APNS_ROUTE_ACME_TEAMS_WEBHOOK_URL: '' }).routes).toEqual({});
  });
});
