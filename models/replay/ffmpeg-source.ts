/**
 * Video (mp4, avi, mov, gif, …) and stills (PNG, JPEG, BMP) decoded by the system's FFmpeg
 * (`apt install ffmpeg`) in a child process: ffprobe for size and frame rate, then
 * `ffmpeg -f rawvideo -pix_fmt rgb24 -` read frame by frame (the pipe's back-pressure keeps only
 * a frame or two in memory), colour → grey with rgbToGray.
 *
 * A file FFmpeg cannot open is a ReplayError; a stream that breaks after some frames keeps the
 * frames decoded so far and says so in `warnings`.
 *
 * @example
 *   const clip = await FfmpegSource.open('lus_001.mp4');
 *   for await (const f of clip.frames()) engine.analyzeFrame(f.image, { seq: f.index, timeMs: f.timeMs });
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { rgbToGray } from '../findings/preprocess.js';
import { ReplayError, type ReplayFrame, type ReplayInfo, type ReplaySource } from './replay-source.js';

const STILL_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff', '.webp']);

interface ProbeJson {
  streams?: Array<{ codec_name?: string; width?: number; height?: number; avg_frame_rate?: string; r_frame_rate?: string; nb_frames?: string }>;
  format?: { format_name?: string; duration?: string };
}

function run(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    p.on('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT' ? new ReplayError(`${cmd} is not installed: install FFmpeg (apt install ffmpeg) to read videos and images`) : err));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function rate(r: string | undefined): number | null {
  if (!r) return null;
  const [n, d] = r.split('/').map(Number);
  const v = d ? n! / d : n!;
  return Number.isFinite(v) && v > 0 ? v : null;
}

/** True when FFmpeg and ffprobe can be run (tests skip without them). */
export async function ffmpegAvailable(): Promise<boolean> {
  try {
    const [a, b] = await Promise.all([run('ffmpeg', ['-version']), run('ffprobe', ['-version'])]);
    return a.code === 0 && b.code === 0;
  } catch {
    return false;
  }
}

export class FfmpegSource implements ReplaySource {
  readonly warnings: string[] = [];
  private child: ChildProcessWithoutNullStreams | null = null;

  private constructor(
    readonly path: string,
    readonly info: ReplayInfo,
  ) {}

  static async open(file: string): Promise<FfmpegSource> {
    const r = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height,avg_frame_rate,r_frame_rate,nb_frames:format=format_name,duration', '-of', 'json', file]);
    let json: ProbeJson = {};
    try {
      json = JSON.parse(r.stdout || '{}') as ProbeJson;
    } catch {
      // reported below
    }
    const s = json.streams?.[0];
    if (r.code !== 0 || !s?.width || !s.height) {
      const why = r.stderr.trim().split('\n').pop() || 'no video stream';
      throw new ReplayError(`cannot read ${file} as video or image: ${why.replace(`${file}: `, '')} (the file is damaged, truncated, or not a video/image; re-export it, e.g. ffmpeg -i IN -c:v libx264 OUT.mp4)`);
    }
    const still = STILL_EXTENSIONS.has(path.extname(file).toLowerCase()) || /_pipe$|^image2$/.test(json.format?.format_name ?? '');
    const fps = still ? null : (rate(s.avg_frame_rate) ?? rate(s.r_frame_rate));
    const nb = Number(s.nb_frames);
    const duration = Number(json.format?.duration);
    const frameCount = still ? 1 : Number.isFinite(nb) && nb > 0 ? nb : fps && Number.isFinite(duration) ? Math.round(duration * fps) : null;
    return new FfmpegSource(file, {
      kind: still ? 'image' : 'video',
      format: `${s.codec_name ?? 'unknown codec'} in ${json.format?.format_name ?? 'unknown container'}`,
      width: s.width,
      height: s.height,
      fps,
      frameCount,
      mmPerPixel: null,
      topDepthMm: null,
    });
  }

  async *frames(): AsyncIterable<ReplayFrame> {
    const { width, height, fps } = this.info;
    const frameBytes = width * height * 3;
    const child = spawn('ffmpeg', ['-v', 'error', '-nostdin', '-threads', '1', '-i', this.path, '-map', '0:v:0', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => {
      if (stderr.length < 4000) stderr += b.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const spawnError = new Promise<never>((_, reject) => child.on('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT' ? new ReplayError('ffmpeg is not installed: install FFmpeg (apt install ffmpeg) to read videos and images') : err)));
    spawnError.catch(() => undefined);
    const buf = new Uint8Array(frameBytes);
    let filled = 0;
    let index = 0;
    try {
      for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
        let off = 0;
        while (off < chunk.length) {
          const n = Math.min(frameBytes - filled, chunk.length - off);
          buf.set(chunk.subarray(off, off + n), filled);
          filled += n;
          off += n;
          if (filled === frameBytes) {
            filled = 0;
            yield { index, timeMs: fps ? (index * 1000) / fps : 0, image: rgbToGray(buf, width, height, 3) };
            index++;
          }
        }
      }
      const code = await Promise.race([exited, spawnError]);
      const errors = stderr.trim();
      if (filled > 0) this.warnings.push(`the last frame was incomplete (${filled} of ${frameBytes} bytes): the file is truncated`);
      if (code !== 0 || errors) {
        const first = errors.split('\n').slice(0, 3).join('; ') || `ffmpeg exited with code ${code}`;
        if (index === 0) throw new ReplayError(`cannot decode ${this.path}: ${first} (the file is damaged or truncated; re-export it)`);
        this.warnings.push(`decoding stopped or hit errors after ${index} frames: ${first}`);
      }
      if (index === 0) throw new ReplayError(`${this.path} holds no decodable frame (the file is damaged or truncated)`);
    } finally {
      this.close();
    }
  }

  close(): void {
    if (this.child && this.child.exitCode === null && !this.child.killed) this.child.kill('SIGKILL');
    this.child = null;
  }
}
