import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite } from './azurite';
import { setupTestCa } from './testCa';

/**
 * Runs once in Jest's parent process, before any worker starts: makes the throw-away test CA (and a
 * loopback server certificate signed by it) and starts Azurite. Workers inherit the environment set
 * here, so NODE_EXTRA_CA_CERTS is in force when they boot.
 */
export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'apns-monitor-test-'));
  process.env.APNS_TEST_DIR = dir;
  const ca = await setupTestCa(dir);
  process.env.NODE_EXTRA_CA_CERTS = ca.caCertPath;
  process.env.APNS_TEST_CA_CERT = ca.caCertPath;
  process.env.APNS_TEST_SERVER_CERT = ca.serverCertPath;
  process.env.APNS_TEST_SERVER_KEY = ca.serverKeyPath;
  const azurite = await startAzurite(dir);
  process.env.APNS_TEST_TABLE_CONNECTION = azurite.connectionString;
  (globalThis as Record<string, unknown>).__APNS_AZURITE__ = azurite;
}
