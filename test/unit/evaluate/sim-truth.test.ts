/**
 * The simulator's truth → the evaluation's reference findings: the usable-view rule, per-clip
 * "any frame" flags and maximum count, lung point as absent sliding, and the LUS score by the
 * device's own rules (lus-score.ts) applied to the truth.
 */
import test from 'ava';
import type { FrameTruth } from '../../../drivers/sim/scene/truth.js';
import { confluentCoverage, consolidationSizeMm, expectedClipFindings, expectedFrameFindings } from '../../../scripts/evaluate/sim-truth.js';

function truth(over: Partial<FrameTruth> & { bCount?: number } = {}): FrameTruth {
  const { bCount = 0, ...rest } = over;
  return {
    kind: 'pleura-sim-truth',
    version: 1,
    frameIndex: 0,
    timeS: 0,
    scene: 'test',
    seed: 1,
    probe: 'C5-2v',
    imagingDepthMm: 80,
    skinZMm: 0,
    pleura: { depthMm: 20, visibleXMm: [[-20, 20]], thicknessMm: 0.5, irregular: false, fragmented: false },
    aLines: { present: bCount === 0, depthsMm: [40] },
    bLines: { count: bCount, lines: [], confluent: [] },
    sliding: 'present',
    lungPointXMm: null,
    lungPulse: false,
    ribs: [],
    consolidations: [],
    effusion: null,
    motion: { breath: 0, slideMm: 0, handLateralMm: 0, handAxialMm: 0 },
    ...rest,
  };
}

test('a usable view is the training target view_ok: depth below the pleura, pleura under the centre over ≥ 10 mm', (t) => {
  t.like(expectedFrameFindings(truth()), { viewUsable: true, viewIssue: 'none' });
  t.like(expectedFrameFindings(truth({ pleura: { ...truth().pleura, visibleXMm: [[-4, 4]] } })), { viewUsable: false, viewIssue: 'pleura-too-short' });
  t.like(expectedFrameFindings(truth({ pleura: { ...truth().pleura, visibleXMm: [[5, 40]] } })), { viewUsable: false, viewIssue: 'pleura-not-visible' });
  t.like(expectedFrameFindings(truth({ imagingDepthMm: 25 })), { viewUsable: false, viewIssue: 'depth-too-shallow' }, '5 mm below the pleura < 10 mm');
  t.true(expectedFrameFindings(truth({ imagingDepthMm: 30 })).viewUsable);
  const clip = expectedClipFindings([truth({ imagingDepthMm: 25 }), truth({ imagingDepthMm: 25 }), truth()]);
  t.like(clip, { viewUsable: false, viewIssue: 'depth-too-shallow', score: null });
});

test('per clip: flags from any frame, the maximum count, a lung point makes sliding absent', (t) => {
  const c = expectedClipFindings([truth({ bCount: 1 }), truth({ bCount: 4 }), truth({ bCount: 2, sliding: 'lung-point' })]);
  t.like(c, { bLines: true, bLineCount: 4, aLines: false, sliding: false, viewUsable: true });
  t.is(c.score, 1);
  t.regex(c.scoreRule!, /separate B-lines/);
  t.is(expectedFrameFindings(truth()).score, null, 'scores are per clip');
});

test('the truth LUS score follows lus-score.ts: consolidation size, white lung coverage, A-line profile', (t) => {
  const normal = expectedClipFindings([truth()]);
  t.is(normal.score, 0);
  const square = (x0: number, z0: number, s: number) => [
    { xMm: x0, zMm: z0 },
    { xMm: x0 + s, zMm: z0 },
    { xMm: x0 + s, zMm: z0 + s / 2 },
  ];
  const large = truth({ consolidations: [{ outlineMm: square(0, 22, 25), airBronchograms: true, maxDepthMm: 35 }] });
  t.is(consolidationSizeMm(large), 25);
  t.is(expectedClipFindings([large]).score, 3);
  const small = truth({ consolidations: [{ outlineMm: square(0, 22, 6), airBronchograms: false, maxDepthMm: 25 }] });
  t.is(expectedClipFindings([small]).score, 2);
  const confluent = (span: number) => truth({ bCount: 1, bLines: { count: 1, lines: [], confluent: [{ fromXMm: 0, toXMm: span }] } });
  t.is(confluentCoverage(confluent(10)), 0.25);
  t.is(expectedClipFindings([confluent(10)]).score, 2, 'coalescent');
  t.is(expectedClipFindings([confluent(30)]).score, 3, 'white lung: ≥ 50 % of the visible pleura');
  t.is(expectedClipFindings([truth({ imagingDepthMm: 25 })]).score, null, 'unusable view: not scored');
});
