import type { EpochMs } from '../domain/assets';

/** The only source of "now" for use cases, so `--now` and tests can move time. */
export interface Clock {
  now(): EpochMs;
}

export const systemClock: Clock = { now: () => Date.now() };

export function fixedClock(at: EpochMs): Clock {
  return { now: () => at };
}
