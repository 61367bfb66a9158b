/** Command-line options of the simulated probe (`pleura sim`, and the app's forked simulator). */
import { parseArgs } from 'node:util';
import { parseElementList } from './element-faults.js';

function elementList(text: string, flag: string): number[] {
  try {
    return parseElementList(text, flag);
  } catch (err) {
    throw new SimArgsError(`pleura sim: ${(err as Error).message}`);
  }
}

export interface SimulatorArgs {
  listen?: string;
  pty?: string;
  probeModel: string;
  seed: number;
  /** Preset name or JSON scene file (docs/simulator.md); default $PLEURA_SIM_SCENE or `normal`. */
  scene: string;
  /** Replay a loop of this many simulated frames (0: off). For benchmarks of the host. */
  loopFrames: number;
  /** Simulate every frame live instead of playing a cached loop of one breath. */
  live: boolean;
  /** Where loops are cached (default: loop-spec.ts defaultCacheDir). */
  cacheDir?: string;
  /** Send each frame's ground truth as vendor message 0xE0. */
  truth: boolean;
  /** The probe's firmware flash folder: with it the probe answers bootloader messages (docs/updates.md). */
  flashDir?: string;
  /** A trust document whose firmware keys the probe's bootloader trusts (beside its factory key). */
  firmwareTrust?: string;
  /** Elements whose channel is silent / attenuated in RF frames (maintenance element check tests). */
  deadElements?: number[];
  weakElements?: number[];
}

export const SIM_ARG_OPTIONS = {
  listen: { type: 'string' },
  pty: { type: 'string' },
  probe: { type: 'string', default: 'C5-2v' },
  seed: { type: 'string', default: '1' },
  scene: { type: 'string' },
  'loop-frames': { type: 'string', default: '0' },
  live: { type: 'boolean', default: false },
  'cache-dir': { type: 'string' },
  'no-truth': { type: 'boolean', default: false },
  'flash-dir': { type: 'string' },
  'firmware-trust': { type: 'string' },
  'dead-elements': { type: 'string' },
  'weak-elements': { type: 'string' },
} as const;

export class SimArgsError extends Error {
  override name = 'SimArgsError';
}

export function parseSimulatorArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): SimulatorArgs {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: SIM_ARG_OPTIONS, strict: true }));
  } catch (err) {
    throw new SimArgsError(`pleura sim: ${(err as Error).message}`);
  }
  if (!values.listen === !values.pty) throw new SimArgsError('pleura sim: give exactly one of --listen unix:PATH|tcp:HOST:PORT and --pty PATH');
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new SimArgsError(`pleura sim: --seed ${values.seed} is not an integer`);
  const loopFrames = Number(values['loop-frames']);
  if (!Number.isInteger(loopFrames) || loopFrames < 0) throw new SimArgsError(`pleura sim: --loop-frames ${values['loop-frames']} is not a whole number ≥ 0`);
  return {
    loopFrames,
    ...(values.listen ? { listen: values.listen } : {}),
    ...(values.pty ? { pty: values.pty } : {}),
    probeModel: values.probe!,
    seed,
    scene: values.scene ?? env.PLEURA_SIM_SCENE ?? 'normal',
    live: values.live!,
    ...(values['cache-dir'] ? { cacheDir: values['cache-dir'] } : {}),
    truth: !values['no-truth'],
    ...(values['flash-dir'] ? { flashDir: values['flash-dir'] } : {}),
    ...(values['firmware-trust'] ? { firmwareTrust: values['firmware-trust'] } : {}),
    ...(values['dead-elements'] ? { deadElements: elementList(values['dead-elements'], '--dead-elements') } : {}),
    ...(values['weak-elements'] ? { weakElements: elementList(values['weak-elements'], '--weak-elements') } : {}),
  };
}
