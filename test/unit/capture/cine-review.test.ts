/**
 * Cine review routes (device/capture/cine-review.ts) against a real CineBuffer: the listing, a
 * frame in the kiosk frame format, and the refusals (bad seq 400, frame gone 404).
 */
import test from 'ava';
import { CineBuffer, type CineInput } from '../../../device/capture/cine-buffer.js';
import { cineGetRoutes, estimateFrameRateHz, type CineListing } from '../../../device/capture/cine-review.js';
import type { FrameFindings } from '../../../models/findings/types.js';
import { BinaryResponse, KioskHttpError, type KioskRoute } from '../../../ui-kiosk/server/kiosk-server.js';
import { decodeFrame } from '../../../ui-kiosk/web/protocol.js';

function input(seq: number, timeMs: number, width = 8, height = 4): CineInput {
  const pixels = new Uint8Array(width * height);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (seq * 7 + i) & 0xff;
  return { seq, timeMs, width, height, mmPerPixel: 0.1875, topDepthMm: -4.5, probeId: 'SIM1', pixels };
}

function routes(cine: CineBuffer, frozen = true): Record<string, KioskRoute> {
  return cineGetRoutes(cine, { frozen: () => frozen });
}

const get = (r: Record<string, KioskRoute>, path: string, query = ''): Promise<unknown> =>
  (async () => r[path]!({ query: new URLSearchParams(query) }))(); // a route may throw before it returns a promise

test('lists the buffered frames oldest first, with B-lines where findings were attached and the frame rate', async (t) => {
  const cine = new CineBuffer({ seconds: 1, maxFrameRateHz: 20, maxBytes: 1e6 });
  for (let i = 0; i < 40; i++) cine.push(input(100 + i, 1_700_000_000_000 + i * 50));
  const bLines = { present: true, count: 3 } as FrameFindings['bLines'];
  t.true(cine.attachAnalysis(137, { model: { name: 'lung-findings', version: '1.0.0' }, frame: { bLines } as FrameFindings }));

  const listing = (await get(routes(cine, true), '/api/cine')) as CineListing;
  t.true(listing.frozen);
  t.is(listing.frameRateHz, 20);
  t.is(listing.frames.length, cine.size);
  t.deepEqual(listing.frames.map((f) => f.seq), cine.frames().map((f) => f.seq));
  t.is(listing.frames.at(-1)!.seq, 139);
  t.is(listing.frames.at(-1)!.timeMs, 1_700_000_000_000 + 39 * 50);
  t.is(listing.frames.find((f) => f.seq === 137)!.bLines, 3);
  t.is(listing.frames.find((f) => f.seq === 138)!.bLines, null, 'no findings attached: null');
  t.is(((await get(routes(cine, false), '/api/cine')) as CineListing).frozen, false, 'frozen comes from the settings');
});

test('the frame rate needs two frames', async (t) => {
  const cine = new CineBuffer({ seconds: 1, maxFrameRateHz: 20, maxBytes: 1e6 });
  t.deepEqual(await get(routes(cine), '/api/cine'), { frozen: true, frameRateHz: null, frames: [] });
  cine.push(input(1, 1000));
  t.is(((await get(routes(cine), '/api/cine')) as CineListing).frameRateHz, null);
  t.is(estimateFrameRateHz([{ timeMs: 0 }, { timeMs: 40 }, { timeMs: 80 }]), 25);
  t.is(estimateFrameRateHz([{ timeMs: 5 }, { timeMs: 5 }]), null, 'no time span: no rate');
});

test('a frame decodes to the pushed pixels and calibration', async (t) => {
  const cine = new CineBuffer({ seconds: 1, maxFrameRateHz: 20, maxBytes: 1e6 });
  const pushed = [input(7, 1_700_000_000_000, 16, 12), input(8, 1_700_000_000_050, 16, 12)];
  for (const f of pushed) cine.push({ ...f, pixels: f.pixels.slice() });
  const answer = await get(routes(cine), '/api/cine/frame', 'seq=7');
  t.true(answer instanceof BinaryResponse);
  const binary = answer as BinaryResponse;
  t.is(binary.contentType, 'application/octet-stream');
  const frame = decodeFrame(binary.body);
  t.is(frame.seq, 7);
  t.is(frame.width, 16);
  t.is(frame.height, 12);
  t.is(frame.mmPerPixel, 0.1875);
  t.is(frame.topDepthMm, -4.5);
  t.is(frame.latencyMs, 0);
  t.is(frame.sentAtMs, 1_700_000_000_000, "sentAtMs carries the frame's time");
  t.deepEqual(frame.pixels, pushed[0]!.pixels);
  // The answer owns its bytes: the buffer reusing the slot does not change it.
  for (let i = 0; i < 40; i++) cine.push(input(9 + i, 1_700_000_000_100 + i * 50, 16, 12));
  t.deepEqual(decodeFrame(binary.body).pixels, pushed[0]!.pixels);
});

test('a frame that has left the buffer is a 404 that says to freeze', async (t) => {
  const cine = new CineBuffer({ seconds: 1, maxFrameRateHz: 4, maxBytes: 1e6 });
  for (let i = 0; i < 20; i++) cine.push(input(i, i * 250));
  const err = await t.throwsAsync(get(routes(cine), '/api/cine/frame', 'seq=2'), { instanceOf: KioskHttpError });
  t.is(err!.status, 404);
  t.is(err!.message, 'frame 2 is no longer in the cine buffer (it keeps the last few seconds; freeze the image to keep them)');
  await t.throwsAsync(get(routes(cine), '/api/cine/frame', 'seq=20'), { instanceOf: KioskHttpError, message: /frame 20 is no longer/ });
});

test('a missing or invalid seq is a 400', async (t) => {
  const cine = new CineBuffer({ seconds: 1, maxFrameRateHz: 4, maxBytes: 1e6 });
  cine.push(input(1, 0));
  for (const q of ['', 'seq=', 'seq=-1', 'seq=1.5', 'seq=abc', 'seq=1e3', 'seq=4294967296', 'seq=99999999999', 'seq=%201']) {
    const err = await t.throwsAsync(get(routes(cine), '/api/cine/frame', q), { instanceOf: KioskHttpError }, q);
    t.is(err!.status, 400, q);
    t.regex(err!.message, /\?seq=N/, q);
  }
});
