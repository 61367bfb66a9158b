/**
 * The sim evaluation end to end on a tiny export made here (2 scenes × 2 frames, 50 mm: deep enough for a usable view, one
 * transmit, a sparse chest wall: a few seconds): the classical method through the device's
 * analyzer and aggregator gives a well-formed report; an oracle that answers the truth scores
 * perfectly, and one that answers "nothing" has sensitivity 0 — the plumbing compares the
 * right frames with the right labels.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { exportDataset } from '../../../drivers/sim/export/dataset-export.js';
import { defaultTransmits } from '../../../drivers/sim/export/dataset-spec.js';
import { parseSceneSpec, type SceneSpecInput } from '../../../drivers/sim/scene/spec.js';
import { emptyFindings } from '../../../models/findings/frame-analyzer.js';
import type { ClipFindings, FrameFindings } from '../../../models/findings/types.js';
import { DEFAULT_MODEL_MANIFEST, openClipAnalyzer, type AnalyzedClip } from '../../../scripts/evaluate/clip-analyzer.js';
import type { BinaryReport, CountReport, OrdinalReport } from '../../../scripts/evaluate/metric-reports.js';
import { findExportDirs, readSimExport, readSimFrame } from '../../../scripts/evaluate/sim-dataset.js';
import { evaluateSim } from '../../../scripts/evaluate/sim-evaluate.js';
import { expectedClipFindings, expectedFrameFindings } from '../../../scripts/evaluate/sim-truth.js';
import { printSimEvaluation, runSimEvaluation } from '../../../scripts/evaluate/sim.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-eval-sim-'));
test.after.always(() => fs.rmSync(root, { recursive: true, force: true }));

async function exportScene(name: string, scene: SceneSpecInput): Promise<string> {
  const dir = path.join(root, name);
  await exportDataset(
    { probeModel: 'C5-2v', scene: parseSceneSpec({ name, ...scene }), seed: 5, frames: 2, clipFrames: 2, frameRateHz: 10, depthM: 0.05, transmits: defaultTransmits('convex', 1), mode: 'bmode', png: true },
    dir,
    { workers: 1, log: () => {} },
  );
  return dir;
}

const exported = (async () => [
  await exportScene('tiny-normal', { chestWall: { scatterersPerMm2: 0.3 }, reverberation: { maxOrder: 1 } }),
  await exportScene('tiny-blines', { chestWall: { scatterersPerMm2: 0.3 }, reverberation: { maxOrder: 1 }, bLines: [{ atMm: -4 }, { atMm: 0 }, { atMm: 4 }] }),
])();

/** Frame findings that say exactly what the truth says. */
function oracleFrame(seq: number, truth: ReturnType<typeof expectedFrameFindings>): FrameFindings {
  const f = emptyFindings({ seq, timeMs: seq * 100 }, { usable: truth.viewUsable, score: truth.viewUsable ? 1 : 0, reasons: [] }, 1);
  const flag = (present: boolean) => ({ present, p: present ? 0.9 : 0.1 });
  return {
    ...f,
    aLines: flag(truth.aLines),
    bLines: { ...f.bLines, ...flag(truth.bLines), count: truth.bLineCount, confluent: flag(truth.confluent) },
    pleura: { ...f.pleura, present: true, p: 1, irregular: flag(truth.pleuraIrregular) },
    consolidation: { ...flag(truth.consolidation), boxPx: null },
    effusion: { ...flag(truth.effusion), boxPx: null },
  };
}

function oracleClip(truth: ReturnType<typeof expectedClipFindings>, frames: number): ClipFindings {
  const flag = (present: boolean) => ({ present, p: present ? 0.9 : 0.1 });
  return {
    frames,
    usableFrames: frames,
    quality: { usable: truth.viewUsable, score: 1, reasons: [] },
    pleura: { visible: flag(true), irregular: flag(truth.pleuraIrregular), depthMm: null },
    aLines: flag(truth.aLines),
    bLines: { ...flag(truth.bLines), count: truth.bLineCount, frameSeq: 0, confluent: flag(truth.confluent) },
    consolidation: { ...flag(truth.consolidation), frameSeq: null },
    effusion: { ...flag(truth.effusion), frameSeq: null },
    sliding: { state: 'unknown', score: null, windowS: 0 },
    score: { score: truth.score, rule: 'oracle' },
    supportingFrames: {},
  };
}

