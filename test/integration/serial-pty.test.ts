/**
 * The serial transport over a real pseudo-terminal pair made by socat: a scripted probe on one
 * end writes protocol frames, the serial transport + decoder on the other must get several MB
 * through intact; then the whole ProbeLink runs over the same kind of link, and a dying socat
 * (the cable pulled) is noticed as a lost link.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { ProbeLink } from '../../drivers/probe/probe-link.js';
import { ProtocolDecoder, type RawFrame } from '../../drivers/protocol/decoder.js';
import { ProtocolEncoder } from '../../drivers/protocol/encoder.js';
import { type ProbeMessage, MessageType } from '../../drivers/protocol/messages.js';
import { TransportLostError } from '../../drivers/transports/errors.js';
import { SerialTransport } from '../../drivers/transports/serial.js';
import { smallFrameRf } from '../unit/protocol/fixtures.js';
import { ScriptedProbe } from '../unit/transports/scripted-probe.js';

interface PtyPair {
  probePath: string;
  hostPath: string;
  socat: ChildProcess;
  stop: () => Promise<void>;
}

/** socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B; resolves once both links exist. */
async function ptyPair(t: ExecutionContext): Promise<PtyPair | null> {
  if (spawnSync('which', ['socat']).status !== 0) {
    t.fail('socat is not installed: this test needs a real pseudo-terminal pair. Install it with `apt-get install socat`.');
    return null;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-pty-'));
  const probePath = path.join(dir, 'probe');
  const hostPath = path.join(dir, 'host');
  const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${probePath}`, `pty,raw,echo=0,link=${hostPath}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  socat.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((resolve) => socat.once('exit', () => resolve()));
  const t0 = Date.now();
  while (!(fs.existsSync(probePath) && fs.existsSync(hostPath) && log.includes('starting data transfer loop'))) {
    if (Date.now() - t0 > 5000 || socat.exitCode !== null) {
      socat.kill();
      t.fail(`socat did not create the pseudo-terminal pair within 5 s: ${log}`);
      return null;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    probePath,
    hostPath,
    socat,
    stop: async () => {
      if (socat.exitCode === null) socat.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

test.serial('several MB of protocol frames cross a real pty intact', async (t) => {
  const pty = await ptyPair(t);
  if (!pty) return;
  const probeSide = new SerialTransport({ path: pty.probePath });
  const hostSide = new SerialTransport({ path: pty.hostPath });
  try {
    await probeSide.open();
    await hostSide.open();
    const decoder = new ProtocolDecoder({ parse: true, highWaterMarkFrames: 64 });
    hostSide.on('data', (chunk) => decoder.write(chunk));
    const frames: RawFrame[] = [];
    decoder.on('data', (f: RawFrame) => frames.push(f));

    const encoder = new ProtocolEncoder();
    const sent: ProbeMessage[] = [];
    for (let i = 0; i < 6; i++) {
      sent.push({ type: MessageType.FRAME_RF, body: smallFrameRf(i, 3, 128, 1024) }); // 787 KB each
      sent.push({ type: MessageType.STATUS, body: { temperatureC: 30 + i, supplyVoltageV: 5, errorFlags: 0, batteryPercent: 90 } });
    }
    const wire = Buffer.concat(sent.map((m) => encoder.encode(m).bytes));
    t.true(wire.length > 4_500_000, `${wire.length} bytes`);
    // include bytes 0x11/0x13/0x0a/0x0d/0x00 that a non-raw tty would eat or translate
    const control = encoder.encodeRaw(0xe0, Buffer.from([0x11, 0x13, 0x0a, 0x0d, 0x00, 0x03, 0x1c, 0x7f])).bytes;
    await probeSide.write(Buffer.concat([wire, control]));

    const t0 = Date.now();
    while (frames.length < sent.length + 1 && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 10));
    t.is(frames.length, sent.length + 1);
    frames.slice(0, sent.length).forEach((f, i) => {
      const expected = sent[i]!;
      t.is(f.message?.type, expected.type);
      if (f.message?.type === MessageType.FRAME_RF && expected.type === MessageType.FRAME_RF) {
        t.is(f.message.body.frameIndex, expected.body.frameIndex);
        t.true(Buffer.from(f.message.body.samples.buffer, f.message.body.samples.byteOffset, f.message.body.samples.byteLength).equals(Buffer.from(expected.body.samples.buffer)));
      }
    });
    t.deepEqual([...frames[sent.length]!.payload], [0x11, 0x13, 0x0a, 0x0d, 0x00, 0x03, 0x1c, 0x7f]);
    t.like(decoder.stats, { bytesSkipped: 0, crcErrors: 0, headerErrors: 0, badPayload: 0, frames: { FRAME_RF: 6, STATUS: 6 } });
    decoder.end();
  } finally {
    await hostSide.close();
    await probeSide.close();
    await pty.stop();
  }
});

test.serial('ProbeLink over the pty: handshake, configure, streaming; socat dying is a lost link', async (t) => {
  const pty = await ptyPair(t);
  if (!pty) return;
  const probeSide = new SerialTransport({ path: pty.probePath });
  await probeSide.open();
  probeSide.on('error', () => undefined);
  const probe = new ScriptedProbe({ statusIntervalMs: 100, frameIntervalMs: 30 }, (bytes) => void probeSide.write(bytes).catch(() => undefined));
  probeSide.on('data', (chunk) => probe.push(chunk));
  const link = new ProbeLink({ transport: { kind: 'serial', path: pty.hostPath }, reconnectDelayMs: { initial: 50, max: 200 } });
  try {
    const id = await link.connect();
    t.is(id.model, 'C5-2v');
    await link.configure({ preset: 'lung', depthM: 0.12, gainDb: 0, mode: 'rf', frameRateHz: 30, transmits: { kind: 'diverging', parameters: [-0.01, 0, 0.01] } });
    await link.start();
    let rf = 0;
    for await (const m of link.messages()) if (m.message.type === MessageType.FRAME_RF && ++rf === 5) break;
    t.is(link.state, 'streaming');

    const lost = new Promise<Error>((resolve) => link.once('linkLost', resolve));
    pty.socat.kill('SIGTERM'); // both pty masters go away, like a pulled cable
    const reason = await lost;
    t.true(reason.cause instanceof TransportLostError || /no bytes/.test(reason.message), reason.message);
    t.not(link.state, 'streaming');
  } finally {
    probe.stop();
    await link.close();
    await probeSide.close();
    await pty.stop();
  }
});
