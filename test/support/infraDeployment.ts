import { compiledTemplate, snapshotOf, SNAPSHOT_SCOPE, type Snapshot } from '../../scripts/bicep/compileInfra';
import { findBicep } from '../../scripts/bicep/findBicep';
import { evaluate, Runtime, type ArmValue } from './armExpression';

/**
 * infra/main.bicep as the real Bicep compiler deploys it, per mode: `bicep snapshot` (conditions,
 * loops and names resolved) plus the test's ARM evaluator for what the snapshot leaves as
 * expressions (the app settings, the outputs). Runtime values — a created principal's id, a host name
 * — stay `Runtime` placeholders.
 */

const inCi = Boolean(process.env.CI) && process.env.CI !== 'false';
/** A Bicep CLI is there (on PATH, through az, or restored from NuGet): else these tests are skipped, except in CI. */
export const bicepAvailable = inCi || findBicep() !== undefined;
export const describeInfra: jest.Describe = bicepAvailable ? describe : describe.skip;

export const SCOPE = SNAPSHOT_SCOPE;
export const DEPLOYER = '11111111-1111-1111-1111-111111111111';

/** Parameters every mode shares: what azd passes besides the azd environment's settings. */
export const BASE_PARAMS: Record<string, string> = {
  environmentName: 'apns-test',
  location: SCOPE.location,
  principalId: DEPLOYER,
  deployedAt: '2026-12-01 08:00:00Z',
};

/**
 * Microsoft Graph's service principal as the templates read it (`existing` by appId): app roles and
 * delegated scopes by value. The ids are made up (the tests compare values).
 */
const GRAPH_APP_ROLES = [
  'DeviceManagementServiceConfig.Read.All',
  'DeviceManagementServiceConfig.ReadWrite.All',
  'DeviceManagementManagedDevices.Read.All',
  'DeviceManagementConfiguration.Read.All',
  'DelegatedAdminRelationship.Read.All',
  'Mail.Send',
];
const GRAPH_SCOPES = ['openid', 'profile', 'email'];
export const graphRoleId = (value: string) => `graph-app-role:${value}`;
export const graphScopeId = (value: string) => `graph-scope:${value}`;
const GRAPH_SERVICE_PRINCIPAL = {
  id: 'graph-service-principal',
  appRoles: GRAPH_APP_ROLES.map((value) => ({ value, id: graphRoleId(value) })),
  oauth2PermissionScopes: GRAPH_SCOPES.map((value) => ({ value, id: graphScopeId(value) })),
};

type Json = Record<string, unknown>;
type Template = { parameters?: Record<string, { defaultValue?: unknown }>; variables?: Record<string, unknown>; resources: unknown; outputs?: Record<string, { value: unknown }> };

export interface Resource {
  type: string;
  name?: string;
  id?: string;
  condition?: unknown;
  properties?: Json;
  [key: string]: unknown;
}

export interface Deployment {
  params: Record<string, string>;
  snapshot: Snapshot;
  resources(type: string): Resource[];
  /** Exactly one resource of this type (and name, when given). */
  resource(type: string, name?: string): Resource;
  /** The Function App's app settings, evaluated. */
  appSettings(): Record<string, ArmValue>;
  /** A deployment output, evaluated. */
  output(name: string): ArmValue;
  /** A Graph resource's properties, evaluated with the module's parameters and Graph's own app roles. */
  graphProperties(resource: Resource, module: string, environment?: Record<string, unknown>): Record<string, ArmValue>;
}

const templates = new Map<string, Template>();
function mainTemplate(): Template {
  const known = templates.get('main');
  if (known) return known;
  const t = compiledTemplate() as unknown as Template;
  templates.set('main', t);
  return t;
}

function resourcesOf(template: Template): Json[] {
  return Array.isArray(template.resources) ? (template.resources as Json[]) : Object.values(template.resources as Record<string, Json>);
}

function moduleResource(template: Template, name: string): Json {
  const found = resourcesOf(template).find((r) => r.type === 'Microsoft.Resources/deployments' && (r.name === name || (typeof r.name === 'string' && r.name.includes(`'${name}'`))));
  if (!found) throw new Error(`no module ${name} in the template`);
  return found;
}

