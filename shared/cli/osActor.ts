import { hostname, userInfo } from 'node:os';

/** The person at this computer, `user@host`: who acted, for the audit trail and the page's greeting. */
export function osUser(): string {
  let user = 'unknown user';
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.USERNAME ?? user; // no passwd entry (containers)
  }
  return `${user}@${hostname()}`;
}

/** Who acted through the command line: `user@host (CLI)`. */
export function osActor(): string {
  return `${osUser()} (CLI)`;
}
