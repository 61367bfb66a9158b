import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { FrameDecoder } from '../../../drivers/protocol/decoder.js';
import { ProtocolEncoder } from '../../../drivers/protocol/encoder.js';
import { MessageType, type Configure } from '../../../drivers/protocol/messages.js';
import { createLoopSource } from '../../../drivers/sim/loop/loop-source.js';
import { evictLoops, readManifest } from '../../../drivers/sim/loop/loop-files.js';
import { C5_2V } from '../../../drivers/sim/physics/probes.js';
import { parseSceneSpec } from '../../../drivers/sim/scene/spec.js';
import { createPhysicsSource } from '../../../drivers/sim/physics-source.js';
import { SimulatedProbe, type SourceFrame } from '../../../drivers/sim/simulated-probe.js';
import { parseTruthMessage, TRUTH_MESSAGE_TYPE, TruthMessageError } from '../../../drivers/sim/truth-message.js';

/** A small, fast scene: 40 breaths/min, thin chest wall speckle, one reverberation order. */
const SMALL = parseSceneSpec({ name: 'small', breathing: { ratePerMin: 40 }, chestWall: { scatterersPerMm2: 0.3 }, reverberation: { maxOrder: 1 }, bLines: [{ atMm: 2 }] });
const CONFIG: Configure = { preset: 'lung', mode: 'rf', depthM: 0.03, gainDb: 0, frameRateHz: 10, transmits: { kind: 'diverging', parameters: [0] } };

class FakeHost extends EventEmitter {
  readonly bytes: Buffer[] = [];
  write(b: Buffer): boolean {
    this.bytes.push(Buffer.from(b));
    return true;
  }
  send(b: Buffer): void {
    this.emit('data', b);
  }
}

test('each frame is followed by its ground truth as vendor message 0xE0, which hosts can read or ignore', async (t) => {
  const source = createPhysicsSource({ probe: C5_2V, scene: SMALL, seed: 3 });
  let now = 0;
  const probe = new SimulatedProbe(source, { clockS: () => now, statusIntervalMs: 60_000 });
  const host = new FakeHost();
  probe.serve(host);
  const enc = new ProtocolEncoder();
  host.send(enc.encode({ type: MessageType.IDENTIFY_REQUEST, body: { hostMinVersion: 1, hostMaxVersion: 1 } }).bytes);
  host.send(enc.encode({ type: MessageType.CONFIGURE, body: CONFIG }).bytes);
  host.send(enc.encode({ type: MessageType.START, body: null }).bytes);
  await new Promise((r) => setTimeout(r, 350));
  probe.close();
  const frames = new FrameDecoder({ parse: true }).push(Buffer.concat(host.bytes));
  const types = frames.map((f) => f.header.type);
  const rfAt = types.indexOf(MessageType.FRAME_RF);
  t.true(rfAt >= 0, 'frames came');
  t.is(types[rfAt + 1], TRUTH_MESSAGE_TYPE, 'the truth right after the frame');
  const truth = parseTruthMessage(frames[rfAt + 1]!)!;
  const frame = frames[rfAt]!.message;
  t.is(truth.kind, 'pleura-sim-truth');
  t.is(truth.frameIndex, frame?.type === MessageType.FRAME_RF ? frame.body.frameIndex : -1);
  t.is(truth.bLines.count, 1);
  t.is(parseTruthMessage(frames[rfAt]!), null, 'other frames are not truth');
  t.throws(() => parseTruthMessage({ header: { type: TRUTH_MESSAGE_TYPE }, payload: Buffer.from('{"kind":"other"}') }), { instanceOf: TruthMessageError });
  t.is(types.filter((ty) => ty === MessageType.FRAME_RF).length, types.filter((ty) => ty === TRUTH_MESSAGE_TYPE).length);
});

function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const poll = (): void => {
      if (cond()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 20);
    };
    poll();
  });
}

test('a loop of one breath is built in the background, played while it grows, cached on disk and replayed at once', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-loop-'));
  const logs: string[] = [];
  try {
    let built = 0;
    let total = 0;
    const source = createLoopSource({ probe: C5_2V, scene: SMALL, seed: 3, cacheDir: dir, loopRateHz: 10, log: (l) => logs.push(l), onProgress: (b, n) => ([built, total] = [b, n]) });
    source.configure(CONFIG);
    await waitFor(() => source.frame(0.05, 0) !== null, 20_000, 'the first frame');
    await waitFor(() => total > 0 && built === total && logs.some((l) => /cached in/.test(l)), 30_000, 'the loop to complete');
    t.is(total, 15, '1.5 s breath at 10 frames/s');
    const a = source.frame(0.35, 7) as Extract<SourceFrame, { type: 'rf' }>;
    const b = source.frame(0.35 + 1.5, 8) as Extract<SourceFrame, { type: 'rf' }>;
    t.deepEqual(a.body.samples, b.body.samples, 'one breath later: the same frame');
    t.is(b.body.frameIndex, 8);
    t.is(JSON.parse(Buffer.from(b.truth!).toString()).frameIndex, 8, 'truth carries the frame it follows');
    // Gain is applied when playing: +6 dB doubles the counts (clipping at int16).
    source.configure({ ...CONFIG, gainDb: 6 });
    const loud = source.frame(0.35, 9) as Extract<SourceFrame, { type: 'rf' }>;
    t.is(loud.body.gainDb, 6);
    let ratio = 0;
    let n = 0;
    a.body.samples.forEach((v, i) => {
      if (Math.abs(v) > 200 && Math.abs(v) < 15000) {
        ratio += loud.body.samples[i]! / v;
        n++;
      }
    });
    t.true(n > 100 && Math.abs(ratio / n - 1.995) < 0.01, `gain ratio ${(ratio / n).toFixed(3)}`);
    source.close?.();

    const manifest = readManifest(dir, fs.readdirSync(dir).find((f) => f.endsWith('.json'))!.replace(/\.json$/, ''));
    t.truthy(manifest);
    t.is(manifest!.frameCount, 15);
    // Another simulator with the same folder plays the cached loop straight away.
    const again = createLoopSource({ probe: C5_2V, scene: SMALL, seed: 3, cacheDir: dir, loopRateHz: 10, log: (l) => logs.push(l) });
    again.configure(CONFIG);
    const first = again.frame(0.35, 0) as Extract<SourceFrame, { type: 'rf' }> | null;
    t.truthy(first, 'a frame at once');
    t.deepEqual(first!.body.samples, a.body.samples);
    t.true(logs.some((l) => /playing cached loop/.test(l)));
    again.close?.();
    // Another seed is another loop; the size cap evicts the least recently used.
    t.deepEqual(evictLoops(dir, 0, manifest!.key), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
