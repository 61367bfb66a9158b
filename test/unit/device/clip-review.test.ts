/**
 * Clip review routes (device/exam/clip-review.ts) against a real store in a temp folder: a
 * stored clip's frames decode to the captured pixels; refusals for bad ids and indexes,
 * unknown clips, and files that are missing or altered on disk (never wrong pixels).
 */
import fs from 'node:fs';
import test from 'ava';
import path from 'node:path';
import { CineBuffer } from '../../../device/capture/cine-buffer.js';
import { ClipReview, clipReviewRoutes } from '../../../device/exam/clip-review.js';
import { ExamService } from '../../../device/exam/exam-service.js';
import { BlobStore } from '../../../device/store/blob-store.js';
import { StoreClient } from '../../../device/store/store-client.js';
import { recoverStore } from '../../../device/store/recovery.js';
import type { Store } from '../../../device/store/store.js';
import { BinaryResponse, KioskHttpError, type KioskRoute } from '../../../ui-kiosk/server/kiosk-server.js';
import { decodeFrame } from '../../../ui-kiosk/web/protocol.js';
import { clipInput, examWithClips, openStore, PATIENT, syntheticPixels, tempDir } from '../store/fixtures.js';

function review(store: Store): { review: ClipReview; routes: Record<string, KioskRoute> } {
  const r = new ClipReview({ clip: async (id) => store.clip(id), dicomPath: (sha256) => store.blobs.pathOf(sha256) });
  return { review: r, routes: clipReviewRoutes(r) };
}

const get = (r: Record<string, KioskRoute>, path: string, query: string): Promise<unknown> =>
  (async () => r[path]!({ query: new URLSearchParams(query) }))(); // a route may throw before it returns a promise

async function frameOf(r: Record<string, KioskRoute>, id: string, index: number) {
  const answer = await get(r, '/api/exam/clip/frame', `id=${id}&index=${index}`);
  if (!(answer instanceof BinaryResponse)) throw new Error('not a BinaryResponse');
  return { contentType: answer.contentType, frame: decodeFrame(answer.body) };
}

test('the clip route answers the geometry and calibration of a stored clip', async (t) => {
  const store = openStore(t);
  const { exam, clips } = examWithClips(store, ['R1'], { frames: 5, rows: 24, cols: 32 });
  const { routes } = review(store);
  t.deepEqual(await get(routes, '/api/exam/clip', `id=${clips[0]!.id}`), {
    id: clips[0]!.id,
    examId: exam.id,
    zone: 'R1',
    frames: 5,
    frameRateHz: 20,
    rows: 24,
    cols: 32,
    mmPerPixel: 0.5,
    topDepthMm: -5,
    state: 'ok',
  });
});

test('every frame of a stored clip decodes to the captured pixels, with its calibration', async (t) => {
  const store = openStore(t);
  const { clips } = examWithClips(store, ['R1', 'L2'], { frames: 5, rows: 24, cols: 32 });
  const { routes } = review(store);
  for (const [c, clip] of clips.entries()) {
    const captured = syntheticPixels(5, 24, 32, c + 1); // what examWithClips committed for this clip
    for (let i = 0; i < 5; i++) {
      const { contentType, frame } = await frameOf(routes, clip.id, i);
      t.is(contentType, 'application/octet-stream');
      t.is(frame.seq, i);
      t.is(frame.width, 32);
      t.is(frame.height, 24);
      t.is(frame.mmPerPixel, 0.5);
      t.is(frame.topDepthMm, -5);
      t.is(frame.latencyMs, 0);
      t.is(frame.sentAtMs, i * 50, 'time from the first frame at 20 Hz');
      t.deepEqual(frame.pixels, captured.subarray(i * 24 * 32, (i + 1) * 24 * 32), `clip ${c} frame ${i}`);
    }
  }
  // Back to the first clip after the second replaced it in the cache.
  t.deepEqual((await frameOf(routes, clips[0]!.id, 4)).frame.pixels, syntheticPixels(5, 24, 32, 1).subarray(4 * 24 * 32));
});

test('an index past the end is a 404 with the range; a bad index or id is a 400', async (t) => {
  const store = openStore(t);
  const { clips } = examWithClips(store, ['R1'], { frames: 6 });
  const { routes } = review(store);
  const id = clips[0]!.id;
  const past = await t.throwsAsync(get(routes, '/api/exam/clip/frame', `id=${id}&index=6`), { instanceOf: KioskHttpError });
  t.is(past!.status, 404);
  t.is(past!.message, `clip ${id} has no frame 6: its frames are 0…5`);
  for (const q of [`id=${id}`, `id=${id}&index=-1`, `id=${id}&index=1.5`, `id=${id}&index=x`]) {
    const err = await t.throwsAsync(get(routes, '/api/exam/clip/frame', q), { instanceOf: KioskHttpError }, q);
    t.is(err!.status, 400, q);
  }
  for (const path of ['/api/exam/clip', '/api/exam/clip/frame']) {
    for (const q of ['', 'id=', 'id=c123', `id=${id.toLowerCase()}&index=0`, 'id=../../etc/passwd&index=0']) {
      const err = await t.throwsAsync(get(routes, path, q), { instanceOf: KioskHttpError }, `${path}?${q}`);
      t.is(err!.status, 400, `${path}?${q}`);
      t.regex(err!.message, /\?id=C/);
    }
  }
});

