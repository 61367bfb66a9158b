/**
 * Training targets of one frame for the lung-findings model (models/findings/model-io.ts), from
 * the simulator's ground truth (drivers/sim/scene/truth.ts, mm in the probe frame) and the map
 * from probe-frame mm to model-input pixels (display image → augmented picture → preprocess.ts).
 * Pure functions: test/unit/train/targets.test.ts checks them.
 */
import type { FrameTruth, XZMm } from '../../drivers/sim/scene/truth.js';
import { FRAME_LABELS, INPUT_SIZE, LATERAL_BINS, LESION_GRID } from '../../models/findings/model-io.js';
import type { InputTransform } from '../../models/findings/preprocess.js';
import { toInput } from '../../models/findings/preprocess.js';

/** Where the display image's pixels are in mm (pipeline/enhance/display-image.ts). */
export interface DisplayGeometry {
  width: number;
  height: number;
  mmPerPixel: number;
  /** Centre of pixel (0, 0). */
  origin: { xMm: number; zMm: number };
}

/** Where the (resized) display image sits in the augmented picture: picture = display · scale + offset. */
export interface Placement {
  scaleX: number;
  scaleY: number;
  offsetX: number;
  offsetY: number;
}

export const IDENTITY_PLACEMENT: Placement = { scaleX: 1, scaleY: 1, offsetX: 0, offsetY: 0 };

/** Picture-level reasons for an unusable view, made by prepare-dataset's randomisation. */
export type ImageIssue = 'none' | 'gain-too-low' | 'gain-too-high' | 'no-contact';

/** Scene-level reasons, decided from the truth alone (viewProblem). */
export type TruthIssue = 'none' | 'depth-too-shallow' | 'pleura-not-visible' | 'pleura-too-short';

/** Continuous picture coordinates (pixel i covers [i, i+1)) of a probe-frame point. */
export function mmToPicture(g: DisplayGeometry, p: Placement, xMm: number, zMm: number): { x: number; y: number } {
  const u = (xMm - g.origin.xMm) / g.mmPerPixel + 0.5;
  const v = (zMm - g.origin.zMm) / g.mmPerPixel + 0.5;
  return { x: u * p.scaleX + p.offsetX, y: v * p.scaleY + p.offsetY };
}

/** Probe-frame mm → continuous model-input pixel coordinates. */
export type MmToInput = (xMm: number, zMm: number) => { x: number; y: number };

export function mmToInputMap(g: DisplayGeometry, p: Placement, t: InputTransform): MmToInput {
  return (xMm, zMm) => {
    const q = mmToPicture(g, p, xMm, zMm);
    return toInput(t, q.x, q.y);
  };
}

/** Minimum visible pleura under the image centre for a usable view. */
export const MIN_CENTRAL_PLEURA_MM = 10;

/**
 * The view_ok rule on the truth: usable when (1) the image reaches at least max(10 mm, 25 % of
 * the imaging depth) below the pleural line, (2) the pleura is visible under the image centre
 * (x = 0 is not in a rib shadow) and (3) that visible stretch is at least 10 mm wide.
 * prepare-dataset adds the picture-level reasons (gain far off, no contact).
 */
export function truthViewProblem(truth: Pick<FrameTruth, 'imagingDepthMm' | 'pleura'>): TruthIssue {
  const below = truth.imagingDepthMm - truth.pleura.depthMm;
  if (below < Math.max(10, 0.25 * truth.imagingDepthMm)) return 'depth-too-shallow';
  const span = truth.pleura.visibleXMm.find(([a, b]) => a <= 0 && b >= 0);
  if (!span) return 'pleura-not-visible';
  if (span[1] - span[0] < MIN_CENTRAL_PLEURA_MM) return 'pleura-too-short';
  return 'none';
}

export interface FrameTargets {
  /** 0/1 per FRAME_LABELS entry. */
  frame: Uint8Array;
  /** 0/1 per lateral bin. */
  blineMap: Uint8Array;
  /** Input row of the pleural line, -1 when it is not in the input (no target). */
  pleuraRow: number;
  pleuraVisible: Uint8Array;
  /** [2][32][32], channel 0 consolidation, 1 effusion. */
  lesionMap: Uint8Array;
  /** False when the picture is unusable (gain far off, no contact): only view_ok is a target. */
  findingsValid: boolean;
  viewIssue: ImageIssue | TruthIssue;
}

