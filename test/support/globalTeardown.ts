import { rmSync } from 'node:fs';
import type { RunningAzurite } from './azurite';

export default async function globalTeardown(): Promise<void> {
  const azurite = (globalThis as Record<string, unknown>).__APNS_AZURITE__ as RunningAzurite | undefined;
  await azurite?.stop();
  const dir = process.env.APNS_TEST_DIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
}
