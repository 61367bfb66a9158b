/**
 * FindingsEngine on a stand-in model (standin-model.ts: outputs are fixed functions of the
 * input): sigmoids and thresholds, B-line peaks with NMS mapped to source pixels and mm, the
 * pleural row, its extent, lesion boxes, quality reasons, the region kept per image size.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { FindingsEngine } from '../../../models/findings/findings-engine.js';
import { syntheticFrame, writeStandinModel } from './standin-model.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-findings-'));

test('the stand-in model decodes into findings at their places in the source image', async (t) => {
  const engine = await FindingsEngine.load(writeStandinModel(tmp()), { executionProviders: ['cpu'] });
  t.is(engine.executionProvider, 'cpu');
  const f = await engine.analyzeFrame(syntheticFrame({ bLinesX: [60, 110, 140], lesion: { x0: 120, y0: 90, size: 24 } }), { seq: 7, timeMs: 233, mmPerPixel: 0.3 });
  t.is(f.seq, 7);
  t.true(f.pleura.present);
  t.true(Math.abs(f.pleura.yPx! - 45.5) <= 1, `pleura row ${f.pleura.yPx}`);
  t.true(Math.abs(f.pleura.depthMm! - 45.5 * 0.3) <= 0.4, 'depth in mm from the region top');
  t.is(f.pleura.extentPx.length, 1);
  t.true(Math.abs(f.pleura.extentPx[0]![0] - 40) <= 7 && Math.abs(f.pleura.extentPx[0]![1] - 160) <= 7, JSON.stringify(f.pleura.extentPx));
  t.is(f.bLines.count, 3);
  [60, 110, 140].forEach((x, i) => t.true(Math.abs(f.bLines.positionsPx[i]! - x) <= 4, `B-line ${i} at ${f.bLines.positionsPx[i]} (drawn at ${x})`));
  t.deepEqual(f.bLines.positionsMm, f.bLines.positionsPx.map((x) => Math.round((x - 100) * 0.3 * 10) / 10));
  t.true(f.aLines.present && Math.abs(f.aLines.p - 0.881) < 0.01, 'sigmoid of the a_lines logit (2)');
  t.false(f.consolidation.present, 'the frame label decides presence');
  const box = f.consolidation.boxPx!;
  t.true(box.x0 >= 119 && box.x1 <= 145 && box.y0 >= 89 && box.y1 <= 115 && box.x1 - box.x0 > 12, JSON.stringify(box));
  t.true(f.quality.usable, JSON.stringify(f.quality));
  t.is(f.sliding.state, 'unknown', 'one frame is no window');
  t.deepEqual(f.geometry?.regionPx, { x0: 0, y0: 0, x1: 200, y1: 150 });
  await engine.close();
});

test('manifest thresholds override the defaults; B-lines closer than the NMS distance are one', async (t) => {
  const engine = await FindingsEngine.load(writeStandinModel(tmp(), { frame_logits: { a_lines: 0.95 } }), {});
  t.is(engine.thresholds.frame.a_lines, 0.95);
  const f = await engine.analyzeFrame(syntheticFrame({ bLinesX: [100, 108] }), { seq: 0, timeMs: 0 });
  t.false(f.aLines.present, 'p 0.88 < 0.95');
  t.is(f.bLines.count, 1, JSON.stringify(f.bLines));
  t.is(f.bLines.positionsMm, null, 'uncalibrated');
  await engine.close();
});

test('quality: a dark picture has no image; a frame without pleura says so; a new image size gets a new region', async (t) => {
  const engine = await FindingsEngine.load(writeStandinModel(tmp()), {});
  const dark = await engine.analyzeFrame({ width: 100, height: 80, pixels: new Uint8Array(8000) }, { seq: 0, timeMs: 0 });
  t.false(dark.quality.usable);
  t.deepEqual(dark.quality.reasons.map((r) => r.code), ['no-image']);
  const noPleura = await engine.analyzeFrame(syntheticFrame({ pleuraX: [0, 0] }), { seq: 1, timeMs: 33 });
  t.false(noPleura.pleura.present);
  t.true(noPleura.quality.reasons.some((r) => r.code === 'pleura-not-visible' && /between two ribs/.test(r.message)));
  const dim = await engine.analyzeFrame(syntheticFrame({ background: 11 }), { seq: 2, timeMs: 66 });
  t.true(dim.quality.reasons.some((r) => r.code === 'gain-too-low'), JSON.stringify(dim.quality));
  const shallow = await engine.analyzeFrame(syntheticFrame({ pleuraY: 85 }), { seq: 3, timeMs: 99 });
  t.true(shallow.quality.reasons.some((r) => r.code === 'depth-too-shallow'), JSON.stringify(shallow.quality));
  const other = await engine.analyzeFrame(syntheticFrame({ width: 300, height: 200 }), { seq: 4, timeMs: 132 });
  t.deepEqual(engine.region && [engine.region.width, engine.region.height], [300, 200]);
  t.true(other.pleura.present);
  engine.reset();
  t.is(engine.region, null);
  await engine.close();
});

test('time per frame: preprocessing + stand-in model + decoding on a 640 × 480 display image', async (t) => {
  const engine = await FindingsEngine.load(writeStandinModel(tmp()), {});
  const frame = syntheticFrame({ width: 640, height: 480, pleuraY: 120, pleuraX: [100, 540], bLinesX: [200, 320, 420] });
  for (let i = 0; i < 60; i++) await engine.analyzeFrame(frame, { seq: i, timeMs: i * 33 });
  const s = engine.stats();
  t.log(`640 × 480: analyzeFrame p50 ${s.inferMsP50} ms, p99 ${s.inferMsP99} ms (model run p50 ${s.modelMsP50} ms) on ${os.cpus().length} cores`);
  t.is(s.frames, 60);
  await engine.close();
});
