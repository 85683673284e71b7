import { readFileSync } from 'node:fs';
import { AppError } from '../domain/errors';

/**
 * Reads the `Values` of a Functions `local.settings.json`, so the CLI runs with the same settings as
 * `func start` would. A missing file is fine (undefined); a broken one is a clear error.
 */
export function readLocalSettings(path: string): Record<string, string> | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AppError('config_invalid', `Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AppError('config_invalid', `${path} is not valid JSON.`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new AppError('config_invalid', `${path} must hold a JSON object.`);
  const file = parsed as { IsEncrypted?: unknown; Values?: unknown };
  if (file.IsEncrypted === true) {
    throw new AppError('config_invalid', `${path} is encrypted; decrypt it with "func settings decrypt" or set the values in the environment.`);
  }
  if (file.Values === undefined) return {};
  if (typeof file.Values !== 'object' || file.Values === null || Array.isArray(file.Values)) {
    throw new AppError('config_invalid', `${path}: "Values" must be an object of strings.`);
  }
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(file.Values)) {
    if (typeof value !== 'string') throw new AppError('config_invalid', `${path}: Values.${key} must be a string.`);
    values[key] = value;
  }
  return values;
}
