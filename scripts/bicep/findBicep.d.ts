// Types of findBicep.js for the TypeScript tests.
export const BICEP_VERSION: string;
export const HOW_TO_GET_BICEP: string;
export function findBicep(options?: { env?: Record<string, string | undefined>; log?: (line: string) => void }): { path: string; version: string; source: string } | undefined;
export function cacheDir(env?: Record<string, string | undefined>): string;
export function writeAtomically(path: string, content: string): void;
