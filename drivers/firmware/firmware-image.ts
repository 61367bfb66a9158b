/**
 * The signed firmware image (docs/probe-protocol.md, "Bootloader"):
 *   "PLFW" | u16 format 1 | u16 0 | u32 bodyBytes | str model | str version | body |
 *   u8[16] keyId | u8[64] Ed25519 signature over everything before keyId
 * Checked by the host before flashing and by the probe's bootloader before activating.
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { keyIdOf, publicKeyFromBase64, rawPublicKey } from '../../device/update/keys.js';

const MAGIC = Buffer.from('PLFW', 'ascii');
const TRAILER = 16 + 64;
export const MAX_FIRMWARE_BYTES = 4 << 20;

export interface FirmwareImage {
  model: string;
  version: string;
  body: Buffer;
  keyId: string;
  signedBytes: Buffer;
  signature: Buffer;
}

export class FirmwareImageError extends Error {
  override name = 'FirmwareImageError';
}

function str(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16LE(b.length, 0);
  return Buffer.concat([len, b]);
}

export function buildFirmwareImage(model: string, version: string, body: Buffer, privateKeyPem: string): Buffer {
  const key = createPrivateKey(privateKeyPem);
  const head = Buffer.alloc(12);
  MAGIC.copy(head, 0);
  head.writeUInt16LE(1, 4);
  head.writeUInt32LE(body.length, 8);
  const signed = Buffer.concat([head, str(model), str(version), body]);
  const keyId = Buffer.from(keyIdOf(rawPublicKey(createPublicKey(key))), 'hex');
  return Buffer.concat([signed, keyId, sign(null, signed, key)]);
}

export function parseFirmwareImage(bytes: Buffer): FirmwareImage {
  if (bytes.length > MAX_FIRMWARE_BYTES) throw new FirmwareImageError(`image of ${bytes.length} bytes exceeds ${MAX_FIRMWARE_BYTES}`);
  if (bytes.length < 12 + 4 + TRAILER || !bytes.subarray(0, 4).equals(MAGIC)) throw new FirmwareImageError('not a Pleura probe firmware image (no PLFW header)');
  if (bytes.readUInt16LE(4) !== 1) throw new FirmwareImageError(`unknown firmware image format ${bytes.readUInt16LE(4)}`);
  const bodyBytes = bytes.readUInt32LE(8);
  let pos = 12;
  const readStr = (): string => {
    if (pos + 2 > bytes.length) throw new FirmwareImageError('image truncated in its header');
    const n = bytes.readUInt16LE(pos);
    if (pos + 2 + n > bytes.length) throw new FirmwareImageError('image truncated in its header');
    const s = bytes.toString('utf8', pos + 2, pos + 2 + n);
    pos += 2 + n;
    return s;
  };
  const model = readStr();
  const version = readStr();
  if (pos + bodyBytes + TRAILER !== bytes.length) throw new FirmwareImageError(`image is ${bytes.length} bytes, its header declares ${pos + bodyBytes + TRAILER}: truncated or padded`);
  const body = bytes.subarray(pos, pos + bodyBytes);
  const end = pos + bodyBytes;
  return { model, version, body, signedBytes: bytes.subarray(0, end), keyId: bytes.subarray(end, end + 16).toString('hex'), signature: bytes.subarray(end + 16, end + TRAILER) };
}

/** A reason to refuse the image, or null: signature by one of `keys`, the right model. */
export function checkFirmwareImage(image: FirmwareImage, keys: Array<{ keyId: string; publicKey: string }>, model: string): string | null {
  if (image.model !== model) return `image is for probe model ${image.model}, this probe is ${model}`;
  const key = keys.find((k) => k.keyId === image.keyId);
  if (!key) return `image is signed by key ${image.keyId.slice(0, 12)}…, which this probe does not trust`;
  let pub: KeyObject;
  try {
    pub = publicKeyFromBase64(key.publicKey);
  } catch {
    return 'the firmware key is malformed';
  }
  return verify(null, image.signedBytes, pub, image.signature) ? null : 'the image signature does not match its content';
}
