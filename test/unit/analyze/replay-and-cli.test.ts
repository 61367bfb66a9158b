/**
 * Replay sources and `pleura analyze` end to end: an mp4 and a PNG made here with FFmpeg from
 * synthetic frames, a DICOM clip made with the project's own writer, a corrupt file and a
 * compressed DICOM refused with clear errors, and the CLI printing one JSON line per file.
 * Tests that need FFmpeg skip with a message when it is missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { buildClipObject } from '../../../device/dicom/us-multiframe.js';
import { newUid } from '../../../device/dicom/uid.js';
import { ClassicalFindings } from '../../../models/findings/classical.js';
import { DicomSource } from '../../../models/replay/dicom-source.js';
import { ffmpegAvailable } from '../../../models/replay/ffmpeg-source.js';
import { openReplay } from '../../../models/replay/open-replay.js';
import { analyzeReplay } from '../../../models/replay/replay-analysis.js';
import { ReplayError } from '../../../models/replay/replay-source.js';
import { syntheticFrame, writeStandinModel } from '../findings/standin-model.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-analyze-'));
const hasFfmpeg = await ffmpegAvailable();
const ffTest = hasFfmpeg ? test : test.skip;
if (!hasFfmpeg) console.log('ffmpeg/ffprobe not found: the video and image replay tests are skipped (apt install ffmpeg)');
const CLI = path.resolve('dist/device/cli/main.js');

/** 40 frames of 200 × 150 grey with moving noise, piped to FFmpeg as raw video. */
function makeClip(file: string, frames = 40): void {
  const raw = Buffer.concat(Array.from({ length: frames }, (_, k) => Buffer.from(syntheticFrame({ bLinesX: [60, 110, 140], noise: { amplitude: 12, seed: k + 1 } }).pixels)));
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'gray', '-s', '200x150', '-r', '20', '-i', '-', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', '10', file], { input: raw });
}

ffTest('an mp4 streams its frames in order with its size and frame rate; a PNG is one frame', async (t) => {
  const mp4 = path.join(tmp, 'clip.mp4');
  makeClip(mp4);
  const src = await openReplay(mp4);
  t.is(src.info.kind, 'video');
  t.deepEqual([src.info.width, src.info.height, src.info.fps, src.info.frameCount], [200, 150, 20, 40]);
  let n = 0;
  let last = -1;
  for await (const f of src.frames()) {
    t.is(f.index, last + 1);
    last = f.index;
    n++;
    if (f.index === 0) t.true(Math.abs(f.image.pixels[45 * 200 + 100]! - 240) < 30, 'the pleural line survived the codec');
  }
  t.is(n, 40);
  const png = path.join(tmp, 'still.png');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'gray', '-s', '200x150', '-i', '-', png], { input: Buffer.from(syntheticFrame().pixels) });
  const still = await openReplay(png);
  t.is(still.info.kind, 'image');
  t.is(still.info.fps, null);
  const a = await analyzeReplay(still, new ClassicalFindings());
  t.is(a.framesAnalysed, 1);
  t.deepEqual(a.region, { x0: 0, y0: 0, x1: 200, y1: 150 });
});

ffTest('a corrupt or truncated file is a clear error', async (t) => {
  const junk = path.join(tmp, 'junk.mp4');
  fs.writeFileSync(junk, Buffer.from('this is not a video at all'.repeat(50)));
  const e1 = await t.throwsAsync(openReplay(junk), { instanceOf: ReplayError });
  t.regex(e1!.message, /cannot read .*junk\.mp4 as video or image: .*damaged, truncated/);
  const mp4 = path.join(tmp, 'whole.mp4');
  makeClip(mp4, 10);
  const cut = path.join(tmp, 'cut.mp4');
  const bytes = fs.readFileSync(mp4);
  fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
  const e2 = await t.throwsAsync(async () => {
    const s = await openReplay(cut);
    for await (const _ of s.frames()) void _;
  }, { instanceOf: ReplayError });
  t.log(`truncated mp4: ${e2!.message}`);
  await t.throwsAsync(openReplay(path.join(tmp, 'missing.mp4')), { message: /does not exist/ });
});

