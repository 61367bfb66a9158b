/**
 * Ed25519 keys from node:crypto. A key is named by its id: the first 16 bytes of the SHA-256 of
 * the raw 32-byte public key, in hex. Private keys live as PKCS#8 PEM files readable by their
 * owner only; on a device there are only public keys (in the trust document).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import fs from 'node:fs';

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface KeyPairFiles {
  keyId: string;
  publicKey: string;
  privateKeyPem: string;
}

export function rawPublicKey(key: KeyObject): Buffer {
  const der = key.export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32);
}

export function keyIdOf(rawPublic: Buffer): string {
  return createHash('sha256').update(rawPublic).digest('hex').slice(0, 32);
}

export function publicKeyFromBase64(b64: string): KeyObject {
  const raw = Buffer.from(b64, 'base64');
  if (raw.length !== 32) throw new RangeError(`an Ed25519 public key has 32 bytes, got ${raw.length}`);
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

export function generateKeyPair(): KeyPairFiles {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = rawPublicKey(publicKey);
  return { keyId: keyIdOf(raw), publicKey: raw.toString('base64'), privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() };
}

export function loadPrivateKey(file: string): { key: KeyObject; keyId: string } {
  const key = createPrivateKey(fs.readFileSync(file));
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${file} is a ${key.asymmetricKeyType} key; release keys are Ed25519`);
  return { key, keyId: keyIdOf(rawPublicKey(createPublicKey(key))) };
}

/** The public half of a private key, as it is listed in a trust document. */
export function publicEntryOf(key: KeyObject): { keyId: string; publicKey: string } {
  const raw = rawPublicKey(createPublicKey(key));
  return { keyId: keyIdOf(raw), publicKey: raw.toString('base64') };
}

export function signBytes(key: KeyObject, bytes: Buffer): string {
  return sign(null, bytes, key).toString('base64');
}

export function verifyBytes(publicKeyB64: string, bytes: Buffer, signatureB64: string): boolean {
  try {
    return verify(null, bytes, publicKeyFromBase64(publicKeyB64), Buffer.from(signatureB64, 'base64'));
  } catch {
    return false;
  }
}

/** Writes a private key so that only its owner can read it. */
export function writePrivateKey(file: string, pem: string): void {
  fs.writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
}
