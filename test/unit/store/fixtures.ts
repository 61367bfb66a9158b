/** Stores in temp folders, synthetic clips and findings, for the store, DICOM and sync tests. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import type { ClipRecord, ExamRecord, PatientIdentity } from '../../../device/exam/records.js';
import { Store, type CommitClipInput, type StoreOptions } from '../../../device/store/store.js';

/** Distinctive enough that finding them in a byte stream by chance is impossible. */
export const PATIENT: PatientIdentity = { id: 'MRN-7731-0042-XQZ', name: 'Vandersteen^Wilhelmina' };

export function tempDir(t: ExecutionContext, prefix = 'pleura-store-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function openStore(t: ExecutionContext, opts: Partial<StoreOptions> = {}): Store {
  const dataDir = opts.dataDir ?? tempDir(t);
  const store = Store.open({ dataDir, budget: { reserveBytes: 0, maxDataBytes: 0 }, ...opts });
  t.teardown(() => store.close());
  return store;
}

/** Speckle with a bright pleural line and a B-line that moves from frame to frame. */
export function syntheticPixels(frames: number, rows: number, cols: number, seed = 1): Uint8Array {
  const out = new Uint8Array(frames * rows * cols);
  let s = seed >>> 0 || 1;
  const pleura = Math.round(rows * 0.2);
  for (let f = 0; f < frames; f++) {
    const bline = Math.round(cols * (0.3 + 0.03 * f));
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < cols; x++) {
        s = (Math.imul(s, 1103515245) + 12345) >>> 0;
        let v = (s >>> 18) & 0x3f;
        if (Math.abs(y - pleura) < 2) v = 230;
        if (y > pleura && Math.abs(x - bline) < 3) v = Math.max(v, 200);
        out[f * rows * cols + y * cols + x] = v;
      }
    }
  }
  return out;
}

export function clipInput(examId: string, frames = 6, rows = 48, cols = 64, seed = 1): CommitClipInput {
  return {
    examId,
    kind: 'retrospective',
    frames,
    rows,
    cols,
    frameRateHz: 20,
    mmPerPixel: 0.5,
    topDepthMm: -5,
    probe: { model: 'SIM-C5-2v', serial: 'SIM000001' },
    preset: 'lung',
    depthMm: 120,
    gainDb: 0,
    pixels: syntheticPixels(frames, rows, cols, seed),
  };
}

export interface ExamFixture {
  exam: ExamRecord;
  clips: ClipRecord[];
}

/** An exam with one clip per zone, each with a finding when `findings` is set. */
export function examWithClips(store: Store, zones: string[], o: { findings?: boolean; frames?: number; rows?: number; cols?: number; finish?: boolean } = {}): ExamFixture {
  const exam = store.startExam({ patient: PATIENT, operator: 'nurse Ada', protocol: 'lus-12' });
  const clips: ClipRecord[] = [];
  zones.forEach((zone, i) => {
    store.selectZone(exam.id, zone);
    const input = clipInput(exam.id, o.frames ?? 6, o.rows ?? 48, o.cols ?? 64, i + 1);
    if (o.findings) {
      input.findings = [
        {
          model: { name: 'lus-bline', version: '0.3.1' },
          values: { bLineCount: i + 2, zoneScore: Math.min(3, i + 1), pleuralLineAbnormal: i % 2 === 1, consolidation: false, effusion: i === 2, lungSliding: true },
          confidence: 0.8 + i * 0.01,
          keyFrame: 2,
        },
      ];
    }
    clips.push(store.commitClip(input));
  });
  if (o.finish) store.finishExam(exam.id);
  return { exam: store.exam(exam.id), clips };
}
