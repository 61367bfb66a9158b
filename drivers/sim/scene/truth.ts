/**
 * Ground truth of one simulated frame: what the scene contains at that instant, in the probe's
 * coordinates, for training and evaluating lung-finding models. Computed from the same state
 * the frame was simulated from (LungScene.stateAt), so it moves with breathing, sliding and the
 * hand exactly as the image does.
 *
 * Coordinates: millimetres in the probe frame of docs/probe-protocol.md (x lateral, 0 at the
 * array centre; z depth; convex: z = 0 on the end-element chord, the skin at the apex is at
 * `skinZMm`). `depthMm` is depth below the skin under the probe centre. Lateral positions of
 * things at the pleura are given at the pleura's depth.
 * The JSON shape is documented in docs/simulator.md ("Ground truth"); version 1.
 */
import type { LungScene } from './lung-scene.js';
import { EFFUSION_BREATHING } from './lung-surface.js';

export interface XZMm {
  xMm: number;
  zMm: number;
}

export interface FrameTruth {
  kind: 'pleura-sim-truth';
  version: 1;
  frameIndex: number;
  timeS: number;
  scene: string;
  seed: number;
  probe: string;
  imagingDepthMm: number;
  skinZMm: number;
  pleura: {
    /** The pleural line under the probe centre. */
    depthMm: number;
    /** Lateral spans (x at the pleura) where the line is in view and not in a rib's shadow. */
    visibleXMm: Array<[number, number]>;
    thicknessMm: number;
    irregular: boolean;
    fragmented: boolean;
  };
  aLines: {
    /** A-lines are seen somewhere in the intercostal window. */
    present: boolean;
    /** Depths of the A-lines under the probe centre within the image (empty where erased there). */
    depthsMm: number[];
  };
  bLines: {
    /** B-lines in view (not in a rib shadow, lung under them); confluent regions count as one each. */
    count: number;
    lines: Array<{ xMm: number; angleRad: number; widthMm: number; intensity: number }>;
    confluent: Array<{ fromXMm: number; toXMm: number }>;
  };
  sliding: 'present' | 'absent' | 'lung-point';
  lungPointXMm: number | null;
  lungPulse: boolean;
  ribs: Array<{ xMm: number; topDepthMm: number; shadowXMm: [number, number] }>;
  consolidations: Array<{ outlineMm: XZMm[]; airBronchograms: boolean; maxDepthMm: number }>;
  effusion: { outlineMm: XZMm[]; maxThicknessMm: number } | null;
  motion: { breath: number; slideMm: number; handLateralMm: number; handAxialMm: number };
}

const round = (v: number, digits = 2): number => Math.round(v * 10 ** digits) / 10 ** digits;

