import { hostname, userInfo } from 'node:os';

/**
 * The person at this computer, as `user@host`: who the CLI and the local page record in the audit
 * trail and on renewal proposals (the same person through both: see `personKey`).
 */
export function osUser(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.USERNAME ?? 'unknown user'; // no passwd entry (containers)
  }
  return `${user}@${hostname()}`;
}
