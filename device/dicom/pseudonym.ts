/**
 * Pseudonyms for patients: PatientID = `PLP-` + the first 16 hex digits of
 * HMAC-SHA256(site key, real identifier). The key is 32 random bytes in a file on the device
 * (mode 0600) that is never sent anywhere; the same key on every device of a site gives the
 * same pseudonym for the same patient, so a reviewer sees one patient across devices, and only
 * someone holding the key and the real identifier can link them.
 */
import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const PSEUDONYM_PREFIX = 'PLP-';
const KEY_BYTES = 32;

export class SiteKeyError extends Error {
  override name = 'SiteKeyError';
}

export function pseudonymize(realId: string, siteKey: Buffer): string {
  const normalized = realId.trim().toUpperCase();
  const h = createHmac('sha256', siteKey).update(normalized, 'utf8').digest('hex');
  return PSEUDONYM_PREFIX + h.slice(0, 16).toUpperCase();
}

/** Reads the site key, creating it (random, mode 0600) on first use. */
export function loadOrCreateSiteKey(file: string): Buffer {
  try {
    const key = fs.readFileSync(file);
    if (key.length < KEY_BYTES) throw new SiteKeyError(`site key ${file} is ${key.length} bytes, expected at least ${KEY_BYTES}; restore it from the site's backup`);
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(KEY_BYTES);
  try {
    fs.writeFileSync(file, key, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    // Another thread created it first: use theirs, so everyone pseudonymizes alike.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return fs.readFileSync(file);
    throw err;
  }
  return key;
}

/** A stable UID for "this device" as an SR observer, derived one-way from the site key. */
export function deviceObserverSeed(siteKey: Buffer): string {
  return createHmac('sha256', siteKey).update('pleura device observer').digest('hex');
}
