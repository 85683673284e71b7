import { defaultStateFilePath } from '../adapters/state/fileStateStore';
import type { AppConfig, Env } from '../config/loadConfig';

/**
 * The CLI keeps state where the Functions do when Table Storage is configured; otherwise, or when
 * `--state-file` is given, in a JSON file (default: the user's state directory).
 */
export function resolveStateFile(config: AppConfig, env: Env, flag: string | undefined): string | undefined {
  if (flag) return flag;
  if (config.state.connection) return undefined;
  return defaultStateFilePath(env);
}
