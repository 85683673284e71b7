import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bicepParamName, infraParameters } from '../../shared/config/settingsDocs';
import { SETTING_SPECS } from '../../shared/config/settings';

const infra = join(__dirname, '..', '..', 'infra');
const read = (file: string) => readFileSync(join(infra, file), 'utf8');
const main = read('main.bicep');
const app = read('app/functionApp.bicep');
const secrets = read('app/channelSecrets.bicep');

describe('infra/ and the config schema agree', () => {
  test.each(SETTING_SPECS.filter((s) => s.infra === 'parameter').map((s) => [s.name, s] as const))(
    'when %s is a parameter, main.bicep declares it with the config default and sets the app setting',
    (name, spec) => {
      const param = bicepParamName(name);
      const declaration = new RegExp(`^param ${param} string = '${(spec.default ?? '').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}'$`, 'm');
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

  test('when the infra is read, it is the conventional azd layout with the required resources', () => {
    const azureYaml = readFileSync(join(infra, '..', 'azure.yaml'), 'utf8');
    expect(azureYaml).toMatch(/host: function/);
    expect(main).toMatch(/sku: \{ name: 'FC1', tier: 'FlexConsumption' \}/);
    expect(app).toMatch(/runtime: \{ name: 'node', version: '22' \}/);
    expect(main).toMatch(/allowSharedKeyAccess: false/);
    expect(app).toMatch(/AzureWebJobsStorage__credential: 'managedidentity'/);
    expect(main).toMatch(/enableRbacAuthorization: true/);
    expect(read('app/rbac.bicep')).toMatch(/keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'/);
    expect(read('app/graphPermissions.bicep')).toMatch(/Microsoft\.Graph\/appRoleAssignedTo@v1\.0/);
    expect(read('app/graphPermissions.bicep')).toMatch(/DeviceManagementServiceConfig\.ReadWrite\.All/);
    expect(read('app/alerts.bicep')).toMatch(/name == "ApnsDaysRemaining"/);
    expect(read('app/alerts.bicep')).toMatch(/ago\(26h\) and name == "ApnsCheckCompleted"/);
    expect(JSON.parse(read('bicepconfig.json')).extensions.microsoftGraphV1).toMatch(/^br:mcr\.microsoft\.com\/bicep\/extensions\/microsoftgraph\/v1\.0:/);
  });
});
