/**
 * Reads each file of a bundle, exactly its declared size from its declared offset, and checks its
 * SHA-256; optionally writes it out (temp → fsync → rename) while hashing, so what is installed
 * is exactly what was verified.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { BundleHeader } from './bundle-format.js';
import { UpdateRefused } from './errors.js';

const CHUNK = 1 << 20;

export async function checkPayload(fh: FileHandle, header: BundleHeader, extractTo?: string): Promise<void> {
  const chunk = Buffer.alloc(CHUNK);
  for (let i = 0; i < header.manifest.files.length; i++) {
    const f = header.manifest.files[i]!;
    const hash = createHash('sha256');
    let out: number | null = null;
    let target = '';
    if (extractTo) {
      target = path.join(extractTo, f.path);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      out = fs.openSync(`${target}.partial`, 'w', f.mode ?? 0o644);
    }
    try {
      let remaining = f.size;
      let pos = header.offsets[i]!;
      while (remaining > 0) {
        const { bytesRead } = await fh.read(chunk, 0, Math.min(CHUNK, remaining), pos);
        if (bytesRead === 0) throw new UpdateRefused('truncated', `${f.path} ends early; copy the bundle again`);
        hash.update(chunk.subarray(0, bytesRead));
        if (out !== null) fs.writeSync(out, chunk, 0, bytesRead);
        remaining -= bytesRead;
        pos += bytesRead;
      }
      const digest = hash.digest('hex');
      if (digest !== f.sha256) throw new UpdateRefused('bad-hash', `${f.path}: SHA-256 ${digest.slice(0, 12)}… does not match the signed manifest's ${f.sha256.slice(0, 12)}…; the bundle was altered or damaged`);
      if (out !== null) fs.fsyncSync(out);
    } catch (err) {
      if (out !== null) fs.rmSync(`${target}.partial`, { force: true });
      throw err;
    } finally {
      if (out !== null) fs.closeSync(out);
    }
    if (extractTo) fs.renameSync(`${target}.partial`, target);
  }
}
