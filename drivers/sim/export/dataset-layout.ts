/**
 * The files of an exported dataset (docs/simulator.md, "Datasets"):
 *   manifest.json   DatasetManifest: the scene, probe, acquisition and this layout
 *   rf.i16          int16 LE, [frame][transmit][element][sample] (modes rf, both)
 *   bmode.u8        uint8, [frame][row][column] on the probe's polar/Cartesian grid, display levels (modes bmode, both)
 *   labels.jsonl    one FrameTruth per line, frame order, plus its clip number
 *   png/NNNNNN.png  optional, the scan-converted picture the kiosk would show
 */
import type { FrameRf, ImageGeometry, TransducerGeometry, TransmitSequence } from '../../protocol/messages.js';
import type { DatasetSpec } from './dataset-spec.js';

export interface DatasetLayout {
  rf: { file: 'rf.i16'; dtype: 'int16'; shape: [number, number, number, number]; frameBytes: number } | null;
  bmode: { file: 'bmode.u8'; dtype: 'uint8'; shape: [number, number, number]; frameBytes: number; geometry: ImageGeometry; dynamicRangeDb: number } | null;
  labels: 'labels.jsonl';
}

export interface DatasetManifest {
  format: 'pleura-sim-dataset';
  version: 1;
  spec: DatasetSpec;
  probe: { model: string; geometry: TransducerGeometry };
  /** Everything needed to beamform rf.i16 (as in a FRAME_RF, without the samples). */
  acquisition: Omit<FrameRf, 'samples' | 'frameIndex' | 'transmitDelaysS'> & { transmits: TransmitSequence; transmitDelaysS: number[] };
  layout: DatasetLayout;
  clips: Array<{ clip: number; seed: number; firstFrame: number; frameCount: number }>;
  buildSeconds: number;
  createdAt: string;
  /** Physics and scene model notes: docs/simulator.md of the pleura version that wrote it. */
  generator: string;
}