export function frameTruth(scene: LungScene, timeS: number, frameIndex: number, probeName: string): FrameTruth {
  const { motion: m, table, sourceS, sourceVisible } = scene.stateAt(timeS);
  const g = scene.geometry;
  const spec = scene.spec;
  const p = { xM: 0, zM: 0 };
  const xz = (s: number, u: number): XZMm => {
    g.frame.toXZ(s * g.latPerS, u, p);
    return { xMm: round(p.xM * 1000), zMm: round(p.zM * 1000) };
  };
  const skinZMm = g.frame.apexZM * 1000;
  const centre = table.binOf(0);
  const parietalU = g.pleuraBaseU(-m.handLateralM) + m.pleuraAxialM + m.handAxialM;
  const xAtPleura = (s: number): number => xz(s, g.pleuraBaseU(s)).xMm;

  // Rib shadows: the scan lines through the bone, as lateral spans at the pleura.
  const el = { cxM: 0, czM: 0, axM: 0, azM: 0 };
  const q = { lat: 0, uM: 0 };
  const ribs = scene.ribs.map((rib) => {
    rib.ellipseAt(m.handLateralM, m.handAxialM, g, el);
    const edgeS = (dx: number): number => {
      g.frame.fromXZ(el.cxM + dx, el.czM, q);
      return q.lat / g.latPerS;
    };
    const [a, b] = [edgeS(-el.axM), edgeS(el.axM)];
    return { sFrom: Math.min(a, b), sTo: Math.max(a, b), xMm: round(el.cxM * 1000), topDepthMm: round((el.czM - el.azM) * 1000 - skinZMm) };
  });
  const inShadow = (s: number): boolean => ribs.some((r) => s > r.sFrom && s < r.sTo);
  const fieldS = g.frame.halfFieldLat / g.latPerS;

  // Visible pleura: the field of view minus the shadows.
  const visibleXMm: Array<[number, number]> = [];
  let spanStart: number | null = null;
  const stepS = 0.25e-3;
  for (let s = -fieldS; s <= fieldS + stepS / 2; s += stepS) {
    const visible = s <= fieldS && !inShadow(s);
    if (visible && spanStart === null) spanStart = s;
    if ((!visible || s + stepS > fieldS + stepS / 2) && spanStart !== null) {
      const end = visible ? s : s - stepS;
      if (end > spanStart) visibleXMm.push([xAtPleura(spanStart), xAtPleura(end)]);
      spanStart = null;
    }
  }

  // A-lines: on the centre line where the air mirrors cleanly; present if anywhere in view.
  const depthsMm: number[] = [];
  const clean = (bin: number): boolean => table.mirrorWeight[bin]! * table.coherence[bin]! > 0.5 && (table.fluidThickness[bin] ?? 0) === 0;
  if (clean(centre) && !inShadow(0) && spec.reverberation.maxOrder > 0) {
    const U = table.airU[centre]!;
    for (let n = 2; n <= spec.reverberation.maxOrder + 1 && n * U <= g.depthM; n++) depthsMm.push(round(n * U * 1000));
  }
  let cleanBins = 0;
  let viewBins = 0;
  for (let s = -fieldS; s <= fieldS; s += 0.5e-3) {
    if (inShadow(s)) continue;
    viewBins++;
    if (clean(table.binOf(s))) cleanBins++;
  }

  const lines: FrameTruth['bLines']['lines'] = [];
  spec.bLines.forEach((b, i) => {
    const s = sourceS[i]!;
    if (!sourceVisible[i] || Math.abs(s) > fieldS || inShadow(s)) return;
    lines.push({ xMm: xAtPleura(s), angleRad: round(g.frame.kind === 'convex' ? s * g.latPerS : 0, 4), widthMm: b.widthMm, intensity: b.intensity });
  });
  const slideS = m.slidingBelowM === -Infinity ? 0 : m.slideM;
  const confluent = spec.confluent
    .map((c) => [Math.max(-fieldS, c.fromMm / 1000 + slideS + m.handLateralM), Math.min(fieldS, c.toMm / 1000 + slideS + m.handLateralM)] as const)
    .filter(([a, b]) => b > a)
    .map(([a, b]) => ({ fromXMm: xAtPleura(a), toXMm: xAtPleura(b) }));

  const lungShift = (sLung: number): number => sLung + m.slideM + m.handLateralM;
  const lungAxial = m.pleuraAxialM + m.pulseM + m.handAxialM;
  const outline = (from: number, to: number, top: (s: number) => number, bottom: (s: number) => number): XZMm[] => {
    const pts: XZMm[] = [];
    const n = Math.max(2, Math.ceil((to - from) / 1e-3));
    for (let i = 0; i <= n; i++) {
      const s = from + ((to - from) * i) / n;
      pts.push(xz(lungShift(s), top(s) + lungAxial));
    }
    for (let i = n; i >= 0; i--) {
      const s = from + ((to - from) * i) / n;
      pts.push(xz(lungShift(s), bottom(s) + lungAxial));
    }
    return pts;
  };
  const consolidations = scene.surface.consolidations.map((c) => {
    let maxDepth = 0;
    for (let s = c.fromM; s <= c.toM; s += 0.5e-3) maxDepth = Math.max(maxDepth, c.extraDepthAt(s));
    return { outlineMm: outline(c.fromM, c.toM, (s) => scene.surface.visceralAt(s, s), (s) => scene.surface.airAt(s, s)), airBronchograms: c.airBronchograms, maxDepthMm: round(maxDepth * 1000) };
  });
  const eff = scene.surface.effusion;
  let effusion: FrameTruth['effusion'] = null;
  if (eff) {
    // The fluid lies in the chest wall's frame: probe s = sWall + hand.
    const from = Math.max(eff.fromM, -fieldS - m.handLateralM);
    const to = Math.min(eff.toM, fieldS - m.handLateralM);
    const thickness = (s: number): number => eff.thicknessAt(s) * (1 - EFFUSION_BREATHING * m.breath);
    const pts: XZMm[] = [];
    let maxT = 0;
    const n = Math.max(2, Math.ceil((to - from) / 2e-3)); // every 2 mm: the fluid's edges are smooth
    for (let i = 0; i <= n; i++) {
      const s = from + ((to - from) * i) / n;
      pts.push(xz(s + m.handLateralM, g.pleuraBaseU(s) + m.pleuraAxialM + m.handAxialM));
      maxT = Math.max(maxT, thickness(s));
    }
    for (let i = n; i >= 0; i--) {
      const s = from + ((to - from) * i) / n;
      pts.push(xz(s + m.handLateralM, g.pleuraBaseU(s) + thickness(s) + m.pleuraAxialM + m.handAxialM));
    }
    effusion = { outlineMm: pts, maxThicknessMm: round(maxT * 1000) };
  }

  const sliding = spec.sliding === 'present' ? 'present' : spec.sliding === 'absent' ? 'absent' : 'lung-point';
  return {
    kind: 'pleura-sim-truth',
    version: 1,
    frameIndex,
    timeS: round(timeS, 4),
    scene: spec.name,
    seed: scene.options.seed,
    probe: probeName,
    imagingDepthMm: round(g.depthM * 1000),
    skinZMm: round(skinZMm),
    pleura: {
      depthMm: round(parietalU * 1000),
      visibleXMm,
      thicknessMm: spec.pleura.thicknessMm,
      irregular: spec.pleura.irregularityMm >= 0.2,
      fragmented: spec.pleura.fragmentation > 0,
    },
    aLines: { present: viewBins > 0 && cleanBins / viewBins > 0.3 && spec.reverberation.maxOrder > 0, depthsMm },
    bLines: { count: lines.length + confluent.length, lines, confluent },
    sliding,
    lungPointXMm: sliding === 'lung-point' ? round((m.slidingBelowM + m.handLateralM) * 1000) : null,
    lungPulse: sliding !== 'absent' && spec.heart.pulseMm > 0,
    ribs: ribs.map((r) => ({ xMm: r.xMm, topDepthMm: r.topDepthMm, shadowXMm: [xAtPleura(r.sFrom), xAtPleura(r.sTo)] as [number, number] })),
    consolidations,
    effusion,
    motion: { breath: round(m.breath, 3), slideMm: round(m.slideM * 1000, 3), handLateralMm: round(m.handLateralM * 1000, 3), handAxialMm: round(m.handAxialM * 1000, 3) },
  };
}
