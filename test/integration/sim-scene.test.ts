/**
 * The lung simulator as a process: `pleura sim --scene b-lines-3` over a Unix socket speaks the
 * probe protocol with each frame's ground truth after it (vendor message 0xE0); its loop is
 * cached, so a second start plays at once; and the whole device shows the scene.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { FrameDecoder, type RawFrame } from '../../drivers/protocol/decoder.js';
import { ProtocolEncoder } from '../../drivers/protocol/encoder.js';
import { MessageType, type Configure } from '../../drivers/protocol/messages.js';
import { parseTruthMessage, TRUTH_MESSAGE_TYPE } from '../../drivers/sim/truth-message.js';
import { startDevice, startSimulator } from '../helpers/device.js';

const CONFIG: Configure = { preset: 'lung', depthM: 0.06, gainDb: 0, mode: 'rf', frameRateHz: 20, transmits: { kind: 'diverging', parameters: [0] } };


/** Connects, configures, starts, and collects decoded frames until `enough` says so. */
async function session(socket: string, enough: (frames: RawFrame[]) => boolean, timeoutMs: number): Promise<{ frames: RawFrame[]; firstFrameMs: number }> {
  const conn = net.connect(socket);
  const decoder = new FrameDecoder({ parse: true });
  const frames: RawFrame[] = [];
  const t0 = Date.now();
  let firstFrameMs = -1;
  const enc = new ProtocolEncoder();
  await new Promise<void>((resolve, reject) => conn.once('connect', resolve).once('error', reject));
  conn.write(enc.encode({ type: MessageType.IDENTIFY_REQUEST, body: { hostMinVersion: 1, hostMaxVersion: 1 } }).bytes);
  conn.write(enc.encode({ type: MessageType.CONFIGURE, body: CONFIG }).bytes);
  conn.write(enc.encode({ type: MessageType.START, body: null }).bytes);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${frames.length} messages in ${timeoutMs} ms`)), timeoutMs);
      conn.on('data', (chunk: Buffer) => {
        for (const f of decoder.push(chunk)) {
          if (f.header.type === MessageType.FRAME_RF && firstFrameMs < 0) firstFrameMs = Date.now() - t0;
          frames.push(f);
        }
        if (enough(frames)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  } finally {
    conn.destroy();
  }
  return { frames, firstFrameMs };
}

test.serial('pleura sim --scene b-lines-3: frames with their truth; a cached loop starts at once', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-sim-scene-'));
  const socket = path.join(dir, 'probe.sock');
  const cacheDir = path.join(dir, 'cache');
  let sim = await startSimulator(['--listen', `unix:${socket}`, '--scene', 'b-lines-3', '--cache-dir', cacheDir]);
  try {
    const first = await session(socket, (fs_) => fs_.filter((f) => f.header.type === TRUTH_MESSAGE_TYPE).length >= 3, 30_000);
    const types = first.frames.map((f) => f.header.type);
    const i = types.indexOf(MessageType.FRAME_RF);
    t.is(types[i + 1], TRUTH_MESSAGE_TYPE, 'the truth follows its frame');
    const truth = parseTruthMessage(first.frames[i + 1]!)!;
    t.like(truth, { scene: 'b-lines-3', probe: 'C5-2v', sliding: 'present', bLines: { count: 3 } });
    // Let the loop finish so that it is cached (60 mm, one transmit: a few seconds).
    const deadline = Date.now() + 120_000;
    while (!fs.existsSync(cacheDir) || !fs.readdirSync(cacheDir).some((f) => f.endsWith('.json'))) {
      if (Date.now() > deadline) throw new Error('the loop was not cached within 120 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    sim.kill('SIGTERM');
    await new Promise((r) => sim.once('exit', r));
    const spawnedAt = Date.now();
    sim = await startSimulator(['--listen', `unix:${socket}`, '--scene', 'b-lines-3', '--cache-dir', cacheDir]);
    const again = await session(socket, (fs_) => fs_.some((f) => f.header.type === MessageType.FRAME_RF), 10_000);
    const sinceSpawnMs = Date.now() - spawnedAt;
    t.log(`cached: first frame ${again.firstFrameMs} ms after configuring, ${sinceSpawnMs} ms after starting the simulator`);
    t.true(sinceSpawnMs < 5000, 'first frame within 5 s of start when cached');
  } finally {
    sim.kill('SIGTERM');
    await new Promise((r) => (sim.exitCode !== null ? r(null) : sim.once('exit', r)));
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.serial('the device with the simulated probe on scene b-lines-3 shows frames', async (t) => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-sim-cache-'));
  const device = await startDevice(['--mode', 'bmode', '--depth-mm', '80'], { PLEURA_SIM_SCENE: 'b-lines-3', PLEURA_SIM_CACHE: cache });
  try {
    await device.until((st) => st.probe.state === 'streaming' && st.pipeline.framesShown >= 5, 60_000, 'frames of the b-lines-3 scene');
    t.regex(device.log(), /b-lines-3/);
  } finally {
    t.is(await device.stop(), 0);
    fs.rmSync(cache, { recursive: true, force: true });
  }
});
