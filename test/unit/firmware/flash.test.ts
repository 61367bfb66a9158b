/**
 * Probe firmware updates against the simulated bootloader (SimFlash on disk, served on a Unix
 * socket): the happy path, every refusal, and interruptions at each step — a pulled cable
 * mid-write, the host dying, the probe losing power before confirmation or inside the swap.
 * After each, the probe boots a valid image and a new attempt finishes cleanly.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { flashFirmware, FirmwareRefused, type FlashStep } from '../../../drivers/firmware/flasher.js';
import { buildFirmwareImage } from '../../../drivers/firmware/firmware-image.js';
import { SimFlash } from '../../../drivers/firmware/sim-flash.js';
import { ProbeNackError } from '../../../drivers/probe/errors.js';
import { generateKeyPair } from '../../../device/update/keys.js';
import { serveBootloaderProbe } from '../../helpers/bootloader-probe.js';

const MODEL = 'SIM-C5-2v';

/** `probeKey`: the key the probe was manufactured to trust (default: the same the host trusts). */
async function rig(t: import('ava').ExecutionContext, probeKey?: ReturnType<typeof generateKeyPair>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-fw-'));
  const key = generateKeyPair();
  const keys = [{ keyId: key.keyId, publicKey: key.publicKey }];
  const body = (v: string) => Buffer.from(`firmware ${v} `.repeat(6000));
  const image = (v: string, model = MODEL, k = key) => buildFirmwareImage(model, v, body(v), k.privateKeyPem);
  const factory = probeKey ?? key;
  const flash = new SimFlash(path.join(dir, 'flash'), MODEL, [{ keyId: factory.keyId, publicKey: factory.publicKey }]);
  flash.provisionGolden(image('1.0.0', MODEL, factory));
  const socket = path.join(dir, 'probe.sock');
  const probe = await serveBootloaderProbe(socket, flash);
  t.teardown(() => probe.close());
  const opts = { transport: { kind: 'socket' as const, address: `unix:${socket}` }, journalFile: path.join(dir, 'flash-journal.json'), trustedKeys: keys, chunkBytes: 4096 };
  return { dir, key, keys, image, flash, probe, opts };
}

test('flash a new image: written, verified, activated, reset into, confirmed; the old one kept for revert', async (t) => {
  const r = await rig(t);
  const progress: number[] = [];
  const result = await flashFirmware(r.image('1.1.0'), { ...r.opts, onProgress: (done) => progress.push(done) });
  t.deepEqual(result, { from: '1.0.0', to: '1.1.0', resumedAt: null });
  t.is(r.flash.runningVersion(), '1.1.0');
  const [golden, primary, secondary] = r.flash.info();
  t.like(golden, { state: 'valid', version: '1.0.0' });
  t.like(primary, { state: 'valid', version: '1.1.0' });
  t.like(secondary, { state: 'valid', version: '1.0.0' });
  t.true(progress.length > 10 && progress.at(-1) === r.image('1.1.0').length);
  t.false(fs.existsSync(r.opts.journalFile), 'journal removed when done');
  r.flash.boot();
  t.is(r.flash.runningVersion(), '1.1.0', 'a confirmed image survives the next reset');
});

test('refused before anything is written: untrusted key, another model, a tampered image', async (t) => {
  const r = await rig(t);
  const stranger = generateKeyPair();
  await t.throwsAsync(flashFirmware(r.image('1.1.0', MODEL, stranger), r.opts), { instanceOf: FirmwareRefused, message: /does not trust.*nothing was written/ });
  await t.throwsAsync(flashFirmware(r.image('1.1.0', 'SIM-L11-5v'), r.opts), { instanceOf: FirmwareRefused, message: /for probe model SIM-L11-5v/ });
  const tampered = r.image('1.1.0');
  tampered[200] ^= 0xff;
  await t.throwsAsync(flashFirmware(tampered, r.opts), { instanceOf: FirmwareRefused, message: /signature does not match/ });
  t.like(r.flash.info()[2], { state: 'empty' });
  t.is(r.flash.runningVersion(), '1.0.0');
});

test('the probe refuses an image signed by a key it does not trust, and keeps running its firmware', async (t) => {
  const r = await rig(t, generateKeyPair());
  const err = await t.throwsAsync(flashFirmware(r.image('1.1.0'), r.opts), { instanceOf: ProbeNackError });
  t.regex(err!.message, /IMAGE_REJECTED/);
  t.like(r.flash.info()[2], { state: 'rejected' });
  r.flash.boot();
  t.is(r.flash.runningVersion(), '1.0.0');
});

test('a pulled cable mid-write: the next attempt resumes after the last acknowledged chunk', async (t) => {
  const r = await rig(t);
  const image = r.image('1.1.0');
  await t.throwsAsync(
    flashFirmware(image, {
      ...r.opts,
      afterStep: (step, written) => {
        if (step === 'writing' && written >= image.length / 2) throw new Error('cable pulled');
      },
    }),
    { message: /cable pulled/ },
  );
  t.is(r.flash.runningVersion(), '1.0.0', 'the probe still runs its firmware');
  const result = await flashFirmware(image, r.opts);
  t.true(result.resumedAt !== null && result.resumedAt >= image.length / 2, `resumed at ${result.resumedAt}`);
  t.is(r.flash.runningVersion(), '1.1.0');
});

const STEPS: FlashStep[] = ['writing', 'written', 'activated', 'reset'];
for (const step of STEPS) {
  test(`host dies after "${step}" and the probe loses power: it boots a valid image, and a new attempt completes`, async (t) => {
    const r = await rig(t);
    const image = r.image('1.1.0');
    await t.throwsAsync(flashFirmware(image, { ...r.opts, afterStep: (s) => { if (s === step) throw new Error('killed'); } }), { message: /killed/ });
    r.flash.boot(); // power cycle
    const running = r.flash.runningVersion();
    t.true(running === '1.0.0' || running === '1.1.0', `boots a valid image (${running})`);
    const result = await flashFirmware(image, r.opts).catch((err: Error) => err);
    if (result instanceof Error) {
      // After "reset", the power cycle reverted the unconfirmed image: the flasher says so, and a
      // fresh attempt works.
      t.regex(result.message, /went back to 1\.0\.0/);
      await flashFirmware(image, r.opts);
    }
    t.is(r.flash.runningVersion(), '1.1.0');
    r.flash.boot();
    t.is(r.flash.runningVersion(), '1.1.0', 'confirmed: survives another reset');
    });
}

test('power lost inside the swap: the bootloader finishes it at the next boot', async (t) => {
  const r = await rig(t);
  const image = r.image('1.1.0');
  await t.throwsAsync(flashFirmware(image, { ...r.opts, afterStep: (s) => { if (s === 'activated') throw new Error('killed'); } }));
  // The bootloader had begun the swap (primary moved to scratch) when the power went.
  const dir = r.flash.dir;
  fs.renameSync(path.join(dir, 'primary.bin'), path.join(dir, 'scratch.bin'));
  const state = JSON.parse(fs.readFileSync(path.join(dir, 'flash.json'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'flash.json'), JSON.stringify({ ...state, swap: 'swap-in' }));
  const fresh = new SimFlash(dir, MODEL, r.keys);
  t.is(fresh.boot(), '1.1.0');
  t.like(fresh.info()[1], { state: 'testing', version: '1.1.0' });
  t.like(fresh.info()[2], { state: 'valid', version: '1.0.0' });
});
