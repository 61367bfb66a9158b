/**
 * The infer stage's module in this process, with a stand-in model (test/helpers/findings-model.ts):
 * a display frame in, a small `findings` message out, tagged with the frame's seq; a missing or
 * refused model leaves the stage up without asking for frames, saying why.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { decodeFrame, encodeFrame, type BusMessage, type DecodedFrame } from '../../../pipeline/bus/frame-message.js';
import type { FrameSender } from '../../../pipeline/bus/frame-sender.js';
import type { ModelStatus } from '../../../pipeline/infer/model-status.js';
import { StageContext } from '../../../pipeline/stage-context.js';
import type { StageToSupervisor } from '../../../pipeline/stage-ipc.js';
import { createStage } from '../../../pipeline/stages/infer.js';
import { writeStandInFindingsModel } from '../../helpers/findings-model.js';

const W = 320;
const H = 240;

function context(manifest: string): { ctx: StageContext; sent: BusMessage[]; logs: string[] } {
  const sent: BusMessage[] = [];
  const logs: string[] = [];
  const output = {
    sent: 0,
    dropped: 0,
    consumers: () => ({}),
    async send(m: BusMessage) {
      sent.push(m);
      return true;
    },
  } as unknown as FrameSender;
  const spec = { name: 'infer', module: 'infer.js', inputs: ['ipc:///tmp/x'], outputs: { findings: 'ipc:///tmp/y' }, settings: { manifest, executionProviders: ['cpu'] } };
  const ctx = new StageContext(spec, { findings: output }, null, (m: StageToSupervisor) => {
    if (m.type === 'log') logs.push(m.message);
  });
  return { ctx, sent, logs };
}

/** A lung-like display image: a bright sector of speckle on black, a pleural line at row 60. */
function displayFrame(seq: number): DecodedFrame {
  const pixels = new Uint8Array(W * H);
  let state = seq + 1;
  for (let y = 10; y < H; y++) {
    const half = 60 + y * 0.5;
    for (let x = Math.max(0, Math.round(W / 2 - half)); x < Math.min(W, Math.round(W / 2 + half)); x++) {
      state = (state * 1103515245 + 12345) >>> 0;
      pixels[y * W + x] = 40 + (state >>> 26) + (Math.abs(y - 60) < 3 ? 150 : 0);
    }
  }
  const message = encodeFrame(
    'image',
    {
      seq,
      probeId: 'T',
      kind: 'image',
      frameIndex: seq,
      deviceTimestampUs: 0,
      frameCompleteMs: 1000 + seq * 50,
      display: { mmPerPixel: 0.3, xOriginMm: -48, zOriginMm: 0, topDepthMm: 0 },
      trace: [{ stage: 'enhance', inMs: 1, outMs: 2 }],
    },
    [{ name: 'pixels', data: pixels, shape: [H, W] }],
  );
  return decodeFrame(message);
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-infer-'));

test('each display frame leaves as a findings message with its seq, image size and the model on the CPU provider', async (t) => {
  const { manifestPath } = writeStandInFindingsModel(tmp());
  const { ctx, sent } = context(manifestPath);
  const stage = await createStage(ctx);
  t.truthy(stage.onFrame, 'a loaded model takes frames');
  const model = ctx.detail.model as ModelStatus;
  t.like(model, { name: 'lung-findings-stand-in', version: '0.0.1', state: 'running', executionProvider: 'cpu', error: null });
  for (const seq of [7, 8, 12]) await stage.onFrame!(displayFrame(seq));
  t.is(sent.length, 3);
  const out = decodeFrame(sent[2]!);
  t.is(out.topic, 'findings');
  t.is(out.header.kind, 'findings');
  t.is(out.header.seq, 12, 'tagged with the frame it was computed on');
  t.deepEqual(out.header.arrays, [], 'a header-only message: no pixels travel back');
  t.deepEqual(out.header.imageSize, { width: W, height: H });
  t.is(out.header.findings?.seq, 12);
  t.deepEqual(out.header.trace.map((s) => s.stage), ['enhance', 'infer']);
  t.true(out.payload.length + out.header.findings!.bLines.positionsPx.length < 1000);
  t.log(`findings: quality ${JSON.stringify(out.header.findings?.quality)}, B-lines ${out.header.findings?.bLines.count}`);
  await stage.stop();
});

test('a missing model: the stage stays up without taking frames and says what to do', async (t) => {
  const { ctx, sent, logs } = context(path.join(tmp(), 'nowhere', 'lung-findings.json'));
  const stage = await createStage(ctx);
  t.is(stage.onFrame, undefined, 'no frames are asked for: enhance does not even copy them');
  const model = ctx.detail.model as ModelStatus;
  t.is(model.state, 'missing');
  t.regex(model.error!, /cannot be read \(ENOENT\).*install the model bundle/);
  t.is(ctx.counters().lastError, model.error);
  t.true(logs.some((l) => /runs without AI findings/.test(l)));
  t.is(sent.length, 0);
});

test('a model whose file does not match its manifest is refused, never loaded', async (t) => {
  const { manifestPath } = writeStandInFindingsModel(tmp(), { tamper: true });
  const { ctx } = context(manifestPath);
  const stage = await createStage(ctx);
  t.is(stage.onFrame, undefined);
  const model = ctx.detail.model as ModelStatus;
  t.like(model, { name: 'lung-findings-stand-in', version: '0.0.1', state: 'refused', executionProvider: null });
  t.regex(model.error!, /SHA-256 .* refusing to load it/);
});

test('an ONNX file that is gone while its manifest is there counts as missing', async (t) => {
  const m = writeStandInFindingsModel(tmp());
  fs.rmSync(m.onnxPath);
  const { ctx } = context(m.manifestPath);
  await createStage(ctx);
  t.is((ctx.detail.model as ModelStatus).state, 'missing');
});
