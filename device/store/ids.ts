/** Short, readable, unguessable ids: exams `E20250114-7K3Q9A`, clips `C…`, findings `F…`. */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32: no I, L, O, U

function base32(n: number): string {
  const bytes = randomBytes(n);
  let s = '';
  for (const b of bytes) s += ALPHABET[b & 31];
  return s;
}

export function newExamId(now: Date): string {
  return `E${now.toISOString().slice(0, 10).replace(/-/g, '')}-${base32(6)}`;
}

export function newClipId(): string {
  return `C${base32(12)}`;
}

export function newFindingId(): string {
  return `F${base32(12)}`;
}

export const EXAM_ID_PATTERN = /^E\d{8}-[0-9A-Z]{6}$/;
export const CLIP_ID_PATTERN = /^C[0-9A-Z]{12}$/;
