/**
 * Review on the running device (docs/api.md, "Review"): the frozen cine buffer frame by frame,
 * and a captured clip read back from its stored file, both in the kiosk frame format.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { WebSocket } from 'ws';
import type { CineListing } from '../../device/capture/cine-review.js';
import type { ClipReviewInfo } from '../../device/exam/clip-review.js';
import { decodeFrame } from '../../ui-kiosk/web/protocol.js';
import { startDevice } from '../helpers/device.js';
import { capture, get, startExam, zone } from '../helpers/exam-api.js';

test.serial('freeze, step through the cine buffer, then review a captured clip', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-review-'));
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const configFile = path.join(root, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify({ pipeline: { enhance: { displayWidth: 160, displayHeight: 120 } }, capture: { cineSeconds: 4, defaultSeconds: 1 } }));
  const d = await startDevice(['--data-dir', path.join(root, 'data'), '--config', configFile]);
  try {
    await d.until((s) => s.cine.frames >= 6, 30_000, 'frames in the cine buffer');
    const e = await startExam(d.url);
    await zone(d.url, e.id, 'R1');
    const clip = await capture(d.url, e.id, 1);
    t.is(clip.status, 200, clip.error);

    const ws = new WebSocket(new URL('/ws', d.url.replace(/^http/, 'ws')));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send(JSON.stringify({ type: 'freeze', frozen: true }));
    await d.until((s) => s.settings.frozen, 5000, 'the freeze');
    ws.close();

    const cine = await get<CineListing>(d.url, '/api/cine');
    t.true(cine.frozen);
    t.true(cine.frames.length >= 2);
    t.true((cine.frameRateHz ?? 0) > 0);
    const oldest = cine.frames[0]!;
    const res = await fetch(new URL(`/api/cine/frame?seq=${oldest.seq}`, d.url));
    t.is(res.status, 200);
    t.is(res.headers.get('content-type'), 'application/octet-stream');
    const frame = decodeFrame(new Uint8Array(await res.arrayBuffer()));
    t.is(frame.seq, oldest.seq);
    t.is(frame.width, 160);
    t.true(frame.mmPerPixel > 0);
    t.is(frame.sentAtMs, oldest.timeMs);
    t.is((await fetch(new URL('/api/cine/frame?seq=x', d.url))).status, 400);

    const info = await get<ClipReviewInfo>(d.url, `/api/exam/clip?id=${clip.body.id}`);
    t.like(info, { id: clip.body.id, examId: e.id, zone: 'R1', frames: clip.body.frames, cols: 160, rows: clip.body.rows, state: 'ok' });
    const last = await fetch(new URL(`/api/exam/clip/frame?id=${clip.body.id}&index=${info.frames - 1}`, d.url));
    t.is(last.status, 200);
    const clipFrame = decodeFrame(new Uint8Array(await last.arrayBuffer()));
    t.is(clipFrame.seq, info.frames - 1);
    t.is(clipFrame.width, 160);
    t.is(Math.fround(info.mmPerPixel), clipFrame.mmPerPixel);
    const past = await fetch(new URL(`/api/exam/clip/frame?id=${clip.body.id}&index=${info.frames}`, d.url));
    t.is(past.status, 404);
    t.regex(((await past.json()) as { error: string }).error, /has no frame/);
  } finally {
    await d.stop();
  }
});