test('an unknown clip is a 404', async (t) => {
  const store = openStore(t);
  examWithClips(store, ['R1']);
  const { routes } = review(store);
  for (const [path, q] of [['/api/exam/clip', 'id=C0000000000ZZ'], ['/api/exam/clip/frame', 'id=C0000000000ZZ&index=0']] as const) {
    const err = await t.throwsAsync(get(routes, path, q));
    t.is((err as Error & { status?: number }).status, 404, path);
    t.regex(err!.message, /no clip C0000000000ZZ/);
  }
});

test('a clip whose file was altered on disk is a 409, never pixels', async (t) => {
  const store = openStore(t);
  const { clips } = examWithClips(store, ['R1']);
  const clip = clips[0]!;
  const file = store.blobs.pathOf(clip.dicomSha256);
  const bytes = fs.readFileSync(file);
  bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff; // one pixel, same size: the start-up check cannot see it
  fs.writeFileSync(file, bytes);
  const { routes } = review(store);
  const err = await t.throwsAsync(get(routes, '/api/exam/clip/frame', `id=${clip.id}&index=0`), { instanceOf: KioskHttpError });
  t.is(err!.status, 409);
  t.regex(err!.message, new RegExp(`^clip ${clip.id} is damaged on this device \\(its file has changed since it was captured: SHA-256 [0-9a-f]{12}…, recorded ${clip.dicomSha256.slice(0, 12)}…\\); it cannot be reviewed$`));
  // Not cached as a failure: once the file is back, the clip can be reviewed.
  bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
  fs.writeFileSync(file, bytes);
  t.is((await frameOf(routes, clip.id, 0)).frame.width, 64);
});

test('a clip whose file is missing is a 409, before and after the start-up check marks it damaged', async (t) => {
  const store = openStore(t);
  const { clips } = examWithClips(store, ['R1']);
  const clip = clips[0]!;
  fs.rmSync(store.blobs.pathOf(clip.dicomSha256));
  const { routes } = review(store);
  const err = await t.throwsAsync(get(routes, '/api/exam/clip/frame', `id=${clip.id}&index=0`), { instanceOf: KioskHttpError });
  t.is(err!.status, 409);
  t.is(err!.message, `clip ${clip.id} is damaged on this device (its file is missing); it cannot be reviewed`);

  t.deepEqual(recoverStore(store).damagedClips, [clip.id]);
  t.is(((await get(routes, '/api/exam/clip', `id=${clip.id}`)) as { state: string }).state, 'damaged');
  await t.throwsAsync(get(routes, '/api/exam/clip/frame', `id=${clip.id}&index=0`), { instanceOf: KioskHttpError, message: /is damaged on this device \(the start-up check found its file missing/ });
});

test('as the app wires it: the record from the store thread (ExamService.clip), the file from the data folder', async (t) => {
  const dataDir = tempDir(t);
  const store = await StoreClient.start({ dataDir, budget: { reserveBytes: 0, maxDataBytes: 0 }, siteKeyFile: path.join(dataDir, 'keys', 'site.key'), destinations: [], typicalClipBytes: 0 });
  t.teardown(() => store.close());
  const cine = new CineBuffer({ seconds: 1, maxFrameRateHz: 20, maxBytes: 1e6 });
  const exams = new ExamService(store, cine, () => ({ probe: { model: 'SIM', serial: '1' }, preset: 'lung', depthMm: 120, gainDb: 0, frameRateHz: 20 }));
  const exam = await exams.start({ patient: PATIENT, operator: 'nurse Ada', protocol: 'lus-12' });
  await exams.selectZone(exam.id, 'L3');
  const clip = await store.commitClip(clipInput(exam.id, 4, 16, 20, 9));
  const blobs = new BlobStore(dataDir);
  const routes = clipReviewRoutes(new ClipReview({ clip: (id) => exams.clip(id), dicomPath: (sha256) => blobs.pathOf(sha256) }));
  t.like(await get(routes, '/api/exam/clip', `id=${clip.id}`), { id: clip.id, examId: exam.id, zone: 'L3', frames: 4, rows: 16, cols: 20 });
  t.deepEqual((await frameOf(routes, clip.id, 3)).frame.pixels, syntheticPixels(4, 16, 20, 9).subarray(3 * 16 * 20));
  const unknown = await t.throwsAsync(get(routes, '/api/exam/clip', 'id=C0000000000ZZ'));
  t.is((unknown as Error & { status?: number }).status, 404, 'NotFoundError keeps its status across the thread boundary');
});