function defaultsOf(template: Template): Record<string, ArmValue> {
  return Object.fromEntries(Object.entries(template.parameters ?? {}).filter(([, p]) => p.defaultValue !== undefined).map(([k, p]) => [k, p.defaultValue as ArmValue]));
}

export function deploymentOf(modeParams: Record<string, string>): Deployment {
  const params = { ...BASE_PARAMS, ...modeParams };
  const snapshot = snapshotOf(params);
  const main = mainTemplate();
  const mainScope = () => ({
    parameters: { ...defaultsOf(main), ...params },
    variables: main.variables ?? {},
    tenantId: SCOPE.tenantId,
    subscriptionId: SCOPE.subscriptionId,
    reference,
  });

  /** The parameters main.bicep passes to a module, evaluated; a value only the deployment knows stays a placeholder. */
  const moduleParams = (name: string): Record<string, ArmValue> => {
    const mod = moduleResource(main, name);
    const given = ((mod.properties as Json).parameters ?? {}) as Record<string, { value: unknown }>;
    const nested = (mod.properties as Json).template as Template;
    const out: Record<string, ArmValue> = defaultsOf(nested);
    for (const [key, { value }] of Object.entries(given)) {
      try {
        out[key] = evaluate(value, mainScope());
      } catch {
        out[key] = new Runtime(`parameter ${key} of module ${name}`);
      }
    }
    return out;
  };

  function reference(id: ArmValue): ArmValue {
    const text = String(id);
    const deployment = /\/providers\/Microsoft\.Resources\/deployments\/([\w-]+)$/.exec(text);
    if (deployment) {
      const name = deployment[1] as string;
      const nested = (moduleResource(main, name).properties as Json).template as Template;
      const scope = { parameters: moduleParams(name), variables: nested.variables ?? {}, tenantId: SCOPE.tenantId, subscriptionId: SCOPE.subscriptionId };
      const outputs = Object.fromEntries(Object.entries(nested.outputs ?? {}).map(([k, o]) => [k, { value: evaluate(o.value, scope) }]));
      return { outputs };
    }
    if (text === 'graph') return GRAPH_SERVICE_PRINCIPAL as unknown as ArmValue;
    const parts = text.split('/');
    return new Runtime(`reference(${parts.slice(-2).join('/')})`);
  }

  const resources = (type: string): Resource[] => (snapshot.predictedResources as Resource[]).filter((r) => r.type === type);
  return {
    params,
    snapshot,
    resources,
    resource(type, name) {
      const found = resources(type).filter((r) => name === undefined || r.name === name);
      if (found.length !== 1) throw new Error(`expected one ${type}${name ? ` named ${name}` : ''}, found ${found.length}`);
      return found[0] as Resource;
    },
    appSettings() {
      const config = resources('Microsoft.Web/sites/config').find((r) => String(r.name).endsWith('/appsettings'));
      if (!config) throw new Error('no appsettings resource');
      // The snapshot inlines the channel secrets module's output here, with its secure parameters
      // left unevaluated (a snapshot never evaluates a secure value): they are bound from this mode.
      const scope = mainScope();
      return evaluate(config.properties, { ...scope, parameters: { ...moduleParams('channelSecrets'), ...scope.parameters } }) as Record<string, ArmValue>;
    },
    output(name) {
      if (!(name in snapshot.outputs)) throw new Error(`no output ${name}`);
      return evaluate(snapshot.outputs[name], mainScope());
    },
    graphProperties(resource, module, environment) {
      const nested = (moduleResource(main, module).properties as Json).template as Template;
      const scope = { parameters: moduleParams(module), variables: nested.variables ?? {}, tenantId: SCOPE.tenantId, subscriptionId: SCOPE.subscriptionId, reference, ...(environment ? { environment } : {}) };
      return evaluate(resource.properties, scope) as Record<string, ArmValue>;
    },
  };
}

/** The compiled main template (ARM JSON), for checks over every module. */
export function compiledMain(): Template {
  return mainTemplate();
}
