/** Opens a file as the right ReplaySource by its content: DICOM by its preamble ("DICM" at 128), else FFmpeg. */
import fs from 'node:fs';
import { DicomSource } from './dicom-source.js';
import { FfmpegSource } from './ffmpeg-source.js';
import { ReplayError, type ReplaySource } from './replay-source.js';

export async function openReplay(file: string): Promise<ReplaySource & { warnings: string[] }> {
  let head: Buffer;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      head = Buffer.alloc(132);
      const n = fs.readSync(fd, head, 0, 132, 0);
      head = head.subarray(0, n);
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ReplayError(code === 'ENOENT' ? `${file} does not exist` : code === 'EISDIR' ? `${file} is a folder, not a file` : `cannot open ${file}: ${(err as Error).message}`);
  }
  if (head.length === 0) throw new ReplayError(`${file} is empty`);
  if (head.length >= 132 && head.toString('latin1', 128, 132) === 'DICM') return DicomSource.open(file);
  if (/\.dcm$/i.test(file)) throw new ReplayError(`${file} has no DICOM preamble ("DICM" at byte 128): only DICOM Part 10 files can be read`);
  return FfmpegSource.open(file);
}
