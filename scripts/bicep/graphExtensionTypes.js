'use strict';
/**
 * The Microsoft Graph Bicep types this project's infra uses — and only those — so that the real
 * Bicep compiler can type-check the Graph modules offline. `infra/bicepconfig.json` names the real
 * extension (`br:mcr.microsoft.com/bicep/extensions/microsoftgraph/v1.0:1.0.0`), which azd restores
 * from MCR; here MCR is out of reach, so `npm run infra:check` publishes these types as a local
 * extension package (`bicep publish-extension`) and compiles against it.
 *
 * Written from the definitions of microsoftgraph/msgraph-bicep-types, extension "MicrosoftGraph"
 * version 1.0.0, API v1.0 (generated/microsoftgraph/microsoft.graph/v1.0/1.0.0/types.json, commit
 * bc4390567a8808286eb5e48815fda8ebd6e9eea8): same type names, property names and flags for the
 * properties kept; descriptions are ours. A property the infra starts to use must be added here
 * first (the compiler then rejects a typo or a read-only property being set, as with the real types).
 */

/** bicep-types ObjectTypePropertyFlags. */
const FLAG = { required: 1, readOnly: 2, writeOnly: 4, deployTimeConstant: 8, identifier: 16 };

const GUID_PATTERN = '^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$';
const string = { kind: 'string' };
const guid = { kind: 'guid' };
const bool = { kind: 'bool' };
const arrayOf = (item) => ({ kind: 'array', item });
const object = (name, properties) => ({ kind: 'object', name, properties });
/** A property: its type, flags by name, and what it means. */
const prop = (type, flags, description) => ({ type, flags, description });

const relationship = object('MicrosoftGraphRelationship', {
  relationshipSemantics: prop({ kind: 'union', literals: ['append', 'replace'], open: true }, [], "'append' adds the listed objects to the existing ones; 'replace' makes the list exact."),
  relationships: prop(arrayOf(string), ['required'], 'Object ids of the related directory objects.'),
});

const appRole = object('MicrosoftGraphAppRole', {
  allowedMemberTypes: prop(arrayOf(string), [], 'Who may be assigned the role: User, Application, or both.'),
  description: prop(string, [], 'Shown where the role is assigned or consented.'),
  displayName: prop(string, [], 'Name of the role shown to people.'),
  id: prop(guid, [], 'Unique identifier of the role within the application.'),
  isEnabled: prop(bool, [], 'Must be true while the role exists.'),
  origin: prop(string, ['readOnly'], 'Where the role is defined (application or service principal).'),
  value: prop(string, [], 'The value in the roles claim of tokens.'),
});

const permissionScope = object('MicrosoftGraphPermissionScope', {
  adminConsentDescription: prop(string, [], 'Description shown to an administrator consenting for everyone.'),
  adminConsentDisplayName: prop(string, [], 'Title shown to an administrator.'),
  id: prop(guid, [], 'Unique identifier of the delegated permission.'),
  isEnabled: prop(bool, [], 'Must be true while the permission exists.'),
  type: prop(string, [], 'User or Admin: who may consent.'),
  userConsentDescription: prop(string, [], 'Description shown to a user consenting for themself.'),
  userConsentDisplayName: prop(string, [], 'Title shown to a user.'),
  value: prop(string, [], 'The value in the scp claim of tokens.'),
});

const resourceAccess = object('MicrosoftGraphResourceAccess', {
  id: prop(guid, [], 'Id of an app role (application permission) or permission scope (delegated permission) of the resource.'),
  type: prop(string, [], "'Role' for an application permission, 'Scope' for a delegated one."),
});

const requiredResourceAccess = object('MicrosoftGraphRequiredResourceAccess', {
  resourceAccess: prop(arrayOf(resourceAccess), [], 'The permissions the application needs on that resource.'),
  resourceAppId: prop(string, [], 'Application id of the resource (Microsoft Graph: 00000003-0000-0000-c000-000000000000).'),
});

const implicitGrantSettings = object('MicrosoftGraphImplicitGrantSettings', {
  enableAccessTokenIssuance: prop(bool, [], 'Whether the implicit flow may return an access token.'),
  enableIdTokenIssuance: prop(bool, [], 'Whether the implicit flow may return an ID token.'),
});

const webApplication = object('MicrosoftGraphWebApplication', {
  homePageUrl: prop(string, [], 'Home page of the application.'),
  implicitGrantSettings: prop(implicitGrantSettings, [], 'Tokens the OAuth 2.0 implicit flow may return.'),
  logoutUrl: prop(string, [], 'Where Entra sends front-channel logout requests.'),
  redirectUris: prop(arrayOf(string), [], 'Where Entra may send tokens and authorization codes.'),
});

const directoryObject = {
  deletedDateTime: prop(string, ['readOnly'], 'When the object was deleted; null while it exists.'),
  id: prop(string, ['readOnly'], 'Object id of the directory object.'),
};

