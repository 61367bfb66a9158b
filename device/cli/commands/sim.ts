/** `pleura sim`: the simulated probe on its own, until Ctrl-C. */
import { runSimulator } from '../../../drivers/sim/run-simulator.js';
import { parseSimulatorArgs } from '../../../drivers/sim/sim-args.js';

export async function sim(): Promise<number> {
  const args = parseSimulatorArgs(process.argv.slice(3));
  const log = (line: string) => process.stderr.write(`${new Date().toISOString()} [sim] ${line}\n`);
  const running = await runSimulator({ ...args, log });
  process.stdout.write(`simulated ${args.probeModel} probe at ${running.address} (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await running.close();
  return 0;
}
