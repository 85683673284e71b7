import dns from 'node:dns';

/**
 * Resolves `*.localhost` to 127.0.0.1 in this process. glibc does not, and Key Vault's client only
 * accepts a challenge whose resource host is a parent of the vault host — so the simulated vault
 * lives at `https://vault.localhost:<port>` with resource `https://localhost` (SPEC §7). Used by
 * the tests and the demo only; production never calls it.
 */
let installed = false;

export function installLoopbackDns(): void {
  if (installed) return;
  installed = true;
  const original = dns.lookup;
  const patched = function lookup(hostname: string, options: unknown, callback?: unknown): void {
    const cb = (typeof options === 'function' ? options : callback) as (...args: unknown[]) => void;
    const opts = (typeof options === 'object' && options !== null ? options : {}) as { all?: boolean };
    if (typeof hostname === 'string' && /\.localhost\.?$/i.test(hostname)) {
      if (opts.all) process.nextTick(cb, null, [{ address: '127.0.0.1', family: 4 }]);
      else process.nextTick(cb, null, '127.0.0.1', 4);
      return;
    }
    (original as (...args: unknown[]) => void).call(dns, hostname, options, callback);
  };
  dns.lookup = patched as typeof dns.lookup;
}