/** Each resource type: its body properties (besides `type` and `apiVersion`, added below). */
const RESOURCES = {
  'Microsoft.Graph/applications': object('Microsoft.Graph/applications', {
    appId: prop(string, ['readOnly'], 'Application (client) id Entra assigns.'),
    appRoles: prop(arrayOf(appRole), [], 'Roles the application defines.'),
    description: prop(string, [], 'Description of the application.'),
    displayName: prop(string, ['required'], 'Display name of the application.'),
    identifierUris: prop(arrayOf(string), [], 'Application id URIs.'),
    requiredResourceAccess: prop(arrayOf(requiredResourceAccess), [], 'Permissions the application asks for, per resource.'),
    signInAudience: prop(string, [], 'Which accounts may sign in: AzureADMyOrg, AzureADMultipleOrgs, …'),
    uniqueName: prop(string, ['required', 'deployTimeConstant', 'identifier'], 'Client-provided key that makes the deployment idempotent; cannot change.'),
    web: prop(webApplication, [], 'Settings of a web application.'),
    owners: prop(relationship, [], 'Owners of the application.'),
    ...directoryObject,
  }),
  'Microsoft.Graph/applications/federatedIdentityCredentials': object('Microsoft.Graph/applications/federatedIdentityCredentials', {
    audiences: prop(arrayOf(string), ['required'], 'Audience of the external token (api://AzureADTokenExchange in the public cloud).'),
    description: prop(string, [], 'Description of the credential.'),
    issuer: prop(string, ['required'], 'Issuer of the external token.'),
    name: prop(string, ['required', 'identifier'], '<application uniqueName>/<credential name>.'),
    subject: prop(string, ['required'], 'Subject of the external token (for a managed identity: its principal id).'),
    id: prop(string, ['readOnly'], 'Identifier of the credential.'),
  }),
  'Microsoft.Graph/servicePrincipals': object('Microsoft.Graph/servicePrincipals', {
    appId: prop(string, ['required', 'identifier'], 'Application id of the application this service principal represents.'),
    appRoles: prop(arrayOf(appRole), [], 'Roles the application exposes (application permissions).'),
    displayName: prop(string, [], 'Display name of the service principal.'),
    oauth2PermissionScopes: prop(arrayOf(permissionScope), [], 'Delegated permissions the application exposes.'),
    owners: prop(relationship, [], 'Owners of the service principal.'),
    ...directoryObject,
  }),
  'Microsoft.Graph/oauth2PermissionGrants': object('Microsoft.Graph/oauth2PermissionGrants', {
    clientId: prop(string, ['required'], 'Object id of the client service principal.'),
    consentType: prop(string, ['required'], 'AllPrincipals (for everyone) or Principal (for one user).'),
    principalId: prop(string, [], 'The user, when consentType is Principal.'),
    resourceId: prop(string, ['required'], 'Object id of the resource service principal.'),
    scope: prop(string, [], 'Space-separated delegated permissions.'),
    id: prop(string, ['readOnly'], 'Identifier of the grant.'),
  }),
};

const API_VERSION = 'v1.0';
const SETTINGS = { name: 'MicrosoftGraph', version: '1.0.0', isSingleton: false };

/** Flattens the descriptions above into the bicep-types JSON (an array of types referenced by index). */
function buildTypes() {
  const types = [];
  const refs = new Map(); // one entry per distinct type, keyed by a stable description
  const ref = (index) => ({ $ref: `#/${index}` });
  const add = (key, make) => {
    if (refs.has(key)) return refs.get(key);
    const index = types.length;
    types.push(null); // reserve the slot: objects may refer to themselves
    refs.set(key, index);
    types[index] = make();
    return index;
  };
  const typeOf = (type) => {
    switch (type.kind) {
      case 'string':
        return add('string', () => ({ $type: 'StringType' }));
      case 'guid':
        return add('guid', () => ({ $type: 'StringType', minLength: 36, maxLength: 36, pattern: GUID_PATTERN }));
      case 'bool':
        return add('bool', () => ({ $type: 'BooleanType' }));
      case 'literal':
        return add(`literal:${type.value}`, () => ({ $type: 'StringLiteralType', value: type.value }));
      case 'union': {
        const elements = [...type.literals.map((value) => typeOf({ kind: 'literal', value })), ...(type.open ? [typeOf(string)] : [])];
        return add(`union:${elements.join(',')}`, () => ({ $type: 'UnionType', elements: elements.map(ref) }));
      }
      case 'array': {
        const item = typeOf(type.item);
        return add(`array:${item}`, () => ({ $type: 'ArrayType', itemType: ref(item) }));
      }
      case 'object':
        return add(`object:${type.name}`, () => ({
          $type: 'ObjectType',
          name: type.name,
          properties: Object.fromEntries(Object.entries(type.properties).map(([name, p]) => [name, propertyOf(p)])),
        }));
      default:
        throw new Error(`unknown type kind ${type.kind}`);
    }
  };
  const propertyOf = (p) => ({
    type: ref(typeOf(p.type)),
    flags: p.flags.reduce((sum, f) => sum | FLAG[f], 0),
    description: p.description,
  });

  const resources = {};
  for (const [name, body] of Object.entries(RESOURCES)) {
    const withHeader = object(body.name, {
      type: prop({ kind: 'literal', value: name }, ['readOnly', 'deployTimeConstant'], 'The resource type'),
      apiVersion: prop({ kind: 'literal', value: API_VERSION }, ['readOnly', 'deployTimeConstant'], 'The resource api version'),
      ...body.properties,
    });
    const bodyIndex = typeOf(withHeader);
    const index = types.length;
    types.push({ $type: 'ResourceType', name: `${name}@${API_VERSION}`, scopeType: 0, body: ref(bodyIndex), flags: 0 });
    resources[`${name}@${API_VERSION}`] = { $ref: `types.json#/${index}` };
  }
  const configuration = typeOf(object('MicrosoftGraphBicepExtensionConfig', { relationshipSemantics: relationship.properties.relationshipSemantics }));
  const index = { resources, resourceFunctions: {}, settings: { ...SETTINGS, configurationType: { $ref: `types.json#/${configuration}` } } };
  return { index, types };
}

module.exports = { buildTypes, RESOURCE_TYPES: Object.keys(RESOURCES).map((n) => `${n}@${API_VERSION}`), EXTENSION: SETTINGS };