export type TruthForTargets = Pick<FrameTruth, 'imagingDepthMm' | 'skinZMm' | 'pleura' | 'aLines' | 'bLines' | 'consolidations' | 'effusion'>;

const BIN = INPUT_SIZE / LATERAL_BINS;
const CELL = INPUT_SIZE / LESION_GRID;

function pointInPolygon(x: number, y: number, poly: Array<{ x: number; y: number }>): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const a = poly[i]!;
    const b = poly[j]!;
    if (a.y > y !== b.y > y && x < ((b.x - a.x) * (y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

/**
 * @param toIn     probe-frame mm → input pixels (mmToInputMap)
 * @param inRegion whether an input pixel position lies inside the image region (pixels outside
 *                 are zero in the input; no lesion or visible pleura is labelled there)
 */
export function frameTargets(truth: TruthForTargets, toIn: MmToInput, inRegion: (xIn: number, yIn: number) => boolean, imageIssue: ImageIssue = 'none'): FrameTargets {
  const truthIssue = truthViewProblem(truth);
  const viewIssue = imageIssue !== 'none' ? imageIssue : truthIssue;
  const zPleura = truth.skinZMm + truth.pleura.depthMm;
  const frame = new Uint8Array(FRAME_LABELS.length);
  const set = (name: (typeof FRAME_LABELS)[number], v: boolean): void => {
    frame[FRAME_LABELS.indexOf(name)] = v ? 1 : 0;
  };
  set('view_ok', viewIssue === 'none');
  set('a_lines', truth.aLines.present);
  set('b_lines', truth.bLines.count > 0);
  set('confluent_b_lines', truth.bLines.confluent.length > 0);
  set('pleura_irregular', truth.pleura.irregular || truth.pleura.fragmented);
  set('consolidation', truth.consolidations.length > 0);
  set('effusion', truth.effusion !== null);

  const blineMap = new Uint8Array(LATERAL_BINS);
  for (const l of truth.bLines.lines) {
    const b = Math.floor(toIn(l.xMm, zPleura).x / BIN);
    if (b >= 0 && b < LATERAL_BINS) blineMap[b] = 1;
  }
  for (const c of truth.bLines.confluent) {
    const xa = toIn(c.fromXMm, zPleura).x;
    const xb = toIn(c.toXMm, zPleura).x;
    for (let b = 0; b < LATERAL_BINS; b++) if (b * BIN + BIN > Math.min(xa, xb) && b * BIN < Math.max(xa, xb)) blineMap[b] = 1;
  }

  const yPleura = toIn(0, zPleura).y;
  const pleuraVisible = new Uint8Array(LATERAL_BINS);
  for (const [a, bMm] of truth.pleura.visibleXMm) {
    const xa = toIn(a, zPleura).x;
    const xb = toIn(bMm, zPleura).x;
    for (let b = 0; b < LATERAL_BINS; b++) {
      const xc = b * BIN + BIN / 2;
      if (xc >= Math.min(xa, xb) && xc <= Math.max(xa, xb) && inRegion(xc, yPleura)) pleuraVisible[b] = 1;
    }
  }
  const anyVisible = pleuraVisible.some((v) => v === 1);
  const row = Math.floor(yPleura);
  const pleuraRow = anyVisible && row >= 0 && row < INPUT_SIZE ? row : -1;

  const lesionMap = new Uint8Array(2 * LESION_GRID * LESION_GRID);
  const raster = (channel: number, outline: XZMm[]): void => {
    const poly = outline.map((p) => toIn(p.xMm, p.zMm));
    for (let r = 0; r < LESION_GRID; r++) {
      for (let c = 0; c < LESION_GRID; c++) {
        const x = c * CELL + CELL / 2;
        const y = r * CELL + CELL / 2;
        if (inRegion(x, y) && pointInPolygon(x, y, poly)) lesionMap[channel * LESION_GRID * LESION_GRID + r * LESION_GRID + c] = 1;
      }
    }
  };
  for (const c of truth.consolidations) raster(0, c.outlineMm);
  if (truth.effusion) raster(1, truth.effusion.outlineMm);

  return { frame, blineMap, pleuraRow, pleuraVisible, lesionMap, findingsValid: imageIssue === 'none', viewIssue };
}
