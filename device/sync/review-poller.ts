/**
 * Closing the loop: for each exam that is verified at a destination and not yet reviewed, ask
 * the destination (QIDO-RS) for SR series in the study; any SR instance the device did not send
 * itself is a reviewer's report. Its text is read from WADO-RS metadata and stored, and the
 * exam shows as reviewed. Polls only: the device is often offline and has no address to call.
 */
import type { Store } from '../store/store.js';
import type { Destination } from './destination.js';
import { jsonString, TAG } from './dicom-json.js';
import { readReviewReport } from './report-text.js';

export class ReviewPoller {
  reviewsFound = 0;
  lastPollAt: string | null = null;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly destinations: Destination[],
    private readonly intervalMs: number,
    private readonly log: (level: 'info' | 'warn', message: string) => void = () => undefined,
    private readonly onChange: () => void = () => undefined,
  ) {}

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    await this.running;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      await this.pollOnce();
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, this.intervalMs);
      });
    }
  }

  /** One pass over every destination; returns the number of new reports. */
  async pollOnce(): Promise<number> {
    let found = 0;
    for (const d of this.destinations.filter((x) => x.review)) {
      for (const exam of this.store.outbox.awaitingReview(d.name)) {
        if (this.stopped) return found;
        try {
          found += await this.checkExam(d, exam.examId, exam.studyUid);
        } catch (err) {
          this.log('warn', `review poll ${d.name}: exam ${exam.examId}: ${(err as Error).message}`);
          break; // the destination is probably unreachable: try again next round
        }
      }
    }
    this.lastPollAt = new Date().toISOString();
    if (found) {
      this.reviewsFound += found;
      this.onChange();
    }
    return found;
  }

  private async checkExam(d: Destination, examId: string, studyUid: string): Promise<number> {
    const own = this.store.outbox.ownSopUids(examId);
    let found = 0;
    for (const series of await d.client.searchSeries(studyUid, 'SR')) {
      const seriesUid = jsonString(series, TAG.SeriesInstanceUID);
      if (!seriesUid) continue;
      for (const inst of await d.client.searchInstances(studyUid, seriesUid)) {
        const sopUid = jsonString(inst, TAG.SOPInstanceUID);
        if (!sopUid || own.has(sopUid)) continue;
        const meta = await d.client.metadata(studyUid, seriesUid, sopUid);
        if (!meta) continue;
        const report = readReviewReport(meta);
        if (this.store.addReview(examId, { sopUid, destination: d.name, ...report })) {
          found++;
          this.log('info', `exam ${examId}: reviewer's report ${sopUid} found at ${d.name}`);
        }
      }
    }
    return found;
  }
}
