import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'puppeteer-core';

declare const document: { title: string };

/**
 * Another web site the person at this computer happens to open: its page runs a script (the attack
 * of issue 16 on `apns-monitor serve`). It is served from `localhost`, which Chromium resolves itself
 * and treats as another site than 127.0.0.1, so the browser marks its requests `Sec-Fetch-Site: cross-site`.
 */
export interface OtherSite {
  origin: string;
  /** Opens its page in `browser`, running `request` (a promise-valued expression), and waits until the request was sent. */
  visit(browser: Browser, request: string): Promise<void>;
  close(): Promise<void>;
}

export async function startOtherSite(): Promise<OtherSite> {
  let script = '';
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>cute cats</title><script>${script}</script>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    async visit(browser, request) {
      script = `${request}.then(() => { document.title = 'sent'; }, () => { document.title = 'sent'; });`;
      const page = await browser.newPage();
      try {
        await page.goto(`${origin}/cats`);
        await page.waitForFunction(() => document.title === 'sent');
      } finally {
        await page.close();
      }
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
