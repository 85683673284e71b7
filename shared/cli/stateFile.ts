import { defaultStateFilePath } from '../adapters/state/fileStateStore';
import type { AppConfig, Env } from '../config/loadConfig';
import { loadWatchedConfig } from '../composition/createServices';
import { createHomeCredential } from '../composition/tenantAccess';

/**
 * The CLI keeps state where the Functions do when Table Storage is configured; otherwise, or when
 * `--state-file` is given, in a JSON file (default: the user's state directory).
 */
export function resolveStateFile(config: AppConfig, env: Env, flag: string | undefined): string | undefined {
  if (flag) return flag;
  if (config.state.connection) return undefined;
  return defaultStateFilePath(env);
}

/**
 * The fleet's configuration with its registry read from where the CLI keeps state: for a `--tenant`
 * that may be a registered tenant (`renew`, `csr`). Called only when the setting alone cannot decide.
 */
export function watchedConfigLoader(config: AppConfig, env: Env, flag: string | undefined): () => Promise<AppConfig> {
  return async () => loadWatchedConfig(config, await createHomeCredential(config), resolveStateFile(config, env, flag));
}
