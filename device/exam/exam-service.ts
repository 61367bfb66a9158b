/**
 * The exam workflow on the device: start an exam for a patient, choose a zone, capture clips
 * from the cine buffer, review (list, discard), finish (queue for sync), delete when synced.
 * Persistence is the store thread's; this class adds the capture itself and one rule: one
 * capture at a time.
 */
import type { CineBuffer } from '../capture/cine-buffer.js';
import { CaptureError, prospective, retrospective, type ClipFrames } from '../capture/clip-assembly.js';
import type { StoreClient } from '../store/store-client.js';
import type { StartExamInput } from '../store/store.js';
import type { CaptureKind, ClipRecord, EditableFindingValues, ExamDetail, ExamRecord, ExamSummary, ProbeInfo } from './records.js';

/** What the device is doing at capture time, recorded with the clip. */
export interface CaptureContext {
  probe: ProbeInfo;
  preset: string;
  depthMm: number;
  gainDb: number;
  /** The probe's configured frame rate: the clip's rate if it has a single frame. */
  frameRateHz: number;
}

export class ExamService {
  private capturing = false;

  constructor(
    private readonly store: StoreClient,
    private readonly cine: CineBuffer,
    private readonly context: () => CaptureContext,
    /** Called after an exam was finished (the sync worker should look at the outbox). */
    private readonly onFinished: (examId: string) => void = () => undefined,
  ) {}

  start(input: StartExamInput): Promise<ExamRecord> {
    return this.store.call('startExam', input);
  }

  selectZone(examId: string, zone: string): Promise<ExamRecord> {
    return this.store.call('selectZone', examId, zone);
  }

  async capture(examId: string, kind: CaptureKind, seconds: number): Promise<ClipRecord> {
    if (this.capturing) throw new CaptureError('a capture is already in progress; wait for it to finish');
    this.capturing = true;
    try {
      const ctx = this.context();
      const newest = this.cine.newest();
      const frameBytes = newest ? newest.width * newest.height : 640 * 480;
      // Refuse before waiting or copying anything: exam state, zone, disk budget.
      await this.store.call('checkCapture', examId, Math.ceil(seconds * ctx.frameRateHz * 1.25) * frameBytes);
      const clip: ClipFrames =
        kind === 'retrospective'
          ? retrospective(this.cine, seconds, ctx.frameRateHz)
          : await prospective(this.cine, seconds, ctx.frameRateHz, () => performance.timeOrigin + performance.now());
      const best = clip.bestFinding;
      return await this.store.commitClip({
        examId,
        kind,
        frames: clip.frames,
        rows: clip.rows,
        cols: clip.cols,
        frameRateHz: clip.frameRateHz,
        mmPerPixel: clip.mmPerPixel,
        topDepthMm: clip.topDepthMm,
        probe: { model: ctx.probe.model, serial: clip.probeId || ctx.probe.serial },
        preset: ctx.preset,
        depthMm: ctx.depthMm,
        gainDb: ctx.gainDb,
        pixels: clip.pixels,
        findings: best ? [{ model: best.model, values: best.values, confidence: best.confidence, keyFrame: best.keyFrame }] : [],
      });
    } finally {
      this.capturing = false;
    }
  }

  discardClip(examId: string, clipId: string): Promise<void> {
    return this.store.call('discardClip', examId, clipId);
  }

  async finish(examId: string): Promise<ExamDetail> {
    const detail = await this.store.call('finishExam', examId);
    this.onFinished(examId);
    return detail;
  }

  /** The operator's correction of a finding; a finished exam's report is made again, so the sync worker looks again. */
  async editFinding(examId: string, findingId: string, values: EditableFindingValues, operator: string): Promise<ExamDetail> {
    const detail = await this.store.call('editFinding', examId, findingId, values, operator);
    if (detail.state === 'finished') this.onFinished(examId);
    return detail;
  }

  delete(examId: string, actor: string): Promise<void> {
    return this.store.call('deleteExam', examId, actor);
  }

  get(examId: string): Promise<ExamDetail> {
    return this.store.call('getExam', examId);
  }

  /** One clip's record, for clip review (device/exam/clip-review.ts); 404 NotFoundError when unknown. */
  clip(clipId: string): Promise<ClipRecord> {
    return this.store.call('clip', clipId);
  }

  current(): Promise<ExamRecord | null> {
    return this.store.call('currentExam');
  }

  list(limit = 200): Promise<ExamSummary[]> {
    return this.store.call('listExams', limit);
  }
}
