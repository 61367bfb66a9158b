/**
 * The cache folder of simulation loops. A loop is three files named by its key:
 *   <key>.frames      the frames back to back, slot k at k · frameBytes (RF: int16
 *                     [transmit][element][sample] at 0 dB gain; B-mode: float32 envelope [row][col])
 *   <key>.truth.jsonl one FrameTruth per line, slot order
 *   <key>.json        the manifest (LoopManifest), written last: a loop without it is incomplete
 * A loop being built is written under a temporary name and renamed when complete, so concurrent
 * simulators never read half a loop. The folder is kept under a size cap, oldest loops first.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LoopSpec } from './loop-spec.js';

export interface LoopManifest {
  format: 'pleura-sim-loop';
  version: 1;
  key: string;
  spec: LoopSpec;
  frameCount: number;
  frameBytes: number;
  /** RF: the record layout; B-mode: the envelope grid. */
  layout: { kind: 'rf'; transmitCount: number; elementCount: number; sampleCount: number } | { kind: 'envelope'; rowCount: number; colCount: number };
  buildSeconds: number;
  createdAt: string;
}

export function loopPaths(dir: string, key: string): { frames: string; truth: string; manifest: string } {
  return { frames: path.join(dir, `${key}.frames`), truth: path.join(dir, `${key}.truth.jsonl`), manifest: path.join(dir, `${key}.json`) };
}

/** The manifest of a complete loop, or null (missing, incomplete, or from another format). */
export function readManifest(dir: string, key: string): LoopManifest | null {
  const p = loopPaths(dir, key);
  try {
    const m = JSON.parse(fs.readFileSync(p.manifest, 'utf8')) as LoopManifest;
    if (m.format !== 'pleura-sim-loop' || m.version !== 1 || m.key !== key) return null;
    if (fs.statSync(p.frames).size !== m.frameCount * m.frameBytes || !fs.existsSync(p.truth)) return null;
    return m;
  } catch {
    return null;
  }
}

/** Moves a finished build into place (frames and truth first, the manifest last). */
export function publishLoop(dir: string, key: string, tmpFrames: string, truths: string[], manifest: LoopManifest): void {
  const p = loopPaths(dir, key);
  fs.renameSync(tmpFrames, p.frames);
  const tmpTruth = `${p.truth}.${process.pid}.tmp`;
  fs.writeFileSync(tmpTruth, truths.join('\n') + '\n');
  fs.renameSync(tmpTruth, p.truth);
  const tmpManifest = `${p.manifest}.${process.pid}.tmp`;
  fs.writeFileSync(tmpManifest, JSON.stringify(manifest, null, 1));
  fs.renameSync(tmpManifest, p.manifest);
}

/** Deletes the least recently used loops until the folder holds at most maxBytes (keeping `keep`). */
export function evictLoops(dir: string, maxBytes: number, keep: string): string[] {
  const loops = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .map((key) => {
      const p = loopPaths(dir, key);
      let bytes = 0;
      let usedMs = 0;
      for (const f of [p.frames, p.truth, p.manifest]) {
        try {
          const st = fs.statSync(f);
          bytes += st.size;
          usedMs = Math.max(usedMs, st.mtimeMs);
        } catch {
          // part of a loop another process is replacing
        }
      }
      return { key, bytes, usedMs };
    })
    .sort((a, b) => b.usedMs - a.usedMs);
  let total = 0;
  const removed: string[] = [];
  for (const l of loops) {
    total += l.bytes;
    if (total > maxBytes && l.key !== keep) {
      const p = loopPaths(dir, l.key);
      for (const f of [p.manifest, p.truth, p.frames]) fs.rmSync(f, { force: true });
      removed.push(l.key);
    }
  }
  // Temporary files of builds that died (older than an hour).
  for (const f of fs.readdirSync(dir)) {
    if (!f.endsWith('.tmp')) continue;
    const full = path.join(dir, f);
    try {
      if (Date.now() - fs.statSync(full).mtimeMs > 3600_000) fs.rmSync(full, { force: true });
    } catch {
      // gone already
    }
  }
  return removed;
}

/** Marks a loop as just used (for eviction). */
export function touchLoop(dir: string, key: string): void {
  const now = new Date();
  try {
    fs.utimesSync(loopPaths(dir, key).manifest, now, now);
  } catch {
    // best effort
  }
}
