import { ConfigError, loadConfig } from '../../../shared/config/loadConfig';
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
