/**
 * The update bundle file (docs/updates.md):
 *
 *   "PLBUNDL1" | u32 LE manifest length | manifest (canonical JSON) |
 *   u32 LE signatures length | signatures (JSON array) | file 1 | file 2 | …
 *
 * The manifest lists every file with its size and SHA-256, so a reader never trusts a length it
 * has not checked and never reads past what the signed manifest declares (an endless-data
 * attack is a "bad-size" refusal, not a full disk). Signatures are over the manifest bytes.
 */
import type { FileHandle } from 'node:fs/promises';
import { z } from 'zod';
import { UpdateRefused } from './errors.js';
import type { Signature, UpdateKind } from './trust.js';
import { isVersion } from './version.js';

export const BUNDLE_MAGIC = Buffer.from('PLBUNDL1', 'ascii');
export const MAX_MANIFEST_BYTES = 1 << 20;
export const MAX_SIGNATURES_BYTES = 64 << 10;
export const MAX_BUNDLE_BYTES = 8 * 2 ** 30;

const SAFE_PATH = /^(?!\/)(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9._+\-/]{1,255}$/;

const manifestSchema = z.object({
  format: z.literal(1),
  kind: z.enum(['software', 'models', 'firmware']),
  name: z.string().min(1).max(64),
  version: z.string().refine(isVersion, 'MAJOR.MINOR.PATCH'),
  minReplaceableVersion: z.string().refine(isVersion, 'MAJOR.MINOR.PATCH'),
  hardware: z.array(z.string().min(1).max(64)).min(1).max(32),
  created: z.iso.datetime(),
  expires: z.iso.datetime(),
  files: z
    .array(z.object({ path: z.string().regex(SAFE_PATH, 'a relative path without . or .. parts'), size: z.number().int().min(0).max(MAX_BUNDLE_BYTES), sha256: z.string().regex(/^[0-9a-f]{64}$/), mode: z.number().int().min(0).max(0o777).optional() }))
    .max(20_000),
});

export type BundleManifest = z.infer<typeof manifestSchema> & { kind: UpdateKind };
export type BundleFileEntry = BundleManifest['files'][number];

export interface BundleHeader {
  manifest: BundleManifest;
  manifestBytes: Buffer;
  signatures: Signature[];
  /** Byte offset of each file's content. */
  offsets: number[];
  payloadOffset: number;
  totalBytes: number;
}

async function readExactly(fh: FileHandle, position: number, length: number, fileSize: number, what: string): Promise<Buffer> {
  if (position + length > fileSize) throw new UpdateRefused('truncated', `the bundle ends inside its ${what} (${fileSize} bytes; needs ${position + length}); copy it again`);
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  if (bytesRead !== length) throw new UpdateRefused('truncated', `short read of the ${what}; copy the bundle again`);
  return buf;
}

export async function readBundleHeader(fh: FileHandle): Promise<BundleHeader> {
  const { size: fileSize } = await fh.stat();
  if (fileSize > MAX_BUNDLE_BYTES) throw new UpdateRefused('too-large', `bundle of ${fileSize} bytes exceeds the ${MAX_BUNDLE_BYTES}-byte limit`);
  const magic = await readExactly(fh, 0, 8, fileSize, 'header');
  if (!magic.equals(BUNDLE_MAGIC)) throw new UpdateRefused('not-a-bundle', 'the file does not start with PLBUNDL1: it is not a Pleura update bundle');
  const manifestLength = (await readExactly(fh, 8, 4, fileSize, 'header')).readUInt32LE(0);
  if (manifestLength > MAX_MANIFEST_BYTES) throw new UpdateRefused('bad-manifest', `manifest of ${manifestLength} bytes exceeds ${MAX_MANIFEST_BYTES}`);
  const manifestBytes = await readExactly(fh, 12, manifestLength, fileSize, 'manifest');
  const sigLengthAt = 12 + manifestLength;
  const sigLength = (await readExactly(fh, sigLengthAt, 4, fileSize, 'signature block')).readUInt32LE(0);
  if (sigLength > MAX_SIGNATURES_BYTES) throw new UpdateRefused('bad-manifest', `signature block of ${sigLength} bytes exceeds ${MAX_SIGNATURES_BYTES}`);
  const sigBytes = await readExactly(fh, sigLengthAt + 4, sigLength, fileSize, 'signature block');

  let manifest: BundleManifest;
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(manifestBytes.toString('utf8')));
    if (!parsed.success) throw new Error(z.prettifyError(parsed.error));
    manifest = parsed.data;
  } catch (err) {
    throw new UpdateRefused('bad-manifest', `the manifest is not valid: ${(err as Error).message}`);
  }
  let signatures: Signature[];
  try {
    signatures = z.array(z.object({ keyId: z.string().regex(/^[0-9a-f]{32}$/), sig: z.string().max(128) })).max(16).parse(JSON.parse(sigBytes.toString('utf8')));
  } catch {
    throw new UpdateRefused('bad-manifest', 'the signature block is not valid JSON [{keyId, sig}]');
  }
  const paths = new Set<string>();
  for (const f of manifest.files) {
    if (paths.has(f.path)) throw new UpdateRefused('bad-manifest', `file ${f.path} is listed twice`);
    paths.add(f.path);
  }
  const payloadOffset = sigLengthAt + 4 + sigLength;
  const offsets: number[] = [];
  let end = payloadOffset;
  for (const f of manifest.files) {
    offsets.push(end);
    end += f.size;
  }
  if (fileSize < end) throw new UpdateRefused('truncated', `the bundle has ${fileSize} bytes but its manifest declares ${end}; copy it again`);
  if (fileSize > end) throw new UpdateRefused('bad-size', `the bundle has ${fileSize - end} bytes beyond what its manifest declares`);
  return { manifest, manifestBytes, signatures, offsets, payloadOffset, totalBytes: end };
}

export function bundlePrefix(manifestBytes: Buffer, signatures: Signature[]): Buffer {
  const sig = Buffer.from(JSON.stringify(signatures));
  const head = Buffer.alloc(12);
  BUNDLE_MAGIC.copy(head, 0);
  head.writeUInt32LE(manifestBytes.length, 8);
  const sigLen = Buffer.alloc(4);
  sigLen.writeUInt32LE(sig.length, 0);
  return Buffer.concat([head, manifestBytes, sigLen, sig]);
}
