import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser } from 'puppeteer-core';

// Nothing may leave the machine: no component updates, no field trials, no sync, no first-run pings.
const QUIET_FLAGS = ['--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

/**
 * One headless Chromium per test file (the binary of @sparticuz/chromium, extracted once by
 * globalSetup into APNS_TEST_CHROMIUM, so two workers never race on the extraction), with a new
 * empty profile that is deleted on close.
 */
export async function launchBrowser(): Promise<Browser & { closeAndClean(): Promise<void> }> {
  const executablePath = process.env.APNS_TEST_CHROMIUM;
  if (!executablePath) throw new Error('APNS_TEST_CHROMIUM is not set: test/support/globalSetup.ts extracts Chromium before the workers start');
  const userDataDir = mkdtempSync(join(tmpdir(), 'apns-chromium-profile-'));
  const browser = await puppeteer.launch({
    executablePath,
    headless: 'shell',
    args: [...chromium.args, ...QUIET_FLAGS],
    userDataDir,
    // Jest owns the process: no SIGINT/SIGTERM handlers per file, and a pipe instead of a port.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    pipe: true,
  });
  return Object.assign(browser, {
    async closeAndClean() {
      await browser.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  });
}
