/**
 * Lung findings as the device reports them: per frame (live overlays), and per clip / zone
 * (`pleura analyze`, the exam). Positions are in the pixels of the image the frame came from
 * (the kiosk's display image, or a decoded clip's frame); `Mm` fields are filled only when the
 * image is calibrated (live frames carry mm per pixel; real clips do not).
 * Probabilities are the model's calibrated-on-simulation outputs in [0, 1]; they are decision
 * support, not a diagnosis. docs/models/analyze.md documents this shape as JSON.
 */

/** Why a view is not usable, in words a novice can act on (kiosk message catalogues key on `code`). */
export type QualityReasonCode =
  | 'no-image' // nothing like an ultrasound image (probe in the air, no contact)
  | 'pleura-not-visible' // no pleural line: move between two ribs, tilt the probe
  | 'pleura-too-short' // the pleural line is seen over too little width (a rib in the way)
  | 'gain-too-high' // the image is washed out
  | 'gain-too-low' // the image is too dark
  | 'pleura-too-deep' // the pleural line sits low in the image: reduce the depth? (or chest wall thick)
  | 'depth-too-shallow'; // the image ends just below the pleural line: increase the depth

export interface QualityFinding {
  usable: boolean;
  /** 0–1, higher is better. */
  score: number;
  reasons: Array<{ code: QualityReasonCode; message: string }>;
}

export interface Flag {
  present: boolean;
  /** Probability (or a classical method's normalised score) behind `present`. */
  p: number;
}

export interface PleuraFinding extends Flag {
  /** Source-image row of the pleural line at the middle of its visible extent. */
  yPx: number | null;
  depthMm: number | null;
  /** Lateral spans of the visible pleural line, source-image x. */
  extentPx: Array<[number, number]>;
  irregular: Flag;
}

export interface BLinesFinding extends Flag {
  count: number;
  /** Where each B-line crosses the pleural line, source-image x (and mm when calibrated). */
  positionsPx: number[];
  positionsMm: number[] | null;
  confluent: Flag;
  /** Fraction (0–1) of the visible pleural line's width under B-line signal (white lung ≈ most of it). Optional: added for the LUS score. */
  coverage?: number;
}

export interface RegionFinding extends Flag {
  /** Bounding box of the region in source pixels, when present. */
  boxPx: { x0: number; y0: number; x1: number; y1: number } | null;
}

export type SlidingState = 'present' | 'absent' | 'unknown';

export interface SlidingFinding {
  state: SlidingState;
  /** The motion score below vs. above the pleura (see sliding-detector.ts); null until a window is full. */
  score: number | null;
  /** Seconds of frames the state is based on. */
  windowS: number;
}

export interface FrameFindings {
  /** The frame's sequence number (live: the pipeline header's `seq`; replay: frame index). */
  seq: number;
  timeMs: number;
  quality: QualityFinding;
  pleura: PleuraFinding;
  aLines: Flag;
  bLines: BLinesFinding;
  consolidation: RegionFinding;
  effusion: RegionFinding;
  sliding: SlidingFinding;
  /** Inference time of this frame (preprocess + model + decoding), ms. */
  inferMs: number;
  /** Where the ultrasound region lay and how the image is calibrated (optional: added for clip aggregation and the LUS score). */
  geometry?: FrameGeometry;
}

/** The ultrasound region of the frame's image (source pixels, x1/y1 exclusive) and its calibration. */
export interface FrameGeometry {
  regionPx: { x0: number; y0: number; x1: number; y1: number };
  mmPerPixel: number | null;
}

/** LUS score of one zone: 0 normal … 3 white lung / large consolidation (docs/models/lus-score.md). */
export interface ZoneScore {
  score: 0 | 1 | 2 | 3 | null;
  /** The rule that decided it, in words (e.g. "≥ 3 separate B-lines"). */
  rule: string;
}

/** A clip's (or a zone's) findings, aggregated over its usable frames. */
export interface ClipFindings {
  frames: number;
  usableFrames: number;
  quality: QualityFinding;
  pleura: { visible: Flag; irregular: Flag; depthMm: number | null };
  aLines: Flag;
  /** `count` is the robust maximum over frames; `frameSeq` the frame that shows it. */
  bLines: Flag & { count: number; frameSeq: number | null; confluent: Flag; coverage?: number };
  /** `sizeMm` / `sizeFraction` (optional, added for the LUS score): the largest box's larger side, in mm when calibrated and as a fraction of the region's height. */
  consolidation: Flag & { frameSeq: number | null; sizeMm?: number | null; sizeFraction?: number | null };
  effusion: Flag & { frameSeq: number | null };
  sliding: SlidingFinding;
  score: ZoneScore;
  /** Frames that support each positive finding (sequence numbers), for review. */
  supportingFrames: Record<string, number[]>;
}