test('the sim runner on a tiny export with the classical method gives a well-formed evaluation', async (t) => {
  const dirs = await exported;
  t.deepEqual(findExportDirs([root]).sort(), [...dirs].sort(), 'a folder of exports expands to its exports');
  // Split folders reuse export names (test/00002, temporal/00002): ids must still differ.
  const twin = path.join(root, 'other', path.basename(dirs[0]!));
  fs.cpSync(dirs[0]!, twin, { recursive: true });
  t.notDeepEqual(readSimExport(twin)[0]!.id, readSimExport(dirs[0]!)[0]!.id);
  fs.rmSync(path.join(root, 'other'), { recursive: true });
  const analyzer = await openClipAnalyzer('classical');
  const e = await runSimEvaluation(analyzer, { data: dirs, bootstrap: { resamples: 200 } });
  await analyzer.close();
  t.like(e, { kind: 'pleura-sim-evaluation', method: 'classical', clips: 2, frames: 4 });
  t.is(e.perClip.length, 2);
  t.deepEqual(e.perClip.map((c) => c.truth.bLineCount), [0, 3]);
  for (const level of [e.frame, e.clip]) {
    for (const name of ['viewUsable', 'aLines', 'bLines', 'confluent', 'pleuraIrregular', 'consolidation', 'effusion']) {
      const r = level[name] as BinaryReport;
      t.is(r.kind, 'binary', name);
      t.is(r.counts.tp + r.counts.fp + r.counts.tn + r.counts.fn, r.n, name);
      t.true(r.groups <= 2, name);
    }
    t.is((level.bLineCount as CountReport).kind, 'count');
  }
  t.is((e.frame.viewUsable as BinaryReport).n, 4);
  t.is(e.inferMs.p50 !== null && e.inferMs.p50 > 0, true);
  t.is(e.slidingUndetermined.of, 0, '2-frame clips are not sliding clips');
  // JSON round trip and the printed table.
  t.deepEqual(JSON.parse(JSON.stringify(e)).perClip.length, 2);
  t.regex(printSimEvaluation(e), /bLineCount .*MAE/);
});

test('an oracle scores perfectly and a detector that sees nothing has sensitivity 0 (same frames, same labels)', async (t) => {
  const dirs = await exported;
  const clips = dirs.flatMap(readSimExport);
  t.true(readSimFrame(clips[0]!.frames[0]!).width > 100, 'the PNG decodes');
  const oracle = clips.map((clip) => {
    const frames = clip.frames.map((f) => oracleFrame(f.seq, expectedFrameFindings(f.truth)));
    const analyzed: AnalyzedClip = { frames, clip: oracleClip(expectedClipFindings(clip.frames.map((f) => f.truth)), frames.length) };
    return { clip, analyzed };
  });
  const perfect = evaluateSim(oracle, { method: 'oracle', data: dirs }, { resamples: 100 });
  const bl = perfect.frame.bLines as BinaryReport;
  t.like(bl, { n: 4, positives: 2, negatives: 2 });
  t.deepEqual([bl.sensitivity.value, bl.specificity.value, bl.auc?.estimate], [1, 1, 1]);
  t.is((perfect.clip.bLineCount as CountReport).mae.estimate, 0);
  t.is((perfect.clip.lusScore as OrdinalReport).exactAgreement.estimate, 1);
  t.true(perfect.perClip.every((c) => c.frameErrors.length === 0));

  const blind = oracle.map(({ clip, analyzed }) => ({
    clip,
    analyzed: { ...analyzed, frames: analyzed.frames.map((f) => ({ ...f, bLines: { ...f.bLines, present: false, p: 0, count: 0 } })) },
  }));
  const none = evaluateSim(blind, { method: 'blind', data: dirs }, { resamples: 100 });
  t.is((none.frame.bLines as BinaryReport).sensitivity.value, 0);
  t.is((none.frame.bLineCount as CountReport).mae.estimate, 1.5, 'counts 0 and 3 against 0 and 0');
});

test('the same runner with the trained model, when the model bundle is there', async (t) => {
  if (!fs.existsSync(DEFAULT_MODEL_MANIFEST)) {
    t.log(`no model at ${DEFAULT_MODEL_MANIFEST}: skipped (the classical run above covers the runner)`);
    t.pass();
    return;
  }
  const dirs = await exported;
  const analyzer = await openClipAnalyzer('model', DEFAULT_MODEL_MANIFEST, () => {}, ['cpu']);
  const e = await runSimEvaluation(analyzer, { data: dirs, bootstrap: { resamples: 100 } });
  await analyzer.close();
  t.like(e, { clips: 2, frames: 4 });
  t.regex(e.method, /^model /);
  t.is((e.frame.bLines as BinaryReport).n + (e.frame.viewUsable as BinaryReport).n > 0, true);
});
