/**
 * `pleura bench pipeline [--json] [--frames N] [--fps HZ] [--mode rf|bmode] [--infer on|off|both]`:
 * runs the real device (simulated probe replaying a loop of simulated frames, stages as
 * processes, kiosk server) with one WebSocket client reading frames like the kiosk page, and
 * measures over N frames sent: frames per second, latency from frame complete (acquire) to
 * WebSocket sent (p50, p99, max), per-stage processing and bus times from each frame's own
 * trace, and drops. With `--infer both` (the default) it runs twice, without and with the infer
 * stage (lung findings beside the display path), and reports what inference adds to the image
 * path's latency, the inference rate and the frames the infer stage skipped.
 * A benchmark prints numbers; it asserts nothing.
 *
 * `pleura bench beamform …`: the beamformer alone on a reference dataset (bench-beamform.ts).
 */
import os from 'node:os';
import WebSocket from 'ws';
import { DeviceApp } from '../../app.js';
import { loadConfig } from '../../config/load.js';
import { createLogger } from '../../log.js';
import { RollingPercentiles } from '../../../pipeline/stats/rolling-percentiles.js';
import { benchBeamformCommand } from './bench-beamform.js';

export async function bench({ positionals, values }: { positionals: string[]; values: Record<string, string | boolean | undefined> }): Promise<number> {
  if (positionals[0] === 'beamform') return benchBeamformCommand(values);
  if (positionals[0] !== 'pipeline') {
    process.stderr.write('usage: pleura bench pipeline [--json] [--frames N] [--fps HZ] [--mode rf|bmode] [--warmup-frames N] [--infer on|off|both] [--findings-model MANIFEST]\n       pleura bench beamform [--json] [--dataset DIR] [--frames N] [--threads N] [--interpolation exact|upsampled|both]\n');
    return 2;
  }
  const infer = (values.infer as string | undefined) ?? 'both';
  if (!['on', 'off', 'both'].includes(infer)) {
    process.stderr.write(`pleura bench pipeline: --infer ${infer}: expected on, off or both\n`);
    return 2;
  }
  if (infer !== 'both') {
    const run = await benchOnce(values, infer === 'on');
    if (values.json) process.stdout.write(JSON.stringify(run, null, 2) + '\n');
    else printTable(run);
    return 0;
  }
  const off = await benchOnce(values, false);
  const on = await benchOnce(values, true);
  const p50 = (x: RunResult) => x.latencyFrameCompleteToWsSentMs?.p50 ?? NaN;
  const p99 = (x: RunResult) => x.latencyFrameCompleteToWsSentMs?.p99 ?? NaN;
  const result = {
    benchmark: 'pipeline-infer',
    machine: on.machine,
    settings: on.settings,
    imagePathAddedLatencyMs: { p50: r(p50(on) - p50(off)), p99: r(p99(on) - p99(off)), targetP50: 10 },
    inference: on.inference,
    runs: { off, on },
  };
  if (values.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  else {
    process.stdout.write(`image path, frame complete → WebSocket sent: p50 ${p50(off)} → ${p50(on)} ms (+${result.imagePathAddedLatencyMs.p50}), p99 ${p99(off)} → ${p99(on)} ms (+${result.imagePathAddedLatencyMs.p99})\n`);
    process.stdout.write(`inference: ${JSON.stringify(on.inference)}\n`);
    process.stdout.write(`display frames/s: off ${off.framesPerSecond.sentToKiosk}, on ${on.framesPerSecond.sentToKiosk}\n`);
  }
  return 0;
}

type RunResult = Awaited<ReturnType<typeof benchOnce>>;

async function benchOnce(values: Record<string, string | boolean | undefined>, inferOn: boolean) {
  const frames = Number(values.frames ?? 1000);
  const fps = Number(values.fps ?? 30);
  const mode = (values.mode as string | undefined) ?? 'rf';
  const warmupFrames = Number(values['warmup-frames'] ?? 60);
  // One second of motion in the replayed loop, simulated once while warming up.
  const loopFrames = Math.max(1, Math.round(fps));
  const config = loadConfig({
    env: {},
    flags: {
      port: '0',
      mode,
      'frame-rate': String(fps),
      'log-level': 'warn',
      findings: inferOn ? 'on' : 'off',
      ...(typeof values['findings-model'] === 'string' ? { 'findings-model': values['findings-model'] } : {}),
    },
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

  const pct = (p: RollingPercentiles | undefined) => (p && p.size ? { p50: r(p.percentile(50)), p99: r(p.percentile(99)), max: r(p.max), n: p.size } : null);
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
  const startFindings = app.findings?.received ?? 0;
  if (app.findings) app.findings.ageMs = new RollingPercentiles(frames + 64);
  progress(`measuring ${frames} frames at ${fps} Hz (${mode}), inference ${inferOn ? 'on' : 'off'}`);
  await waitFor(() => received - startReceived >= frames, Math.max(120_000, (frames / fps) * 20_000));
  const seconds = (performance.now() - t0) / 1000;
  const endStatus = app.status();
  const findingsReceived = (app.findings?.received ?? 0) - startFindings;
  const findingsAge = app.findings ? pct(app.findings.ageMs) : null;
  ws.close();
  await app.stop();

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
    inference: inferOn
      ? {
          model: endStatus.models[0] ? { name: endStatus.models[0].name, version: endStatus.models[0].version, state: endStatus.models[0].state, executionProvider: endStatus.models[0].executionProvider, error: endStatus.models[0].error } : null,
          framesAnalyzedPerSecond: r(findingsReceived / seconds),
          inferStageMs: endStatus.models[0] ? { p50: endStatus.models[0].latencyMsP50, p99: endStatus.models[0].latencyMsP99 } : null,
          frameCompleteToFindingsInAppMs: findingsAge,
          framesSkippedByInfer: (endStatus.models[0]?.droppedFrames ?? 0) - (startStatus.models[0]?.droppedFrames ?? 0),
        }
      : null,
  };
  return result;
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
