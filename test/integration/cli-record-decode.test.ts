/**
 * `pleura record` writes the bytes received from the (simulated) probe; `pleura decode --json`
 * summarises them, and reports damage without losing the intact frames around it.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { CLI } from '../helpers/device.js';

const run = promisify(execFile);

interface Summary {
  frames: Record<string, number>;
  crcErrors: number;
  bytesSkipped: number;
  resyncs: number;
  truncated: number;
}

async function decode(file: string): Promise<Summary> {
  const { stdout } = await run(process.execPath, [CLI, 'decode', file, '--json']);
  return JSON.parse(stdout) as Summary;
}

test.serial('record N frames from the simulated probe, decode them, and decode a damaged copy', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-rec-'));
  const file = path.join(dir, 'probe.bin');
  const { stdout } = await run(process.execPath, [CLI, 'record', '--frames', '6', '--out', file, '--mode', 'bmode', '--depth-mm', '80'], { timeout: 60_000 });
  t.regex(stdout, /recorded 6 frames from SIM-C5-2v/);

  const clean = await decode(file);
  t.is(clean.frames.IDENTIFY, 1);
  t.true((clean.frames.FRAME_BMODE ?? 0) >= 6, `frames: ${JSON.stringify(clean.frames)}`);
  t.true((clean.frames.ACK ?? 0) >= 3, 'CONFIGURE, START, STOP acknowledged');
  t.is(clean.crcErrors, 0);
  t.is(clean.bytesSkipped, 0);

  // Damage: flip a byte inside the third B-mode frame's payload and put garbage before the end.
  const bytes = fs.readFileSync(file);
  const magic = Buffer.from('PLRA');
  const starts: number[] = [];
  for (let i = bytes.indexOf(magic); i >= 0; i = bytes.indexOf(magic, i + 1)) starts.push(i);
  const bmodeStarts = starts.filter((s) => bytes[s + 5] === 0x21);
  const victim = bmodeStarts[2]!;
  bytes[victim + 32 + 100] ^= 0xff;
  const damaged = Buffer.concat([bytes.subarray(0, bmodeStarts[4]!), Buffer.from('garbage on the line'), bytes.subarray(bmodeStarts[4]!)]);
  const damagedFile = path.join(dir, 'damaged.bin');
  fs.writeFileSync(damagedFile, damaged);
  const d = await decode(damagedFile);
  t.is(d.crcErrors, 1, 'the damaged frame is dropped');
  t.is(d.frames.FRAME_BMODE, clean.frames.FRAME_BMODE! - 1, 'every other frame is recovered');
  t.true(d.resyncs >= 1 && d.bytesSkipped > 0);

  // Truncated: the last frame cut in half.
  const truncatedFile = path.join(dir, 'truncated.bin');
  fs.writeFileSync(truncatedFile, fs.readFileSync(file).subarray(0, bmodeStarts[3]! + 1000));
  const tr = await decode(truncatedFile);
  t.is(tr.truncated, 1);
  t.is(tr.frames.FRAME_BMODE, 3);

  await t.throwsAsync(run(process.execPath, [CLI, 'decode', path.join(dir, 'missing.bin'), '--json']), { message: /does not exist/ });
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a bad configuration stops a command with exit 2 and says which field', async (t) => {
  const err = await t.throwsAsync(run(process.execPath, [CLI, 'start', '--depth-mm', '5']));
  t.is((err as { code?: number }).code, 2);
  t.regex((err as { stderr?: string }).stderr ?? '', /probe\.depthMm/);
  const unknown = await t.throwsAsync(run(process.execPath, [CLI, 'scan']));
  t.is((unknown as { code?: number }).code, 2);
  t.regex((unknown as { stderr?: string }).stderr ?? '', /unknown command "scan"/);
});
