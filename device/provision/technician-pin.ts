/**
 * The technician PIN: stored only as a scrypt hash (N = 2^15), compared in constant time, and
 * rate-limited — five wrong attempts lock the maintenance mode for a minute, doubling after that.
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

export interface PinHash {
  algorithm: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  hash: string;
}

const PARAMS = { N: 1 << 15, r: 8, p: 1 };
const MAX_MEM = 64 * 1024 * 1024;

export function hashPin(pin: string): PinHash {
  if (!/^\d{6,12}$/.test(pin)) throw new RangeError('a technician PIN is 6 to 12 digits');
  const salt = randomBytes(16);
  const hash = scryptSync(pin, salt, 32, { ...PARAMS, maxmem: MAX_MEM });
  return { algorithm: 'scrypt', ...PARAMS, salt: salt.toString('base64'), hash: hash.toString('base64') };
}

export function pinMatches(pin: string, stored: PinHash): boolean {
  const expected = Buffer.from(stored.hash, 'base64');
  const actual = scryptSync(pin, Buffer.from(stored.salt, 'base64'), expected.length, { N: stored.N, r: stored.r, p: stored.p, maxmem: MAX_MEM });
  return timingSafeEqual(actual, expected);
}

/** Counts failures and says how long to wait; in memory (a restart does not reset it faster than a minute of waiting would). */
export class PinRateLimiter {
  private failures = 0;
  private lockedUntilMs = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Milliseconds until the next attempt is allowed (0: now). */
  waitMs(): number {
    return Math.max(0, this.lockedUntilMs - this.now());
  }

  record(success: boolean): void {
    if (success) {
      this.failures = 0;
      return;
    }
    this.failures++;
    if (this.failures >= 5) this.lockedUntilMs = this.now() + 60_000 * 2 ** Math.min(6, this.failures - 5);
  }
}
