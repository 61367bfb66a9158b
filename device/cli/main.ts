#!/usr/bin/env node
/**
 * `pleura`: the command line of the device. One file per command under commands/.
 *   pleura start                       run the device (simulated probe by default)
 *   pleura sim --listen ADDR|--pty P   run the simulated probe on its own
 *   pleura record --frames N --out F   write the raw bytes received from the probe
 *   pleura decode FILE --json          summarise a recorded byte stream
 *   pleura bench pipeline --json       measure the pipeline end to end
 *   pleura export EXAM_ID --out DIR    write an exam's DICOM objects
 *   pleura analyze FILE... --json      lung findings and LUS score of recorded clips/images
 */
import { parseArgs } from 'node:util';
import { CliExit } from './config-from-flags.js';

const USAGE = `usage: pleura <command> [options]

commands:
  start   [--config FILE] [--port N] [--host H] [--probe sim|sim:pty|serial:PATH|socket:ADDR|usb:VID:PID]
          [--mode rf|bmode] [--depth-mm N] [--gain-db N] [--frame-rate HZ] [--log-level L] [--data-dir DIR]
          [--findings on|off] [--findings-model MANIFEST.json]
  sim     (--listen unix:PATH|tcp:HOST:PORT | --pty LINK) [--probe C5-2v|L11-5v] [--seed N] [--loop-frames N]
  record  --frames N --out FILE [--probe ...] [--mode rf|bmode]
  decode  FILE [--json]
  update  keygen|trust|build|sign|verify|install|status|boot-guard …   signed update bundles (docs/updates.md)
  provision --serial SN --site NAME --pin-stdin …   device identity, keys, technician PIN, sync destination
  probe-firmware build|flash …        signed probe firmware, resumable flashing
  wait-for-kiosk [--timeout-s N]      wait until the kiosk server answers (service start-up)
  bench   pipeline [--json] [--frames N] [--fps HZ] [--mode rf|bmode] [--warmup-frames N] [--infer on|off|both] [--findings-model F]
  bench   beamform [--json] [--dataset DIR] [--frames N] [--threads N] [--interpolation exact|upsampled]
  beamform DATASET_DIR --out PREFIX [--transmits all|center] [--threads N] [--interpolation exact|upsampled] [--json]
  metrics DATASET_DIR [--envelope FILE.f32] [--transmits all|center] [--enhance LIST] [--json]
  export  EXAM_ID --out DIR [--data-dir DIR] [--json]
  analyze FILE... [--json] [--every N] [--method model|classical] [--model MANIFEST]   findings of clips/images (docs/models/analyze.md)
`;

const str = { type: 'string' } as const;
const OPTIONS = {
  config: str, port: str, host: str, probe: str, mode: str, 'depth-mm': str, 'gain-db': str, 'frame-rate': str,
  'log-level': str, 'runtime-dir': str, listen: str, pty: str, seed: str, 'loop-frames': str, frames: str, out: str, fps: str,
  'warmup-frames': str, 'data-dir': str, findings: str, 'findings-model': str, infer: str,
  scene: str, 'flash-dir': str, 'firmware-trust': str, 'cache-dir': str, workers: str, 'clip-frames': str, transmits: str, live: { type: 'boolean' }, 'no-truth': { type: 'boolean' }, png: { type: 'boolean' },
  kind: str, 'release-version': str, 'min-version': str, hardware: str, key: str, trust: str, installed: str,
  root: str, release: str, 'trust-version': str, expires: str, name: str, 'timeout-s': str, model: str, 'fw-version': str, body: str, journal: str, serial: str, site: str, 'pin-file': str, 'config-dir': str,
  'sync-url': str, 'sync-auth': str, 'sync-user': str, 'sync-client-id': str, 'sync-token-url': str, 'sync-secret-file': str, owner: str,
  'pin-stdin': { type: 'boolean' }, force: { type: 'boolean' },
  threads: str, interpolation: str, envelope: str, dataset: str, enhance: str,
  json: { type: 'boolean' },
  every: str, method: str,
} as const;

type Handler = (args: { positionals: string[]; values: Record<string, string | boolean | undefined> }) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Handler>> = {
  start: async () => (await import('./commands/start.js')).start,
  sim: async () => (await import('./commands/sim.js')).sim,
  record: async () => (await import('./commands/record.js')).record,
  decode: async () => (await import('./commands/decode.js')).decode,
  bench: async () => (await import('./commands/bench.js')).bench,
  beamform: async () => (await import('./commands/beamform.js')).beamform,
  metrics: async () => (await import('./commands/metrics.js')).metrics,
  export: async () => (await import('./commands/export.js')).exportExam,
  update: async () => (await import('./commands/update.js')).update,
  provision: async () => (await import('./commands/provision.js')).provisionCommand,
  'probe-firmware': async () => (await import('./commands/probe-firmware.js')).probeFirmware,
  'wait-for-kiosk': async () => (await import('./commands/wait-for-kiosk.js')).waitForKiosk,
  analyze: async () => (await import('./commands/analyze.js')).analyze,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  const load = COMMANDS[command];
  if (!load) {
    process.stderr.write(`pleura: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: OPTIONS, strict: true, allowPositionals: true });
  } catch (err) {
    process.stderr.write(`pleura ${command}: ${(err as Error).message}\n`);
    return 2;
  }
  const handler = await load();
  try {
    return await handler({ positionals: parsed.positionals, values: parsed.values });
  } catch (err) {
    if (err instanceof CliExit) return err.code;
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`pleura: ${err.name === 'Error' ? '' : err.name + ': '}${err.message}\n`);
    process.exitCode = 1;
  },
);
