import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import chromium from '@sparticuz/chromium';
import { startAzurite } from './azurite';
import { setupTestCa } from './testCa';

/**
 * Runs once in Jest's parent process, before any worker starts: makes the throw-away test CA (and a
 * loopback server certificate signed by it) and starts Azurite (Table and Queue). Workers inherit the
 * environment set here, so NODE_EXTRA_CA_CERTS is in force when they boot.
 */
export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'apns-monitor-test-'));
  process.env.APNS_TEST_DIR = dir;
  // Azurite boots in its own processes while this one makes the CA and unpacks Chromium.
  const starting = startAzurite(dir);
  // Marked as handled at once: a failed start is rethrown below, after the other preparations.
  starting.catch(() => undefined);
  try {
    await prepare(dir);
  } catch (error) {
    await starting.then((azurite) => azurite.stop(), () => undefined);
    throw error;
  }
  const azurite = await starting;
  process.env.APNS_TEST_TABLE_CONNECTION = azurite.connectionString;
  // Both endpoints, as AzureWebJobsStorage has them in Azure (state tables and the fleet queue).
  process.env.APNS_TEST_STORAGE_CONNECTION = azurite.storageConnectionString;
  (globalThis as Record<string, unknown>).__APNS_AZURITE__ = azurite;
}

async function prepare(dir: string): Promise<void> {
  const ca = await setupTestCa(dir);
  process.env.NODE_EXTRA_CA_CERTS = ca.caCertPath;
  process.env.APNS_TEST_CA_CERT = ca.caCertPath;
  process.env.APNS_TEST_SERVER_CERT = ca.serverCertPath;
  process.env.APNS_TEST_SERVER_KEY = ca.serverKeyPath;
  // Chromium for the status-page tests: extracted here, once, so the workers never race on /tmp.
  process.env.APNS_TEST_CHROMIUM = await chromium.executablePath();
}
