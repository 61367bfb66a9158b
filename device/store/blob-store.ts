/**
 * Image data as files named by their SHA-256: `blobs/ab/abcdef…`. A file is written to `tmp/`,
 * fsynced, renamed into place and its folder fsynced, so a file under `blobs/` is always
 * complete: a crash leaves at most a temp file, which the start-up pass removes. Content
 * addressing makes the database's reference a checksum too, and a retried write a no-op.
 */
import { createHash, randomBytes } from 'node:crypto';
import { fsyncDir } from '../fs/atomic-file.js';
import fs from 'node:fs';
import path from 'node:path';
import { DiskBudgetError, IntegrityError } from './errors.js';

export interface StoredBlob {
  sha256: string;
  bytes: number;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export class BlobStore {
  readonly blobDir: string;
  readonly tmpDir: string;

  constructor(dataDir: string) {
    this.blobDir = path.join(dataDir, 'blobs');
    this.tmpDir = path.join(dataDir, 'tmp');
    fs.mkdirSync(this.blobDir, { recursive: true });
    fs.mkdirSync(this.tmpDir, { recursive: true });
  }

  pathOf(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new IntegrityError(`not a SHA-256 content address: "${sha256}"`);
    return path.join(this.blobDir, sha256.slice(0, 2), sha256);
  }

  /** Writes `data` durably and returns its address. Idempotent for identical content. */
  put(data: Uint8Array): StoredBlob {
    const sha256 = createHash('sha256').update(data).digest('hex');
    const final = this.pathOf(sha256);
    if (this.sizeOf(sha256) === data.byteLength) return { sha256, bytes: data.byteLength };
    const tmp = path.join(this.tmpDir, `${sha256.slice(0, 16)}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      const fd = fs.openSync(tmp, 'wx', 0o600);
      try {
        let off = 0;
        while (off < data.byteLength) off += fs.writeSync(fd, data, off, data.byteLength - off);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.mkdirSync(path.dirname(final), { recursive: true });
      fs.renameSync(tmp, final);
      fsyncDir(path.dirname(final));
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      if (isNoSpace(err)) {
        throw new DiskBudgetError(
          `the disk is full: writing ${mb(data.byteLength)} failed (${(err as Error).message}); nothing was stored. ` +
            'Sync or delete synced exams, then capture again',
        );
      }
      throw err;
    }
    return { sha256, bytes: data.byteLength };
  }

  /** Reads a blob and checks it against its address. */
  read(sha256: string): Buffer {
    const file = this.pathOf(sha256);
    let data: Buffer;
    try {
      data = fs.readFileSync(file);
    } catch (err) {
      throw new IntegrityError(`stored file ${sha256} is missing (${(err as Error).message}); the clip cannot be sent`);
    }
    const actual = createHash('sha256').update(data).digest('hex');
    if (actual !== sha256) throw new IntegrityError(`stored file ${file} is damaged: its SHA-256 is ${actual}, expected ${sha256}`);
    return data;
  }

  /** Size on disk, or -1 when absent. */
  sizeOf(sha256: string): number {
    try {
      return fs.statSync(this.pathOf(sha256)).size;
    } catch {
      return -1;
    }
  }

  remove(sha256: string): void {
    fs.rmSync(this.pathOf(sha256), { force: true });
  }

  /** Every blob address present on disk. */
  *list(): Generator<string> {
    for (const prefix of safeReaddir(this.blobDir)) {
      for (const name of safeReaddir(path.join(this.blobDir, prefix))) {
        if (SHA256_HEX.test(name) && name.startsWith(prefix)) yield name;
      }
    }
  }

  /** Removes leftovers of interrupted writes; returns how many. */
  clearTemp(): number {
    let n = 0;
    for (const name of safeReaddir(this.tmpDir)) {
      fs.rmSync(path.join(this.tmpDir, name), { force: true, recursive: true });
      n++;
    }
    return n;
  }
}

export function isNoSpace(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || /SQLITE_FULL|database or disk is full/i.test(String((err as Error)?.message));
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

export function mb(bytes: number): string {
  return `${Math.round(bytes / 1e5) / 10} MB`;
}
