// Types of graphExtensionTypes.js for the TypeScript tests.
/** The Microsoft Graph resource types the check's local extension declares, e.g. `Microsoft.Graph/applications@v1.0`. */
export const RESOURCE_TYPES: string[];
export const EXTENSION: { name: string; version: string; isSingleton: boolean };
export function buildTypes(): { index: Record<string, unknown>; types: Record<string, unknown>[] };
