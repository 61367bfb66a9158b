/**
 * `pleura record --frames N --out FILE`: writes every byte received from the probe (handshake,
 * acknowledgements, STATUS and N frames) to FILE, exactly as it came off the link, for
 * `pleura decode` and for replaying link problems. The probe is the configured one; with the
 * default configuration the simulated probe is started for the recording.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ProbeLink } from '../../../drivers/probe/probe-link.js';
import { createTransport } from '../../../drivers/transports/open-transport.js';
import { configFromFlags } from '../config-from-flags.js';
import { simulatedProbe } from '../../probe/simulated-probe-process.js';

export async function record({ values }: { values: Record<string, string | boolean | undefined> }): Promise<number> {
  const frames = Number(values.frames);
  const out = values.out;
  if (!Number.isInteger(frames) || frames < 1 || typeof out !== 'string') {
    process.stderr.write('usage: pleura record --frames N --out FILE [--probe …] [--mode rf|bmode] [--depth-mm N]\n');
    return 2;
  }
  const config = configFromFlags('record', values);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-record-'));
  let transportSpec = config.probe.transport;
  const sim = transportSpec.kind === 'sim' ? simulatedProbe(tmp, transportSpec) : null;
  if (sim) {
    sim.process.start();
    await sim.process.whenRunning(15_000);
    transportSpec = sim.transport;
  }
  if (transportSpec.kind === 'sim') throw new Error('unreachable: the simulated probe resolves to a socket or serial link');
  const file = fs.createWriteStream(out);
  const transport = createTransport(transportSpec);
  let bytes = 0;
  transport.on('data', (chunk) => {
    bytes += chunk.length;
    file.write(chunk);
  });
  const link = new ProbeLink({ transport });
  try {
    const id = await withTimeout(link.connect(), 15_000, 'the probe did not answer IDENTIFY within 15 s');
    await link.configure({
      preset: config.probe.preset,
      depthM: config.probe.depthMm / 1000,
      gainDb: config.probe.gainDb,
      mode: config.probe.mode,
      frameRateHz: config.probe.frameRateHz,
      transmits: config.probe.transmits,
    });
    let seen = 0;
    const done = new Promise<void>((resolve) =>
      link.on('frame', () => {
        if (++seen === frames) resolve();
      }),
    );
    await link.start();
    await withTimeout(done, Math.max(30_000, (frames / config.probe.frameRateHz) * 5000), `fewer than ${frames} frames arrived`);
    await link.stop();
    process.stdout.write(`recorded ${frames} frames from ${id.model} ${id.serial}: ${bytes} bytes → ${out}\n`);
    return 0;
  } finally {
    await link.close();
    await new Promise<void>((resolve) => file.end(resolve));
    await sim?.process.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]).finally(() => clearTimeout(timer));
}
