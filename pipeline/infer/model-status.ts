/**
 * The state of a model the device runs, as the infer stage reports it (telemetry `detail.model`)
 * and `/api/status` shows it under `models`: which model, on which execution provider, or why
 * it is not running.
 */
export type ModelState =
  | 'loading'
  | 'running'
  /** The manifest or the .onnx file is not there. */
  | 'missing'
  /** The file does not match its manifest's SHA-256 (or its inputs/outputs): never loaded. */
  | 'refused'
  /** Anything else: no execution provider could run it, no engine in this build, … */
  | 'failed';

export interface ModelStatus {
  name: string;
  version: string | null;
  state: ModelState;
  executionProvider: string | null;
  manifest: string;
  /** Why it is not running, in words that say what to do. */
  error: string | null;
}
