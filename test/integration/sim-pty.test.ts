/**
 * The simulated probe as its own process (`pleura sim --pty`) on a real pseudo-terminal made by
 * socat, driven through the serial transport and the probe link exactly as hardware would be:
 * handshake, configuration, RF and B-mode frames, freeze, and a refused configuration; and the
 * simulator's own pty end (PtyConnection) keeps writing against a slow reader.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tty from 'node:tty';
import test from 'ava';
import { ProbeLink, type ProbeFrame } from '../../drivers/probe/probe-link.js';
import { ProbeNackError } from '../../drivers/probe/errors.js';
import { MessageType, type Configure } from '../../drivers/protocol/messages.js';
import { PtyConnection } from '../../drivers/sim/pty-connection.js';
import { startDevice, startSimulator } from '../helpers/device.js';

function requireSocat(): void {
  if (!fs.existsSync('/usr/bin/socat')) throw new Error('socat is not installed: run `apt-get install socat` (scripts/install-test-deps.sh does it as root)');
}


function nextFrames(link: ProbeLink, count: number, timeoutMs: number): Promise<ProbeFrame[]> {
  return new Promise((resolve, reject) => {
    const frames: ProbeFrame[] = [];
    const timer = setTimeout(() => {
      link.off('frame', onFrame);
      reject(new Error(`only ${frames.length} of ${count} frames within ${timeoutMs} ms`));
    }, timeoutMs);
    const onFrame = (f: ProbeFrame) => {
      frames.push(f);
      if (frames.length === count) {
        clearTimeout(timer);
        link.off('frame', onFrame);
        resolve(frames);
      }
    };
    link.on('frame', onFrame);
  });
}

const lungRf: Configure = { preset: 'lung', depthM: 0.06, gainDb: 0, mode: 'rf', frameRateHz: 10, transmits: { kind: 'diverging', parameters: [0] } };

test.serial('pleura sim over a real pty: identify, RF and B-mode frames, freeze, refused configuration', async (t) => {
  requireSocat();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-pty-'));
  const ptyPath = path.join(dir, 'probe-tty');
  const sim = await startSimulator(['--pty', ptyPath]);
  const link = new ProbeLink({ transport: { kind: 'serial', path: ptyPath } });
  try {
    t.true(fs.lstatSync(ptyPath).isSymbolicLink() && fs.realpathSync(ptyPath).startsWith('/dev/pts/'), 'a real pseudo-terminal');
    const id = await link.connect();
    t.is(id.model, 'SIM-C5-2v');
    t.is(id.selectedVersion, 1);
    t.like(id.geometry, { kind: 'convex', elementCount: 128, centerFrequencyHz: 3.57e6 });

    await link.configure(lungRf);
    await link.start();
    const [rf] = await nextFrames(link, 2, 10_000);
    t.is(rf!.message.type, MessageType.FRAME_RF);
    if (rf!.message.type === MessageType.FRAME_RF) {
      const f = rf!.message.body;
      t.is(f.transmitCount, 1);
      t.is(f.elementCount, 128);
      const expectedSamples = (2 * 0.06) / 1540 * f.samplingRateHz;
      t.true(f.sampleCount >= expectedSamples && f.sampleCount < expectedSamples * 1.3, `record length ${f.sampleCount} samples for 60 mm`);
      t.true(f.samples.some((v) => Math.abs(v) > 100), 'echoes, not silence');
    }

    // Freeze: no frames for 600 ms, STATUS keeps coming.
    await link.freeze(true);
    await new Promise((r) => setTimeout(r, 300));
    const before = link.stats.decoder.frames.FRAME_RF ?? 0;
    await new Promise((r) => setTimeout(r, 600));
    t.is(link.stats.decoder.frames.FRAME_RF ?? 0, before, 'frozen probe sends no frames');
    await link.freeze(false);

    // An impossible depth is refused and the previous configuration stays.
    const err = await t.throwsAsync(link.configure({ ...lungRf, depthM: 0.5 }), { instanceOf: ProbeNackError });
    t.regex(err!.message, /OUT_OF_RANGE.*depth 500 mm/);

    // B-mode: the probe beamforms itself.
    await link.configure({ ...lungRf, mode: 'bmode' });
    const frames = await nextFrames(link, 2, 10_000);
    const bmode = frames.find((f) => f.message.type === MessageType.FRAME_BMODE);
    t.truthy(bmode, 'B-mode frames after switching mode');
    if (bmode?.message.type === MessageType.FRAME_BMODE) {
      const b = bmode.message.body;
      t.is(b.geometry.kind, 'polar');
      t.is(b.pixels.length, b.width * b.height);
      t.true(b.pixels.some((p) => p > 100), 'bright pixels (the pleural line)');
    }
    const d = link.stats.decoder;
    t.is(d.crcErrors + d.headerErrors + d.badPayload + d.bytesSkipped, 0, `a clean link: ${JSON.stringify(d)}`);
  } finally {
    await link.close();
    sim.kill('SIGTERM');
    await new Promise((r) => sim.once('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.serial('the whole device with the simulated probe on a pty (B-mode) shows frames', async (t) => {
  requireSocat();
  const device = await startDevice(['--probe', 'sim:pty', '--mode', 'bmode']);
  try {
    const s = await device.until((st) => st.probe.state === 'streaming' && st.pipeline.framesShown >= 5 && (st.probe.link?.FRAME_BMODE ?? 0) > 0, 30_000, 'B-mode frames over the pty');
    t.true((s.probe.link?.FRAME_BMODE ?? 0) > 0);
    t.is(s.pipeline.stages.beamform!.framesIn, 0, 'probe-beamformed frames skip the beamformer');
    t.regex(device.log(), /simulated probe on pseudo-terminal/);
  } finally {
    t.is(await device.stop(), 0);
  }
});

test.serial("the simulator's pty end never goes silent: 8 MB written against a slow reader all arrive, in order, with 'drain' each time it was full", async (t) => {
  requireSocat();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-pty-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const [host, probe] = [path.join(dir, 'host'), path.join(dir, 'probe')];
  const socat = spawn('socat', [`pty,raw,echo=0,link=${host}`, `pty,raw,echo=0,link=${probe}`], { stdio: 'ignore' });
  t.teardown(() => socat.kill());
  while (!fs.existsSync(host) || !fs.existsSync(probe)) await new Promise((r) => setTimeout(r, 20));
  const conn = PtyConnection.open(probe);
  const reader = new tty.ReadStream(fs.openSync(host, fs.constants.O_RDWR | fs.constants.O_NOCTTY));
  const hash = createHash('sha256');
  let received = 0;
  reader.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    received += chunk.length;
    // A slow host: it stops reading now and then, so the pty fills up.
    reader.pause();
    setTimeout(() => reader.resume(), 2);
  });
  const sent = createHash('sha256');
  let fulls = 0;
  for (let i = 0; i < 64; i++) {
    const chunk = Buffer.alloc(128 * 1024, i);
    sent.update(chunk);
    if (!conn.write(chunk)) {
      fulls++;
      await new Promise((r) => conn.once('drain', r));
    }
  }
  const deadline = Date.now() + 30_000;
  while (received < 64 * 128 * 1024 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  conn.destroy();
  reader.destroy();
  t.is(received, 64 * 128 * 1024);
  t.is(hash.digest('hex'), sent.digest('hex'));
  t.true(fulls > 0, 'the queue did fill (otherwise this tested nothing)');
});
