/**
 * `pleura bench pipeline [--json] [--frames N] [--fps HZ] [--mode rf|bmode]`: runs the real
 * device (simulated probe replaying a loop of simulated frames, stages as processes, kiosk
 * server) with one WebSocket client reading frames like the kiosk page, and measures over N
 * frames sent: frames per second, latency from frame complete (acquire) to WebSocket sent
 * (p50, p99, max), per-stage processing and bus times from each frame's own trace, and drops.
 * A benchmark prints numbers; it asserts nothing.
 *
 * `pleura bench beamform …`: the beamformer alone on a reference dataset (bench-beamform.ts).
 */
import os from 'node:os';
import WebSocket from 'ws';
import { DeviceApp } from '../../app.js';
import { loadConfig } from '../../config/load.js';
import { createLogger } from '../../log.js';
import type { RollingPercentiles } from '../../../pipeline/stats/rolling-percentiles.js';
import { benchBeamformCommand } from './bench-beamform.js';

export async function bench({ positionals, values }: { positionals: string[]; values: Record<string, string | boolean | undefined> }): Promise<number> {
  if (positionals[0] === 'beamform') return benchBeamformCommand(values);
  if (positionals[0] !== 'pipeline') {
    process.stderr.write('usage: pleura bench pipeline [--json] [--frames N] [--fps HZ] [--mode rf|bmode] [--warmup-frames N]\n       pleura bench beamform [--json] [--dataset DIR] [--frames N] [--threads N] [--interpolation exact|upsampled|both]\n');
    return 2;
  }
  const frames = Number(values.frames ?? 1000);
  const fps = Number(values.fps ?? 30);
  const mode = (values.mode as string | undefined) ?? 'rf';
  const warmupFrames = Number(values['warmup-frames'] ?? 60);
  // One second of motion in the replayed loop, simulated once while warming up.
  const loopFrames = Math.max(1, Math.round(fps));
  const config = loadConfig({
    env: {},
    flags: { port: '0', mode, 'frame-rate': String(fps), 'log-level': 'warn' },
  });
  if (config.probe.transport.kind === 'sim') config.probe.transport.loopFrames = loopFrames;
  const app = new DeviceApp(config, createLogger('warn'));
  await app.start();
  const ws = new WebSocket(`${app.url.replace(/^http/, 'ws').replace(/\/$/, '')}/ws`, { perMessageDeflate: false, headers: { origin: app.url.replace(/\/$/, '') } });
  let received = 0;
  ws.on('message', (_data, isBinary) => {
    if (isBinary) received++;
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });

  const progress = (msg: string) => {
    if (!values.json) process.stderr.write(msg + '\n');
  };
  progress(`warming up: simulating a ${loopFrames}-frame loop, then ${warmupFrames} frames`);
  await waitFor(() => app.sink.framesShown >= loopFrames + warmupFrames, 300_000);
  app.sink.resetStats(frames + 64);
  const startStatus = app.status();
  const startReceived = received;
  const startShown = app.sink.framesShown;
  const t0 = performance.now();
  progress(`measuring ${frames} frames at ${fps} Hz (${mode})`);
  await waitFor(() => received - startReceived >= frames, Math.max(120_000, (frames / fps) * 20_000));
  const seconds = (performance.now() - t0) / 1000;
  const endStatus = app.status();
  ws.close();
  await app.stop();

  const pct = (p: RollingPercentiles | undefined) => (p && p.size ? { p50: r(p.percentile(50)), p99: r(p.percentile(99)), max: r(p.max), n: p.size } : null);
  const dropped: Record<string, number> = {};
  for (const [name, s] of Object.entries(endStatus.pipeline.stages)) dropped[name] = s.dropped - (startStatus.pipeline.stages[name]?.dropped ?? 0);
  const result = {
    benchmark: 'pipeline',
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGiB: r(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.arch()}` },
    settings: { mode, probeFrameRateHz: fps, frames, depthMm: config.probe.depthMm, transmits: config.probe.transmits.parameters.length, grid: mode === 'rf' ? `${config.pipeline.beamform.depthSamples}×${config.pipeline.beamform.scanLines}` : 'probe', display: `${config.pipeline.enhance.displayWidth}×${config.pipeline.enhance.displayHeight}` },
    durationS: r(seconds),
    framesPerSecond: { sentToKiosk: r((received - startReceived) / seconds), shownByApp: r((app.sink.framesShown - startShown) / seconds) },
    latencyFrameCompleteToWsSentMs: pct(app.sink.sentLatency),
    stageProcessingMs: Object.fromEntries([...app.sink.stageMs].map(([k, v]) => [k, pct(v)])),
    busTransitMs: Object.fromEntries([...app.sink.transitMs].map(([k, v]) => [k, pct(v)])),
    droppedDuringRun: dropped,
    kiosk: endStatus.kiosk,
  };
  if (values.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  else printTable(result);
  return 0;
}

function r(v: number): number {
  return Math.round(v * 100) / 100;
}

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`benchmark timed out after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

function printTable(result: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(result)) process.stdout.write(`${k}: ${JSON.stringify(v)}\n`);
}
