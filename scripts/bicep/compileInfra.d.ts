// Types of compileInfra.js for the TypeScript tests (test/infra).
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  level: 'Error' | 'Warning' | 'Info';
  code: string;
  message: string;
  /** `file:line:column: Level code: message`, relative to the repository. */
  text: string;
}
export interface BicepTool {
  path: string;
  version: string;
  source: string;
}
export interface CheckResult {
  diagnostics: Diagnostic[];
  failures: string[];
  templatePath: string;
  files: string[];
  bicep: BicepTool;
}
export interface Snapshot {
  predictedResources: Record<string, unknown>[];
  diagnostics: string[];
  outputs: Record<string, unknown>;
}
export interface Options {
  root?: string;
  env?: Record<string, string | undefined>;
  log?: (line: string) => void;
}
export class BicepMissing extends Error {}
export const SNAPSHOT_SCOPE: { subscriptionId: string; tenantId: string; location: string };
export function checkInfra(options?: Options): CheckResult;
export function compiledTemplate(options?: Options): Record<string, unknown>;
export function snapshotOf(params: Record<string, string>, options?: Options): Snapshot;
export function diagnosticsOf(text: string, root: string): Diagnostic[];
