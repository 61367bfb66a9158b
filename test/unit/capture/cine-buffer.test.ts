import test from 'ava';
import { CineBuffer, type CineInput } from '../../../device/capture/cine-buffer.js';
import { CaptureError, prospective, retrospective, selectWindow } from '../../../device/capture/clip-assembly.js';

function frame(seq: number, timeMs: number, o: Partial<CineInput> = {}): CineInput {
  const width = o.width ?? 8;
  const height = o.height ?? 4;
  return { seq, timeMs, width, height, mmPerPixel: 0.5, topDepthMm: 0, probeId: 'SIM1', pixels: new Uint8Array(width * height).fill(seq & 0xff), ...o };
}

test('keeps the last frames as copies, in slots it reuses', (t) => {
  const cine = new CineBuffer({ seconds: 1, maxFrameRateHz: 4, maxBytes: 1e6 });
  t.is(cine.capacityFrames, 7);
  const source = new Uint8Array(32);
  for (let i = 0; i < 20; i++) {
    source.fill(i);
    cine.push({ ...frame(i, i * 250), pixels: source });
  }
  const frames = cine.frames();
  t.deepEqual(frames.map((f) => f.seq), [13, 14, 15, 16, 17, 18, 19]);
  t.true(frames.every((f) => f.pixels[0] === f.seq), 'each frame kept its own pixels although the source buffer was reused');
  t.is(cine.memoryBytes(), 7 * 32, 'bounded: one slot per frame of capacity');
});

test('memory stays under maxBytes by keeping fewer frames of a large size', (t) => {
  const cine = new CineBuffer({ seconds: 10, maxFrameRateHz: 30, maxBytes: 1000 });
  for (let i = 0; i < 50; i++) cine.push(frame(i, i * 33, { width: 10, height: 20 }));
  t.is(cine.frames().length, 5);
});

test('retrospective: the last N seconds before the newest frame, of one geometry', (t) => {
  const cine = new CineBuffer({ seconds: 5, maxFrameRateHz: 10, maxBytes: 1e6 });
  for (let i = 0; i < 30; i++) cine.push(frame(i, 1000 + i * 100, i < 25 ? {} : { mmPerPixel: 0.25 }));
  const clip = retrospective(cine, 1, 10);
  t.is(clip.frames, 5, 'only the frames after the depth change');
  t.is(clip.mmPerPixel, 0.25);
  t.is(clip.frameRateHz, 10);
  t.is(clip.pixels.byteLength, 5 * 32);
  t.is(clip.pixels.buffer.byteLength, 5 * 32, 'owns its buffer: transferable to the store thread');
  t.is(clip.pixels[0], 25);
  t.deepEqual(selectWindow(cine.frames(), 1500, 1800).map((f) => f.seq), [5, 6, 7, 8]);
  t.throws(() => retrospective(new CineBuffer({ seconds: 1, maxFrameRateHz: 1, maxBytes: 1e6 }), 1, 10), { instanceOf: CaptureError, message: /no frames to capture yet/ });
});

test('the most confident frame finding becomes the clip finding with its key frame', (t) => {
  const cine = new CineBuffer({ seconds: 5, maxFrameRateHz: 10, maxBytes: 1e6 });
  const model = { name: 'lus', version: '1' };
  cine.push(frame(0, 0, { findings: { model, values: { bLineCount: 1 }, confidence: 0.4 } }));
  cine.push(frame(1, 100, { findings: { model, values: { bLineCount: 3 }, confidence: 0.9 } }));
  cine.push(frame(2, 200));
  const clip = retrospective(cine, 1, 10);
  t.deepEqual(clip.bestFinding, { model, values: { bLineCount: 3 }, confidence: 0.9, keyFrame: 2 });
});

test('prospective: waits for the next N seconds; if frames stop, keeps what came or says why', async (t) => {
  const cine = new CineBuffer({ seconds: 5, maxFrameRateHz: 50, maxBytes: 1e6 });
  let now = 10_000;
  let seq = 0;
  const timer = setInterval(() => {
    now += 50;
    cine.push(frame(seq++, now));
  }, 5);
  const clip = await prospective(cine, 0.5, 20, () => now);
  clearInterval(timer);
  t.true(clip.frames >= 10 && clip.frames <= 11, `${clip.frames} frames`);
  await t.throwsAsync(prospective(new CineBuffer({ seconds: 1, maxFrameRateHz: 1, maxBytes: 1e6 }), 0.1, 10, () => 0), {
    instanceOf: CaptureError,
    message: /no frames arrived in 0.1 s/,
  });
});

test('findings that arrive after their frame are attached by seq; a capture stores the clip aggregate', async (t) => {
  const { emptyFindings } = await import('../../../models/findings/frame-analyzer.js');
  const model = { name: 'lung-findings', version: '1.0.0' };
  const analysed = (seq: number, bLines: number) => {
    const f = emptyFindings({ seq, timeMs: seq * 100 }, { usable: true, score: 0.8, reasons: [] }, 1);
    f.pleura = { present: true, p: 0.9, yPx: 40, depthMm: 20, extentPx: [[10, 90]], irregular: { present: false, p: 0.1 } };
    f.aLines = { present: bLines === 0, p: bLines === 0 ? 0.9 : 0.1 };
    f.bLines = { ...f.bLines, present: bLines > 0, p: bLines > 0 ? 0.95 : 0.05, count: bLines, positionsPx: Array.from({ length: bLines }, (_, i) => 20 + 10 * i) };
    f.sliding = { state: 'present', score: 9, windowS: 1 };
    return f;
  };
  const cine = new CineBuffer({ seconds: 5, maxFrameRateHz: 10, maxBytes: 1e6 });
  for (let i = 0; i < 10; i++) cine.push(frame(i, 1000 + i * 100));
  // B-lines: 2 in most frames, 4 in three frames (the robust maximum), 6 in one (an outlier).
  const counts = [2, 2, 4, 4, 2, 4, 6, 2, 2, 2];
  counts.forEach((c, seq) => t.true(cine.attachAnalysis(seq, { model, frame: analysed(seq, c) })));
  t.false(cine.attachAnalysis(99, { model, frame: analysed(99, 1) }), 'a frame not in the buffer is not invented');
  const clip = retrospective(cine, 1, 10);
  t.truthy(clip.bestFinding);
  t.is(clip.bestFinding!.values.bLineCount, 4, 'the highest count seen in at least 3 frames, not the single 6');
  t.is(clip.bestFinding!.values.zoneScore, 1, '≥ 3 separate B-lines');
  t.true(clip.bestFinding!.values.lungSliding);
  t.deepEqual(clip.bestFinding!.model, model);
  t.is(clip.frames, 10);
  t.true([3, 4, 6].includes(clip.bestFinding!.keyFrame), 'the key frame shows the clip count');
  // No analysis at all: no finding.
  const bare = new CineBuffer({ seconds: 5, maxFrameRateHz: 10, maxBytes: 1e6 });
  for (let i = 0; i < 5; i++) bare.push(frame(i, 1000 + i * 100));
  t.is(retrospective(bare, 1, 10).bestFinding, null);
});
