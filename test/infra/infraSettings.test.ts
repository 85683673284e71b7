import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESOURCE_TYPES } from '../../scripts/bicep/graphExtensionTypes';
import { bicepParamName, infraParameters } from '../../shared/config/settingsDocs';
import { SETTING_SPECS } from '../../shared/config/settings';
import { compiledMain, describeInfra } from '../support/infraDeployment';

// The first run compiles with the real Bicep compiler (tens of seconds on a busy machine); later runs read its cache.
jest.setTimeout(300_000);

// What holds without a Bicep CLI: the parameter files against the config schema, and the Graph types
// the check compiles with against what the templates declare. What the compiler decides is in
// template.test.ts and alertRules.test.ts.
const root = join(__dirname, '..', '..');
const infra = join(root, 'infra');
const read = (file: string) => readFileSync(join(infra, file), 'utf8');
const main = read('main.bicep');
const bicepFiles = ['main.bicep', ...readdirSync(join(infra, 'app')).filter((f) => f.endsWith('.bicep')).map((f) => `app/${f}`)];

describe('infra/ and the config schema agree', () => {
  test('when main.parameters.json is read, it maps every parameter from the azd environment with its default', () => {
    expect(JSON.parse(read('main.parameters.json'))).toEqual(infraParameters());
  });

  test('when main.parameters.json and main.bicep are compared, each names the same parameters (deployedAt keeps its utcNow default)', () => {
    const declared = [...main.matchAll(/^param (\w+) /gm)].map((m) => m[1]).sort();
    const mapped = Object.keys(infraParameters().parameters as Record<string, unknown>);
    expect([...mapped, 'deployedAt'].sort()).toEqual(declared);
    expect(main).toMatch(/^param deployedAt string = utcNow\('u'\)$/m);
  });

  test('when azd reads the Graph extension of bicepconfig.json, it is the real one from MCR (the check swaps in its local copy by itself)', () => {
    expect(JSON.parse(read('bicepconfig.json')).extensions.microsoftGraphV1).toMatch(/^br:mcr\.microsoft\.com\/bicep\/extensions\/microsoftgraph\/v1\.0:\d+\.\d+\.\d+$/);
  });

  test('when a file declares Microsoft Graph resources, it loads the extension, and the check’s types cover each type', () => {
    for (const file of bicepFiles) {
      const text = read(file);
      const types = [...text.matchAll(/'Microsoft\.Graph\/([\w/]+)@([\w.]+)'/g)].map((m) => `Microsoft.Graph/${m[1]}@${m[2]}`);
      if (types.length === 0) continue;
      expect(text).toMatch(/^extension microsoftGraphV1$/m);
      for (const t of types) expect(RESOURCE_TYPES).toContain(t);
    }
  });
});

describeInfra('infra/ parameters as compiled', () => {
  test.each(SETTING_SPECS.filter((s) => s.infra === 'parameter').map((s) => [s.name, s] as const))('when %s is a parameter, main.bicep declares it with the config default (secure when secret)', (_name, spec) => {
    const parameters = compiledMain().parameters as Record<string, { type: string; defaultValue?: unknown }>;
    expect(parameters[bicepParamName(spec.name)]).toEqual({ type: spec.secret ? 'securestring' : 'string', defaultValue: spec.default ?? '' });
  });
});
