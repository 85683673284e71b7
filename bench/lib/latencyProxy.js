'use strict';
// A loopback TCP proxy that puts a round-trip time on everything, handshakes included: every chunk
// is held half the RTT in each direction, and nothing the client sends leaves before one RTT after
// it connected (the TCP SYN / SYN-ACK a real network would have cost). So a fresh HTTPS request
// pays TCP (1 RTT) + TLS 1.3 (1 RTT) + the request (1 RTT), and a request on an open connection 1 RTT.
// It also counts the connections it accepts, with their time, for the figures.
const { performance } = require('node:perf_hooks');
const { setTimeout } = require('node:timers');
const net = require('node:net');

const now = () => performance.timeOrigin + performance.now();

/** Forwards chunks in order, each no earlier than its due time. */
function delayedPipe(write) {
  const queue = [];
  let timer;
  const drain = () => {
    timer = undefined;
    while (queue.length > 0 && queue[0].at <= now()) queue.shift().send();
    if (queue.length > 0) timer = setTimeout(drain, Math.max(0, queue[0].at - now()));
  };
  return (at, chunk) => {
    queue.push({ at, send: () => write(chunk) });
    if (!timer) timer = setTimeout(drain, Math.max(0, at - now()));
  };
}

/**
 * Listens on `listenHost:listenPort` (0 = any) and forwards to `targetHost:targetPort`. Using the
 * target's own port on another loopback address (127.0.0.2) keeps the simulator's origin, and so
 * the token audience, the same apart from the address.
 */
async function startLatencyProxy({ targetPort, targetHost = '127.0.0.1', listenHost = '127.0.0.2', listenPort = targetPort, rttMs = 0 }) {
  let rtt = rttMs;
  const connections = []; // accept times (epoch ms)
  const sockets = new Set();
  const server = net.createServer((client) => {
    const acceptedAt = now();
    connections.push(acceptedAt);
    client.setNoDelay(true);
    const upstream = net.connect({ port: targetPort, host: targetHost, noDelay: true });
    sockets.add(client).add(upstream);
    if (rtt === 0) {
      // No latency: a plain pipe (the proxy only counts connections).
      const close = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
      client.pipe(upstream).pipe(client);
      return;
    }
    const rttMs = rtt;
    const half = rttMs / 2;
    const up = delayedPipe((chunk) => (chunk === null ? upstream.end() : upstream.write(chunk)));
    const down = delayedPipe((chunk) => (chunk === null ? client.end() : client.write(chunk)));
    const upAt = () => Math.max(now(), acceptedAt + rttMs) + half;
    client.on('data', (chunk) => up(upAt(), chunk));
    client.on('end', () => up(upAt(), null));
    upstream.on('data', (chunk) => down(now() + half, chunk));
    upstream.on('end', () => down(now() + half, null));
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', () => setTimeout(close, half));
    upstream.on('error', close).on('close', () => setTimeout(close, half));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, listenHost, resolve);
  });
  return {
    host: listenHost,
    port: server.address().port,
    get rttMs() {
      return rtt;
    },
    /** Applies to connections accepted from now on. */
    setRtt(ms) {
      rtt = ms;
    },
    connections,
    /** Connections accepted in [from, to] (epoch ms). */
    connectionsBetween: (from, to) => connections.filter((t) => t >= from && t <= to).length,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

module.exports = { startLatencyProxy };
