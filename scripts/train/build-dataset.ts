/**
 * Simulates the lung-findings training data: for each split, random scenes (random-scene.ts)
 * written as JSON and exported with `pleura sim export` (a few frames per scene spread over one
 * breath, B-mode, the kiosk's PNG), into <out>/<split>/<id>/. Resumable: an export that has its
 * manifest.json is complete and is skipped. Run from dist/:
 *
 *   node dist/scripts/train/build-dataset.js [--out DIR] [--split train,val,test,temporal] [--jobs 2]
 *                                            [--train N] [--val N] [--test N] [--temporal N]
 *
 * Output: <out>/<split>/<id>/{scene.json, manifest.json, labels.jsonl, bmode.u8, png/}, and
 * <out>/<split>/index.json listing the scenes (seeds, category, probe, depth).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { randomScene, sceneSeed, simSeed, SPLITS, type RandomScene, type Split } from './random-scene.js';

/** Per split: scenes, frames per scene, frame rate. 8 frames at 2 Hz cover one 4 s breath. */
export const SPLIT_PLAN: Record<Split, { scenes: number; frames: number; frameRateHz: number }> = {
  train: { scenes: 480, frames: 8, frameRateHz: 2 },
  val: { scenes: 56, frames: 8, frameRateHz: 2 },
  test: { scenes: 40, frames: 8, frameRateHz: 2 },
  temporal: { scenes: 12, frames: 45, frameRateHz: 30 },
};

export interface SceneJob {
  split: Split;
  index: number;
  id: string;
  sceneSeed: number;
  simSeed: number;
  frames: number;
  frameRateHz: number;
  scene: RandomScene;
}

export function defaultDataDir(): string {
  return path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'pleura', 'train');
}

/** The scene of item i of a split. The temporal split alternates sliding present / absent; i % 4 ≥ 2 on L11-5v (so the probe says nothing about sliding). */
export function sceneJob(split: Split, index: number): SceneJob {
  const plan = SPLIT_PLAN[split];
  const seed = sceneSeed(split, index);
  const scene =
    split === 'temporal'
      ? randomScene(seed, { category: index % 2 === 0 ? (index % 4 === 0 ? 'normal' : 'b-lines') : 'pneumothorax', probe: index % 4 >= 2 ? 'L11-5v' : 'C5-2v', viewIssueRate: 0 })
      : randomScene(seed);
  return { split, index, id: String(index).padStart(5, '0'), sceneSeed: seed, simSeed: simSeed(split, index), frames: plan.frames, frameRateHz: plan.frameRateHz, scene };
}

export function exportArgs(cli: string, job: SceneJob, sceneFile: string, dir: string): string[] {
  return [
    cli, 'sim', 'export', '--scene', sceneFile, '--frames', String(job.frames), '--out', dir, '--probe', job.scene.probe, '--seed', String(job.simSeed),
    '--mode', 'bmode', '--depth-mm', String(job.scene.depthMm), '--frame-rate', String(job.frameRateHz), '--clip-frames', String(job.frames), '--workers', '1', '--png',
  ];
}

/** Grace period for `sim export` to exit after writing its manifest (the last file it writes). */
const EXIT_GRACE_MS = 20_000;

/**
 * Runs one `sim export`. Its manifest.json is written last, when every frame is on disk; an
 * export that has written it but does not exit (seen once in ~900 runs: a process left waiting
 * after its work was done) is ended after EXIT_GRACE_MS and counts as complete.
 */
