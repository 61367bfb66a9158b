/**
 * Process entry of the simulated probe when the device app runs it (forked with an IPC channel):
 * it exits when the app goes away, so a simulator never outlives the device.
 */
import { runSimulator } from './run-simulator.js';
import { parseSimulatorArgs } from './sim-args.js';

const opts = parseSimulatorArgs(process.argv.slice(2));
const log = (line: string) => process.stderr.write(`${new Date().toISOString()} INFO  [sim] ${line}\n`);
const sim = await runSimulator({ ...opts, log });
process.send?.({ type: 'ready', address: sim.address });
const stop = () => void sim.close().finally(() => process.exit(0));
process.on('disconnect', stop);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('message', (m: { type?: string }) => {
  if (m.type === 'stop') stop();
});
