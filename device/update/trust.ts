/**
 * The device's trust document: which keys may sign which kind of update, and which are revoked.
 * Root keys (kept offline) sign the document; release keys (used by the build) sign bundles.
 * A new trust document replaces the old one only if it has a higher version and is signed by
 * the current root keys (threshold of them): that is how release keys are rotated and revoked,
 * and how the root itself is rotated (the new document names new root keys, signed by the old).
 * See docs/updates.md.
 */
import { canonicalJson } from './canonical-json.js';
import { UpdateRefused } from './errors.js';
import { signBytes, verifyBytes } from './keys.js';
import type { KeyObject } from 'node:crypto';

export type UpdateKind = 'software' | 'models' | 'firmware';

export interface TrustedKey {
  keyId: string;
  /** Raw Ed25519 public key, base64. */
  publicKey: string;
  /** What this key may sign (release keys only). */
  scopes?: UpdateKind[];
  /** ISO date after which signatures by this key are not accepted. */
  notAfter?: string;
}

export interface TrustBody {
  format: 1;
  version: number;
  /** ISO date after which this document must be replaced (protection against freeze attacks). */
  expires: string;
  threshold: number;
  rootKeys: TrustedKey[];
  releaseKeys: TrustedKey[];
  revoked: string[];
}

export interface Signature {
  keyId: string;
  sig: string;
}

export interface TrustDocument {
  body: TrustBody;
  signatures: Signature[];
}

export function signTrust(body: TrustBody, rootKeys: Array<{ keyId: string; key: KeyObject }>): TrustDocument {
  const bytes = Buffer.from(canonicalJson(body));
  return { body, signatures: rootKeys.map((k) => ({ keyId: k.keyId, sig: signBytes(k.key, bytes) })) };
}

/** Distinct keys among `keys` (not revoked) with a valid signature over `bytes`. */
export function validSigners(bytes: Buffer, signatures: Signature[], keys: TrustedKey[], revoked: string[]): string[] {
  const ok = new Set<string>();
  for (const s of signatures) {
    const key = keys.find((k) => k.keyId === s.keyId);
    if (!key || revoked.includes(s.keyId)) continue;
    if (verifyBytes(key.publicKey, bytes, s.sig)) ok.add(s.keyId);
  }
  return [...ok];
}

/** Checks that a trust document is signed by its own root keys (the first document a device gets at provisioning). */
export function checkSelfSigned(doc: TrustDocument): void {
  const signers = validSigners(Buffer.from(canonicalJson(doc.body)), doc.signatures, doc.body.rootKeys, doc.body.revoked);
  if (signers.length < doc.body.threshold) {
    throw new UpdateRefused('bad-trust-update', `trust document v${doc.body.version} has ${signers.length} valid root signatures, needs ${doc.body.threshold}`);
  }
}

/** The document that replaces `current`, or a refusal. */
export function acceptTrustUpdate(current: TrustDocument, candidate: TrustDocument, now = new Date()): TrustDocument {
  const c = candidate.body;
  if (c.format !== 1) throw new UpdateRefused('bad-trust-update', `unknown trust document format ${String(c.format)}`);
  if (!(c.version > current.body.version)) {
    throw new UpdateRefused('bad-trust-update', `trust document v${c.version} does not replace v${current.body.version} (versions only go up)`);
  }
  if (new Date(c.expires) <= now) throw new UpdateRefused('bad-trust-update', `trust document v${c.version} expired on ${c.expires}`);
  const bytes = Buffer.from(canonicalJson(c));
  const byCurrentRoot = validSigners(bytes, candidate.signatures, current.body.rootKeys, c.revoked);
  if (byCurrentRoot.length < current.body.threshold) {
    throw new UpdateRefused('bad-trust-update', `trust document v${c.version} is signed by ${byCurrentRoot.length} current root keys, needs ${current.body.threshold}`);
  }
  checkSelfSigned(candidate);
  return candidate;
}

type PublicEntry = { keyId: string; publicKey: string };

export function newTrustBody(root: PublicEntry[], release: PublicEntry[], opts: { version?: number; expires: string; threshold?: number; scopes?: UpdateKind[] }): TrustBody {
  return {
    format: 1,
    version: opts.version ?? 1,
    expires: opts.expires,
    threshold: opts.threshold ?? 1,
    rootKeys: root.map((k) => ({ keyId: k.keyId, publicKey: k.publicKey })),
    releaseKeys: release.map((k) => ({ keyId: k.keyId, publicKey: k.publicKey, scopes: opts.scopes ?? ['software', 'models', 'firmware'] })),
    revoked: [],
  };
}