function run(args: string[], manifestPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    let doneAt: number | null = null;
    const watch = setInterval(() => {
      if (doneAt === null && fs.existsSync(manifestPath)) doneAt = Date.now();
      if (doneAt !== null && Date.now() - doneAt > EXIT_GRACE_MS) {
        clearInterval(watch);
        console.error(`sim export wrote ${manifestPath} but did not exit within ${EXIT_GRACE_MS / 1000} s: ending it (pid ${child.pid})`);
        child.kill('SIGTERM');
      }
    }, 1000);
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    child.on('error', (e) => {
      clearInterval(watch);
      reject(e);
    });
    child.on('exit', (code) => {
      clearInterval(watch);
      if (code === 0 || fs.existsSync(manifestPath)) resolve();
      else reject(new Error(`sim export exited with ${code}: node ${args.join(' ')}\n${err}`));
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      split: { type: 'string', default: 'val,train,test,temporal' },
      jobs: { type: 'string', default: '2' },
      train: { type: 'string' },
      val: { type: 'string' },
      test: { type: 'string' },
      temporal: { type: 'string' },
    },
  });
  const out = path.resolve(values.out ?? defaultDataDir());
  const jobsN = Math.max(1, Number(values.jobs));
  const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../device/cli/main.js');
  const splits = values.split!.split(',').map((s) => {
    if (!(SPLITS as readonly string[]).includes(s)) throw new Error(`unknown split "${s}": use ${SPLITS.join(', ')}`);
    return s as Split;
  });
  for (const split of splits) {
    const count = values[split] !== undefined ? Number(values[split]) : SPLIT_PLAN[split].scenes;
    const jobs = Array.from({ length: count }, (_, i) => sceneJob(split, i));
    const splitDir = path.join(out, split);
    fs.mkdirSync(splitDir, { recursive: true });
    fs.writeFileSync(
      path.join(splitDir, 'index.json'),
      JSON.stringify(
        jobs.map((j) => ({ id: j.id, sceneSeed: j.sceneSeed, simSeed: j.simSeed, category: j.scene.category, viewIssue: j.scene.viewIssue, probe: j.scene.probe, depthMm: j.scene.depthMm, frames: j.frames, frameRateHz: j.frameRateHz })),
        null,
        1,
      ),
    );
    const todo = jobs.filter((j) => !fs.existsSync(path.join(splitDir, j.id, 'manifest.json')));
    const totalFrames = todo.reduce((s, j) => s + j.frames, 0);
    console.log(`${split}: ${count} scenes, ${todo.length} to simulate (${totalFrames} frames) into ${splitDir}`);
    const t0 = performance.now();
    let framesDone = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < todo.length) {
        const job = todo[next++]!;
        const dir = path.join(splitDir, job.id);
        fs.rmSync(dir, { recursive: true, force: true });
        fs.mkdirSync(dir, { recursive: true });
        // The scene file lives beside the export, not inside it (the export wants an empty folder).
        const sceneFile = path.join(splitDir, `${job.id}.scene.json`);
        fs.writeFileSync(sceneFile, JSON.stringify(job.scene.spec, null, 1));
        // Retried: a transient failure (a busy machine, a dist/ being rebuilt) should not end the run.
        for (let attempt = 1; ; attempt++) {
          try {
            await run(exportArgs(cli, job, sceneFile, dir), path.join(dir, 'manifest.json'));
            break;
          } catch (err) {
            if (attempt >= 3) throw err;
            console.error(`${split} ${job.id}: attempt ${attempt} failed, retrying in 10 s: ${(err as Error).message.split('\n').slice(-2).join(' ')}`);
            fs.rmSync(dir, { recursive: true, force: true });
            fs.mkdirSync(dir, { recursive: true });
            await new Promise((r) => setTimeout(r, 10_000));
          }
        }
        framesDone += job.frames;
        const s = (performance.now() - t0) / 1000;
        const fps = framesDone / s;
        console.log(`${split} ${job.id} ${job.scene.category}${job.scene.viewIssue !== 'none' ? `/${job.scene.viewIssue}` : ''} ${job.scene.probe} ${job.scene.depthMm} mm: ${framesDone}/${totalFrames} frames, ${fps.toFixed(2)} frames/s, ~${Math.round((totalFrames - framesDone) / fps)} s left`);
      }
    };
    await Promise.all(Array.from({ length: jobsN }, worker));
    console.log(`${split}: done, ${framesDone} frames in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error((err as Error).message);
    process.exit(1);
  });
}
