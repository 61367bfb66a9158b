/**
 * Unlocking technician mode: the PIN is checked against the scrypt hash `pleura provision` stored
 * (keys/technician-pin.json), behind the rate limiter (five wrong PINs lock it for a minute,
 * doubling). A correct PIN gives a random session token that expires `sessionMs` later; every
 * maintenance route checks it on the server. Only a hash of each token is kept.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { PinRateLimiter, pinMatches, type PinHash } from '../provision/technician-pin.js';

export type UnlockResult =
  | { ok: true; token: string; expiresAtMs: number }
  | { ok: false; reason: 'wrong-pin' | 'locked' | 'no-pin'; retryAfterMs: number; message: string };

export interface TechnicianAuthOptions {
  /** keys/technician-pin.json; null or missing: technician mode cannot be unlocked (not provisioned). */
  pinFile: string | null;
  sessionMs: number;
  now?: () => number;
}

const MAX_SESSIONS = 8;

export class TechnicianAuth {
  private readonly now: () => number;
  private readonly limiter: PinRateLimiter;
  /** sha256(token) → expiry (epoch ms). */
  private readonly sessions = new Map<string, number>();

  constructor(private readonly opts: TechnicianAuthOptions) {
    this.now = opts.now ?? Date.now;
    this.limiter = new PinRateLimiter(this.now);
  }

  unlock(pin: string): UnlockResult {
    const stored = this.readPinHash();
    if (!stored) return { ok: false, reason: 'no-pin', retryAfterMs: 0, message: 'no technician PIN is set on this device; run pleura provision first' };
    const wait = this.limiter.waitMs();
    if (wait > 0) return { ok: false, reason: 'locked', retryAfterMs: wait, message: `too many wrong PINs; try again in ${Math.ceil(wait / 1000)} s` };
    const ok = /^\d{6,12}$/.test(pin) && pinMatches(pin, stored);
    this.limiter.record(ok);
    if (!ok) {
      const after = this.limiter.waitMs();
      return { ok: false, reason: 'wrong-pin', retryAfterMs: after, message: after > 0 ? `wrong PIN; locked for ${Math.ceil(after / 1000)} s` : 'wrong PIN' };
    }
    this.prune();
    const token = randomBytes(32).toString('base64url');
    const expiresAtMs = this.now() + this.opts.sessionMs;
    this.sessions.set(hashToken(token), expiresAtMs);
    return { ok: true, token, expiresAtMs };
  }

  /** The session's expiry when `token` is valid now, else null. */
  check(token: string | null | undefined): number | null {
    if (!token) return null;
    const key = hashToken(token);
    const expires = this.sessions.get(key);
    if (expires === undefined) return null;
    if (this.now() >= expires) {
      this.sessions.delete(key);
      return null;
    }
    return expires;
  }

  lock(token: string): void {
    this.sessions.delete(hashToken(token));
  }

  private prune(): void {
    const now = this.now();
    for (const [k, exp] of this.sessions) if (now >= exp) this.sessions.delete(k);
    // The oldest sessions give way: a kiosk has one technician at a time.
    while (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
  }

  private readPinHash(): PinHash | null {
    if (!this.opts.pinFile) return null;
    try {
      return JSON.parse(fs.readFileSync(this.opts.pinFile, 'utf8')) as PinHash;
    } catch {
      return null;
    }
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