function dicomClip(): Uint8Array {
  const frames = 8;
  const pixels = new Uint8Array(frames * 150 * 200);
  for (let k = 0; k < frames; k++) pixels.set(syntheticFrame({ bLinesX: [60, 110, 140], noise: { amplitude: 10, seed: k + 1 } }).pixels, k * 30000);
  return buildClipObject({
    patient: { pseudonym: 'PLP-0123456789ABCDEF' },
    exam: { id: 'E1', studyUid: newUid(), seriesUid: newUid(), startedAt: '2025-01-14T09:30:00.000Z' },
    clip: { sopUid: newUid(), instanceNumber: 1, zone: 'R1', laterality: 'R', capturedAt: '2025-01-14T09:31:00.000Z', frames, rows: 150, cols: 200, frameRateHz: 20, mmPerPixel: 0.3, topDepthMm: 0, probe: { model: 'SIM-C5-2v', serial: 'SIM1' }, preset: 'lung', depthMm: 45 },
    pixels,
  });
}

test('a DICOM clip written by the device is read back with its frames and calibration; compressed DICOM is refused', async (t) => {
  const file = path.join(tmp, 'clip.dcm');
  fs.writeFileSync(file, dicomClip());
  const src = await openReplay(file);
  t.is(src.info.kind, 'dicom');
  t.deepEqual([src.info.width, src.info.height, src.info.frameCount], [200, 150, 8]);
  t.is(Math.round(src.info.fps!), 20);
  t.is(src.info.mmPerPixel, 3 / 10);
  t.is(src.info.topDepthMm, 0);
  const a = await analyzeReplay(src, new ClassicalFindings());
  t.is(a.framesAnalysed, 8);
  t.true(a.clip.pleura.depthMm !== null && Math.abs(a.clip.pleura.depthMm - 45.5 * 0.3) < 2, `calibrated pleura depth ${a.clip.pleura.depthMm}`);
  // The same object with its transfer syntax rewritten to RLE Lossless (same length).
  const bytes = Buffer.from(dicomClip());
  const at = bytes.indexOf('1.2.840.10008.1.2.1\0');
  bytes.write('1.2.840.10008.1.2.5', at, 'latin1');
  const rle = path.join(tmp, 'rle.dcm');
  fs.writeFileSync(rle, bytes);
  t.throws(() => DicomSource.open(rle), { instanceOf: ReplayError, message: /1\.2\.840\.10008\.1\.2\.5 \(RLE Lossless\) is not supported: only uncompressed/ });
});

ffTest('pleura analyze: one JSON line per file, an error object for a bad file, the others analysed', async (t) => {
  const mp4 = path.join(tmp, 'cli.mp4');
  makeClip(mp4, 30);
  const dcm = path.join(tmp, 'cli.dcm');
  fs.writeFileSync(dcm, dicomClip());
  const bad = path.join(tmp, 'bad.avi');
  fs.writeFileSync(bad, 'garbage');
  const manifest = writeStandinModel(fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-model-')));
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, 'analyze', mp4, bad, dcm, '--json', '--model', manifest, '--every', '2'], { encoding: 'utf8' });
  t.log(`analyze of 3 files: ${Math.round(performance.now() - t0)} ms`);
  t.is(r.status, 1, 'one file failed');
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.is(lines.length, 3);
  const [clip, err, dicom] = lines as [Record<string, any>, Record<string, any>, Record<string, any>];
  t.is(clip.file, mp4);
  t.is(clip.kind, 'video');
  t.is(clip.method, 'model');
  t.deepEqual(clip.frames, { decoded: 30, analysed: 15, usable: clip.frames.usable, every: 2 });
  t.is(clip.fps, 20);
  t.true(clip.bLines.count >= 2, JSON.stringify(clip.bLines));
  t.true(typeof clip.score.rule === 'string' && 'score' in clip.score);
  t.true(Array.isArray(clip.supportingFrames.bLines));
  t.regex(err.error, /bad\.avi/);
  t.is(dicom.kind, 'dicom');
  t.is(dicom.mmPerPixel, 0.3);
  const classical = spawnSync(process.execPath, [CLI, 'analyze', mp4, '--json', '--method', 'classical'], { encoding: 'utf8' });
  t.is(classical.status, 0, classical.stderr);
  t.is(JSON.parse(classical.stdout).method, 'classical');
});
