/**
 * The contract between the lung-findings model (trained by scripts/train/, an ONNX file under
 * models/lung-findings/) and the device code that feeds it and reads it. Training
 * (scripts/train/prepare-dataset.ts writes the tensors with these sizes) and inference
 * (findings-engine.ts) import these constants, so they cannot drift apart.
 *
 * Input `image`: float32 [N, 1, 128, 128], the display image after preprocess.ts (the ultrasound
 * region cropped, everything outside it zeroed, fitted into the square keeping its aspect ratio,
 * top-aligned and centred left-right, pixel / 255).
 *
 * Outputs, all logits (apply a sigmoid, or a softmax for `pleura_row`):
 *   frame_logits   [N, 7]            one per FRAME_LABELS entry
 *   bline_map      [N, 32]           per lateral bin of the input (4 columns each): a B-line's
 *                                    centre crosses the pleural line in this bin
 *   pleura_row     [N, 128]          softmax over input rows: the pleural line's row at the
 *                                    middle of its visible extent
 *   pleura_visible [N, 32]           per lateral bin: the pleural line is visible there (not in a
 *                                    rib shadow, inside the image)
 *   lesion_map     [N, 2, 32, 32]    per 4×4 cell of the input: [0] consolidation, [1] effusion
 */
export const INPUT_SIZE = 128;
export const LATERAL_BINS = 32;
export const LESION_GRID = 32;

export const FRAME_LABELS = ['view_ok', 'a_lines', 'b_lines', 'confluent_b_lines', 'pleura_irregular', 'consolidation', 'effusion'] as const;
export type FrameLabel = (typeof FRAME_LABELS)[number];

export const LESION_CHANNELS = ['consolidation', 'effusion'] as const;

export const OUTPUTS = {
  frameLogits: 'frame_logits',
  blineMap: 'bline_map',
  pleuraRow: 'pleura_row',
  pleuraVisible: 'pleura_visible',
  lesionMap: 'lesion_map',
} as const;

export const INPUT_NAME = 'image';

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
