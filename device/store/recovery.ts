/**
 * The start-up pass, run once by the device before anything else touches the store:
 *
 * * removes temp files of writes that never completed (they were never acknowledged);
 * * removes files no row refers to (written, but the process died before the row committed);
 * * completes exams left `finishing` (report built with the UIDs already stored, outbox filled);
 * * marks clips whose file is missing or has the wrong size as `damaged` (logged and audited,
 *   never silently dropped), so the operator knows and sync does not send garbage.
 *
 * Only the device may run it: `pleura export` must not, since the device might be mid-write.
 */
import type { Store } from './store.js';

export interface RecoveryReport {
  tempFilesRemoved: number;
  orphanFilesRemoved: number;
  examsFinished: string[];
  damagedClips: string[];
}

export function recoverStore(store: Store): RecoveryReport {
  const { db, blobs } = store;
  const tempFilesRemoved = blobs.clearTemp();

  const examsFinished: string[] = [];
  for (const id of db.prepare(`SELECT id FROM exam WHERE state = 'finishing'`).pluck().all() as string[]) {
    store.completeFinish(id);
    examsFinished.push(id);
  }

  const referenced = new Set([
    ...(db.prepare(`SELECT dicom_sha256 FROM clip`).pluck().all() as string[]),
    ...(db.prepare(`SELECT blob_sha256 FROM outbox`).pluck().all() as string[]),
  ]);
  let orphanFilesRemoved = 0;
  for (const sha of [...blobs.list()]) {
    if (!referenced.has(sha)) {
      blobs.remove(sha);
      orphanFilesRemoved++;
    }
  }

  const damagedClips: string[] = [];
  const clips = db.prepare(`SELECT id, exam_id, dicom_sha256, dicom_bytes, state FROM clip`).all() as Array<{
    id: string;
    exam_id: string;
    dicom_sha256: string;
    dicom_bytes: number;
    state: string;
  }>;
  for (const c of clips) {
    const size = blobs.sizeOf(c.dicom_sha256);
    if (size === c.dicom_bytes || c.state === 'damaged') continue;
    db.transaction(() => {
      db.prepare(`UPDATE clip SET state = 'damaged' WHERE id = ?`).run(c.id);
      store.audit.add('device', 'clip.damaged', c.exam_id, { clipId: c.id, expectedBytes: c.dicom_bytes, foundBytes: size });
    }).immediate();
    damagedClips.push(c.id);
  }
  if (tempFilesRemoved || orphanFilesRemoved || examsFinished.length || damagedClips.length) {
    store.audit.add('device', 'store.recovered', null, { tempFilesRemoved, orphanFilesRemoved, examsFinished, damagedClips });
  }
  return { tempFilesRemoved, orphanFilesRemoved, examsFinished, damagedClips };
}
