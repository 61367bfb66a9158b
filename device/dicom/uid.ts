/**
 * DICOM UIDs under the 2.25 arc (PS3.5 B.2): a UUID written as one decimal integer. Random ones
 * for new objects; name-based ones (UUID version 5) where the same input must give the same UID,
 * e.g. the SR's tracking UIDs when an interrupted "finish" is completed after a crash.
 */
import { createHash, randomUUID } from 'node:crypto';

export function newUid(): string {
  return uuidToUid(randomUUID());
}

/** The same (namespace, name) always gives the same UID. */
export function uidFromName(namespace: string, name: string): string {
  const h = createHash('sha1').update(namespace).update('\0').update(name).digest();
  h[6] = (h[6]! & 0x0f) | 0x50; // version 5
  h[8] = (h[8]! & 0x3f) | 0x80; // RFC 4122 variant
  return uuidToUid(h.subarray(0, 16).toString('hex'));
}

function uuidToUid(uuid: string): string {
  return '2.25.' + BigInt('0x' + uuid.replace(/-/g, '')).toString(10);
}

const UID_SYNTAX = /^(0|[1-9]\d*)(\.(0|[1-9]\d*))*$/;

export function isValidUid(uid: string): boolean {
  return uid.length > 0 && uid.length <= 64 && UID_SYNTAX.test(uid);
}
