'use strict';
// A cold check's two batches on a fresh process, transport only (issue 20: "drop the one-connection
// target, or serve both batches over one HTTP/2 connection if that is faster — measure both"):
// - h1: two concurrent POSTs with Node's fetch (HTTP/1.1, as the product sends them): two connections,
//   each TCP + TLS + request, in parallel;
// - h2: one HTTP/2 connection (node:http2), both POSTs as concurrent streams on it.
// argv: mode, origin. Prints the wall time (first byte sent → both answers read) and connections opened.
const { performance } = require('node:perf_hooks');
const http2 = require('node:http2');

const body = JSON.stringify({ requests: [{ id: 'apns', method: 'GET', url: '/deviceManagement/applePushNotificationCertificate' }] });

async function h1(origin) {
  const post = async (version) => (await fetch(`${origin}/${version}/$batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).text();
  await Promise.all([post('v1.0'), post('beta')]);
}

function h2(origin) {
  return new Promise((resolve, reject) => {
    const session = http2.connect(origin);
    session.on('error', reject);
    let left = 2;
    for (const version of ['v1.0', 'beta']) {
      const stream = session.request({ ':method': 'POST', ':path': `/${version}/$batch`, 'content-type': 'application/json' });
      stream.setEncoding('utf8');
      stream.on('data', () => undefined);
      stream.on('error', reject);
      stream.on('end', () => {
        if (--left === 0) {
          session.close();
          resolve();
        }
      });
      stream.end(body);
    }
  });
}

async function run() {
  const [mode, origin] = process.argv.slice(2);
  const t0 = performance.now();
  await (mode === 'h2' ? h2(origin) : h1(origin));
  process.stdout.write(`${JSON.stringify({ mode, wallMs: performance.now() - t0 })}\n`);
}

run().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error.stack || error}\n`);
    process.exit(1);
  },
);
