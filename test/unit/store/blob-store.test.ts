import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { BlobStore } from '../../../device/store/blob-store.js';
import { IntegrityError } from '../../../device/store/errors.js';
import { tempDir } from './fixtures.js';

test('a blob is stored under its SHA-256, read back checked, and a second put is a no-op', (t) => {
  const blobs = new BlobStore(tempDir(t));
  const data = new TextEncoder().encode('lung ultrasound');
  const a = blobs.put(data);
  t.is(a.sha256, createHash('sha256').update(data).digest('hex'));
  t.is(a.bytes, data.byteLength);
  t.true(blobs.pathOf(a.sha256).endsWith(path.join(a.sha256.slice(0, 2), a.sha256)));
  t.deepEqual(new Uint8Array(blobs.read(a.sha256)), data);
  const mtime = fs.statSync(blobs.pathOf(a.sha256)).mtimeMs;
  t.deepEqual(blobs.put(data), a);
  t.is(fs.statSync(blobs.pathOf(a.sha256)).mtimeMs, mtime, 'not rewritten');
  t.deepEqual([...blobs.list()], [a.sha256]);
  t.deepEqual(fs.readdirSync(blobs.tmpDir), [], 'no temp file left');
});

test('a damaged or missing blob is an IntegrityError naming the file', (t) => {
  const blobs = new BlobStore(tempDir(t));
  const a = blobs.put(new Uint8Array([1, 2, 3, 4]));
  fs.writeFileSync(blobs.pathOf(a.sha256), new Uint8Array([1, 2, 3, 5]));
  t.throws(() => blobs.read(a.sha256), { instanceOf: IntegrityError, message: /is damaged: its SHA-256 is/ });
  blobs.remove(a.sha256);
  t.throws(() => blobs.read(a.sha256), { instanceOf: IntegrityError, message: /is missing/ });
  t.throws(() => blobs.pathOf('../../etc/passwd'), { instanceOf: IntegrityError });
});

test('leftover temp files of interrupted writes are cleared', (t) => {
  const blobs = new BlobStore(tempDir(t));
  fs.writeFileSync(path.join(blobs.tmpDir, 'abc.1234.tmp'), 'half a clip');
  t.is(blobs.clearTemp(), 1);
  t.deepEqual(fs.readdirSync(blobs.tmpDir), []);
});
