/** Command-line options of the simulated probe (`pleura sim`, and the app's forked simulator). */
import { parseArgs } from 'node:util';

export interface SimulatorArgs {
  listen?: string;
  pty?: string;
  probeModel: string;
  seed: number;
  /** Replay a loop of this many simulated frames (0: simulate every frame live). */
  loopFrames: number;
}

export function parseSimulatorArgs(argv: string[]): SimulatorArgs {
  const { values } = parseArgs({
    args: argv,
    options: { listen: { type: 'string' }, pty: { type: 'string' }, probe: { type: 'string', default: 'C5-2v' }, seed: { type: 'string', default: '1' }, 'loop-frames': { type: 'string', default: '0' } },
    strict: true,
  });
  if (!values.listen === !values.pty) throw new Error('pleura sim: give exactly one of --listen unix:PATH|tcp:HOST:PORT and --pty PATH');
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`pleura sim: --seed ${values.seed} is not an integer`);
  const loopFrames = Number(values['loop-frames']);
  if (!Number.isInteger(loopFrames) || loopFrames < 0) throw new Error(`pleura sim: --loop-frames ${values['loop-frames']} is not a whole number ≥ 0`);
  return { loopFrames, ...(values.listen ? { listen: values.listen } : {}), ...(values.pty ? { pty: values.pty } : {}), probeModel: values.probe!, seed };
}
