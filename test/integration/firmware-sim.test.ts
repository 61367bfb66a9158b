/**
 * Probe firmware on the simulated probe as its own process (`pleura sim --flash-dir`): the
 * probe loses power (SIGKILL) in the middle of a flash, comes back with its firmware intact, the
 * flash resumes where it stopped, and the new firmware survives another power cycle.
 */
import type { ChildProcess } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { BootloaderClient } from '../../drivers/firmware/bootloader-client.js';
import { buildFirmwareImage } from '../../drivers/firmware/firmware-image.js';
import { flashFirmware } from '../../drivers/firmware/flasher.js';
import { createTransport } from '../../drivers/transports/open-transport.js';
import { generateKeyPair, publicEntryOf } from '../../device/update/keys.js';
import { newTrustBody, signTrust } from '../../device/update/trust.js';
import { startSimulator } from '../helpers/device.js';

function startSim(socket: string, flashDir: string, trustFile: string): Promise<ChildProcess> {
  return startSimulator(['--listen', `unix:${socket}`, '--flash-dir', flashDir, '--firmware-trust', trustFile, '--live']);
}

async function runningFirmware(socket: string): Promise<string> {
  const t = createTransport({ kind: 'socket', address: `unix:${socket}` });
  await t.open();
  const c = new BootloaderClient(t);
  try {
    return (await c.identify()).firmwareVersion;
  } finally {
    await c.close();
  }
}

test.serial('power loss mid-flash on pleura sim: the probe keeps working, the flash resumes and sticks', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-fwsim-'));
  const root = generateKeyPair();
  const release = generateKeyPair();
  const trust = signTrust(newTrustBody([root], [release], { expires: '2099-01-01T00:00:00Z', scopes: ['firmware'] }), [{ key: createPrivateKey(root.privateKeyPem), keyId: root.keyId }]);
  const trustFile = path.join(dir, 'trust.json');
  fs.writeFileSync(trustFile, JSON.stringify(trust));
  const socket = path.join(dir, 'probe.sock');
  const flashDir = path.join(dir, 'flash');
  const image = buildFirmwareImage('SIM-C5-2v', 'pleura-sim 2.1', Buffer.from('new firmware '.repeat(20_000)), release.privateKeyPem);
  const opts = { transport: { kind: 'socket' as const, address: `unix:${socket}` }, journalFile: path.join(dir, 'journal.json'), trustedKeys: [publicEntryOf(createPrivateKey(release.privateKeyPem))], chunkBytes: 8192 };

  let sim = await startSim(socket, flashDir, trustFile);
  t.teardown(() => sim.kill('SIGKILL'));
  t.is(await runningFirmware(socket), 'pleura-sim 2.0', 'the factory (golden) firmware runs');

  // Power loss halfway through writing.
  await t.throwsAsync(
    flashFirmware(image, {
      ...opts,
      afterStep: (step, written) => {
        if (step === 'writing' && written >= image.length / 2) {
          sim.kill('SIGKILL');
          throw new Error('power lost');
        }
      },
    }),
  );
  await new Promise((r) => sim.once('exit', r));
  sim = await startSim(socket, flashDir, trustFile);
  t.is(await runningFirmware(socket), 'pleura-sim 2.0', 'after the power cut the old firmware still runs');

  const result = await flashFirmware(image, opts);
  t.true(result.resumedAt !== null && result.resumedAt >= image.length / 2, `resumed at ${result.resumedAt}`);
  t.is(result.to, 'pleura-sim 2.1');
  t.is(await runningFirmware(socket), 'pleura-sim 2.1');

  sim.kill('SIGKILL');
  await new Promise((r) => sim.once('exit', r));
  sim = await startSim(socket, flashDir, trustFile);
  t.is(await runningFirmware(socket), 'pleura-sim 2.1', 'confirmed firmware survives a power cycle');
});
