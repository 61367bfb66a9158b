/**
 * Benchmark of the simulated probe's streaming (docs/performance.md, "Simulated probe"):
 * starts `pleura sim` on a Unix socket with a fresh cache folder, connects as a host, and
 * measures: time to the first frame while the loop is built, the build time, the frame rate
 * achieved from the cached loop at the requested rate, the cache's size on disk and the
 * simulator's memory, and the first frame of a second start from the cache.
 *
 *   node dist/scripts/sim-bench.js [--scene normal] [--depth-mm 150] [--transmits 3] [--fps 30] [--seconds 10] [--mode rf]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FrameDecoder } from '../drivers/protocol/decoder.js';
import { ProtocolEncoder } from '../drivers/protocol/encoder.js';
import { MessageType, type AcquisitionMode } from '../drivers/protocol/messages.js';
import { defaultTransmits } from '../drivers/sim/export/dataset-spec.js';

const CLI = fileURLToPath(new URL('../device/cli/main.js', import.meta.url));
const { values } = parseArgs({
  options: {
    scene: { type: 'string', default: 'normal' },
    'depth-mm': { type: 'string', default: '150' },
    transmits: { type: 'string', default: '3' },
    fps: { type: 'string', default: '30' },
    seconds: { type: 'string', default: '10' },
    mode: { type: 'string', default: 'rf' },
  },
});
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-sim-bench-'));
const socket = path.join(dir, 'probe.sock');
const cacheDir = path.join(dir, 'cache');

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function start(): Promise<{ child: ChildProcess; log: () => string; spawnedMs: number }> {
  const spawnedMs = performance.now();
  const child = spawn(process.execPath, [CLI, 'sim', '--listen', `unix:${socket}`, '--scene', values.scene!, '--cache-dir', cacheDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => (out += d));
  while (!out.includes('probe at')) {
    if (child.exitCode !== null) throw new Error(out);
    await new Promise((r) => setTimeout(r, 10));
  }
  return { child, log: () => out, spawnedMs };
}

/** Streams for `seconds` (or until `stop`), returning frame arrival times (ms, performance clock). */
async function stream(seconds: number, stop?: () => boolean): Promise<number[]> {
  const conn = net.connect(socket);
  await new Promise<void>((resolve, reject) => conn.once('connect', resolve).once('error', reject));
  const enc = new ProtocolEncoder();
  const decoder = new FrameDecoder({ parse: false });
  const arrivals: number[] = [];
  conn.on('data', (chunk: Buffer) => {
    for (const f of decoder.push(chunk)) if (f.header.type === MessageType.FRAME_RF || f.header.type === MessageType.FRAME_BMODE) arrivals.push(performance.now());
  });
  conn.write(enc.encode({ type: MessageType.IDENTIFY_REQUEST, body: { hostMinVersion: 1, hostMaxVersion: 1 } }).bytes);
  const transmits = defaultTransmits('convex', Number(values.transmits));
  conn.write(enc.encode({ type: MessageType.CONFIGURE, body: { preset: 'lung', mode: values.mode as AcquisitionMode, depthM: Number(values['depth-mm']) / 1000, gainDb: 0, frameRateHz: Number(values.fps), transmits } }).bytes);
  conn.write(enc.encode({ type: MessageType.START, body: null }).bytes);
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000 && !(stop?.() ?? false)) await new Promise((r) => setTimeout(r, 50));
  conn.destroy();
  return arrivals;
}

const rate = (times: number[]): number => (times.length > 1 ? ((times.length - 1) * 1000) / (times.at(-1)! - times[0]!) : 0);

const first = await start();
const building = await stream(3600, () => /cached in/.test(first.log()));
const built = /cached in ([\d.]+) s \((\d+) MB\)/.exec(first.log());
const firstFrameS = (building[0]! - first.spawnedMs) / 1000;
const steady = await stream(Number(values.seconds));
const rss = rssMb(first.child.pid!);
first.child.kill('SIGTERM');
await new Promise((r) => first.child.once('exit', r));

const second = await start();
const cached = await stream(2);
const secondFirstS = (cached[0]! - second.spawnedMs) / 1000;
second.child.kill('SIGTERM');
await new Promise((r) => second.child.once('exit', r));
const diskMb = fs.readdirSync(cacheDir).reduce((n, f) => n + fs.statSync(path.join(cacheDir, f)).size, 0) / 1e6;
fs.rmSync(dir, { recursive: true, force: true });

const result = {
  scene: values.scene,
  mode: values.mode,
  depthMm: Number(values['depth-mm']),
  transmits: Number(values.transmits),
  requestedFps: Number(values.fps),
  uncached: { firstFrameS: +firstFrameS.toFixed(2), buildS: built ? Number(built[1]) : null, framesDuringBuild: building.length, fpsDuringBuild: +rate(building).toFixed(1) },
  cached: { fps: +rate(steady).toFixed(1), frames: steady.length, firstFrameAfterStartS: +secondFirstS.toFixed(2), simulatorRssMb: +rss.toFixed(0), diskMb: +diskMb.toFixed(0) },
};
process.stdout.write(JSON.stringify(result, null, 1) + '\n');
