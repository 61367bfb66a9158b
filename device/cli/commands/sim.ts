/**
 * `pleura sim`: the simulated probe on its own, until Ctrl-C; `pleura sim export`: a labelled
 * dataset of simulated frames (docs/simulator.md).
 */
import { exportDataset } from '../../../drivers/sim/export/dataset-export.js';
import { defaultTransmits, type DatasetSpec, type ExportMode } from '../../../drivers/sim/export/dataset-spec.js';
import { probeModelByName } from '../../../drivers/sim/physics/probes.js';
import { runSimulator } from '../../../drivers/sim/run-simulator.js';
import { loadScene } from '../../../drivers/sim/scene/load.js';
import { PRESET_NAMES } from '../../../drivers/sim/scene/presets.js';
import { parseSimulatorArgs } from '../../../drivers/sim/sim-args.js';

type Values = Record<string, string | boolean | undefined>;

const log = (line: string): void => void process.stderr.write(`${new Date().toISOString()} [sim] ${line}\n`);

/** A progress line that rewrites itself on a terminal and prints every 10 % otherwise. */
function progressPrinter(what: string): (done: number, total: number, detail?: string) => void {
  let lastTenth = -1;
  return (done, total, detail = '') => {
    const pct = Math.floor((100 * done) / total);
    const line = `${what}: ${done}/${total} (${pct} %)${detail}`;
    if (process.stderr.isTTY) process.stderr.write(`\r${line}${done === total ? '\n' : ''}`);
    else if (Math.floor(pct / 10) !== lastTenth || done === total) {
      lastTenth = Math.floor(pct / 10);
      process.stderr.write(`${line}\n`);
    }
  };
}

const SIM_USAGE = `usage: pleura sim (--listen unix:PATH|tcp:HOST:PORT | --pty LINK) [--probe C5-2v|L11-5v] [--seed N]
                  [--scene NAME|FILE] [--live] [--cache-dir DIR] [--no-truth] [--loop-frames N]
                  [--flash-dir DIR [--firmware-trust trust.json]] [--dead-elements I,J] [--weak-elements K]
       pleura sim export --scene NAME|FILE --frames N --out DIR [--probe C5-2v|L11-5v] [--seed N]
                  [--mode rf|bmode|both] [--depth-mm N] [--frame-rate HZ] [--transmits N] [--clip-frames N]
                  [--workers N] [--png]
scenes: ${PRESET_NAMES.join(', ')}, or a JSON scene file (docs/simulator.md)
`;

export async function sim(args: { positionals: string[]; values: Values }): Promise<number> {
  if (args.positionals[0] === 'export') return simExport(args.values);
  if (args.positionals[0] === 'help') {
    process.stdout.write(SIM_USAGE);
    return 0;
  }
  if (args.positionals.length > 0) {
    process.stderr.write(`pleura sim: unknown subcommand "${args.positionals[0]}"\n${SIM_USAGE}`);
    return 2;
  }
  const opts = parseSimulatorArgs(process.argv.slice(3));
  const progress = progressPrinter('building simulation loop (frames play meanwhile)');
  const running = await runSimulator({ ...opts, log, onProgress: (built, total) => progress(built, total) });
  process.stdout.write(`simulated ${opts.probeModel} probe at ${running.address}, scene "${opts.scene}" (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await running.close();
  return 0;
}

function numberFlag(values: Values, name: string, fallback: number, check: (n: number) => boolean, what: string): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || !check(n)) throw new Error(`pleura sim export: --${name} ${String(raw)}: ${what}`);
  return n;
}

async function simExport(values: Values): Promise<number> {
  const out = values.out;
  if (typeof out !== 'string' || values.frames === undefined) {
    process.stderr.write(`pleura sim export needs --frames and --out\n${SIM_USAGE}`);
    return 2;
  }
  const probe = probeModelByName(typeof values.probe === 'string' ? values.probe : 'C5-2v');
  const mode = (values.mode ?? 'bmode') as ExportMode;
  if (!['rf', 'bmode', 'both'].includes(mode)) throw new Error(`pleura sim export: --mode ${String(mode)}: rf, bmode or both`);
  const frames = numberFlag(values, 'frames', 0, (n) => Number.isInteger(n) && n >= 1, 'a whole number ≥ 1');
  const spec: DatasetSpec = {
    probeModel: probe.model,
    scene: loadScene(typeof values.scene === 'string' ? values.scene : 'normal'),
    seed: numberFlag(values, 'seed', 1, Number.isInteger, 'an integer'),
    frames,
    clipFrames: numberFlag(values, 'clip-frames', Math.min(frames, 120), (n) => Number.isInteger(n) && n >= 1, 'a whole number ≥ 1'),
    frameRateHz: numberFlag(values, 'frame-rate', 30, (n) => n > 0 && n <= 120, '0 < Hz ≤ 120'),
    depthM: numberFlag(values, 'depth-mm', probe.geometry.kind === 'convex' ? 120 : 40, (n) => n >= 20 && n <= 300, '20..300 mm') / 1000,
    transmits: defaultTransmits(probe.geometry.kind, numberFlag(values, 'transmits', 3, (n) => Number.isInteger(n) && n >= 1 && n <= 16, '1..16')),
    mode,
    png: values.png === true,
  };
  const progress = progressPrinter('export');
  const workers = values.workers === undefined ? undefined : numberFlag(values, 'workers', 1, (n) => Number.isInteger(n) && n >= 1, 'a whole number ≥ 1');
  const manifest = await exportDataset(spec, out, {
    ...(workers ? { workers } : {}),
    log,
    onProgress: (done, total, fps) => progress(done, total, `, ${fps.toFixed(1)} frames/s, ~${((total - done) / Math.max(fps, 1e-9)).toFixed(0)} s left`),
  });
  process.stdout.write(`wrote ${spec.frames} labelled frames to ${out} in ${manifest.buildSeconds.toFixed(1)} s (${(spec.frames / manifest.buildSeconds).toFixed(1)} frames/s)\n`);
  return 0;
}
