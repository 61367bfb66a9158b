/**
 * When the configuration asks for the simulated probe, the device app runs `pleura sim` as its
 * own supervised process and points the acquire stage at it like at any other probe: over a
 * real pseudo-terminal (serial transport) or a Unix socket.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TransportConfig } from '../config/schema.js';
import { ManagedProcess } from '../../pipeline/supervision/managed-process.js';

const SIM_MAIN = fileURLToPath(new URL('../../drivers/sim/sim-process.js', import.meta.url));

export interface SimulatedProbeLink {
  process: ManagedProcess;
  /** What the acquire stage opens. */
  transport: TransportConfig;
}

export function simulatedProbe(runtimeDir: string, sim: Extract<TransportConfig, { kind: 'sim' }>): SimulatedProbeLink {
  const args = ['--probe', sim.probeModel, '--seed', String(sim.seed), '--loop-frames', String(sim.loopFrames)];
  if (sim.scene) args.push('--scene', sim.scene);
  if (sim.live) args.push('--live');
  if (sim.cacheDir) args.push('--cache-dir', sim.cacheDir);
  if (sim.truth === false) args.push('--no-truth');
  // The probe's firmware flash (bootloader) and faulty elements: for the maintenance page's tests.
  if (sim.flashDir) args.push('--flash-dir', sim.flashDir);
  if (sim.firmwareTrust) args.push('--firmware-trust', sim.firmwareTrust);
  if (sim.deadElements?.length) args.push('--dead-elements', sim.deadElements.join(','));
  if (sim.weakElements?.length) args.push('--weak-elements', sim.weakElements.join(','));
  let transport: TransportConfig;
  if (sim.link === 'pty') {
    const hostLink = path.join(runtimeDir, 'probe-tty');
    args.push('--pty', hostLink);
    transport = { kind: 'serial', path: hostLink, baudRate: 3_000_000 };
  } else {
    const socketPath = path.join(runtimeDir, 'probe.sock');
    args.push('--listen', `unix:${socketPath}`);
    transport = { kind: 'socket', address: `unix:${socketPath}` };
  }
  const proc = new ManagedProcess({ name: 'simulated probe', modulePath: SIM_MAIN, args });
  return { process: proc, transport };
}
