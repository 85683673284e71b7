import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { infraParameters, localSettingsExample, README_END, README_START, settingsTableMarkdown } from '../../../shared/config/settingsDocs';
import { SETTING_SPECS, specOfSetting } from '../../../shared/config/settings';

const root = join(__dirname, '..', '..', '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

describe('one list of settings', () => {
  test('when the README is read, its settings table is exactly the one generated from the schema', () => {
    const readme = read('README.md');
    const start = readme.indexOf(README_START);
    const end = readme.indexOf(README_END);
    expect(start).toBeGreaterThan(0);
    expect(readme.slice(start, end + README_END.length)).toBe(settingsTableMarkdown()); // run `npm run settings:sync` if this fails
  });

  test('when local.settings.example.json is read, it holds every setting with its default', () => {
    expect(JSON.parse(read('local.settings.example.json'))).toEqual(localSettingsExample());
    const values = localSettingsExample().Values;
    for (const s of SETTING_SPECS.filter((x) => !x.family)) expect(values).toHaveProperty(s.name, s.example ?? s.default ?? '');
    // A family is a pattern, not a setting to fill in: the example shows no made-up route.
    expect(Object.keys(values).filter((k) => k.startsWith('APNS_ROUTE_'))).toEqual([]);
  });

  test('when the code is searched, every APNS_ setting it reads is in the schema', () => {
    const files = ['shared', 'functions'].flatMap((dir) =>
      readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => join(root, dir, f)),
    );
    // A setting is read as a quoted name ('APNS_X', `APNS_X`) or as env.APNS_X; bare APNS_X identifiers are constants.
    const reads = /(?:['"`]|env\.)(APNS_[A-Z0-9_]*[A-Z0-9])\b/g;
    const used = new Set(files.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(reads)].map((m) => m[1] ?? '')));
    // A route's setting (APNS_ROUTE_ACME_…) is known through its family; the azd environment's own
    // variables (APNS_ROUTE_VAULT_REFERENCES…) are read by infra/main.parameters.json, not by the code.
    const azdOnly = new Set([...JSON.stringify(infraParameters()).matchAll(/\$\{(APNS_[A-Z0-9_]+)/g)].map((m) => m[1]));
    const known = (n: string) => specOfSetting(n) !== undefined || azdOnly.has(n);
    // APNS_<CHANNEL>_MIN_SEVERITY is written generically in docs; APNS_TEST_* belong to the test harness.
    expect([...used].filter((n) => !known(n) && !n.startsWith('APNS_TEST_') && n !== 'APNS_CHANNEL_MIN_SEVERITY')).toEqual([]);
  });
});
