/**
 * The store's exam workflow and its refusals: every refusal leaves what was stored untouched.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { readPart10 } from '../../../device/dicom/part10.js';
import { PSEUDONYM_PREFIX } from '../../../device/dicom/pseudonym.js';
import { DiskBudgetError, ExamStateError, InvalidInputError, NotFoundError } from '../../../device/store/errors.js';
import { recoverStore } from '../../../device/store/recovery.js';
import { Store } from '../../../device/store/store.js';
import { clipInput, examWithClips, openStore, PATIENT, tempDir } from './fixtures.js';

test('start → zone → capture → finish: clips stored as DICOM with stable UIDs, outbox filled', (t) => {
  const store = openStore(t);
  const { exam, clips } = examWithClips(store, ['R1', 'L2'], { findings: true });
  t.is(exam.state, 'open');
  t.true(exam.patient.pseudonym.startsWith(PSEUDONYM_PREFIX));
  t.is(exam.patient.id, PATIENT.id, 'the real identity stays on the device, in the exam');
  t.deepEqual(clips.map((c) => [c.zone, c.laterality, c.instanceNumber]), [['R1', 'R', 1], ['L2', 'L', 2]]);

  const ds = readPart10(store.blobs.read(clips[0]!.dicomSha256));
  t.is(ds.SOPInstanceUID, clips[0]!.sopUid);
  t.is(ds.StudyInstanceUID, exam.studyUid);
  t.is(ds.PatientID, exam.patient.pseudonym);
  t.is(ds.ImageComments, 'zone R1');
  t.is(createHash('md5').update(store.blobs.read(clips[0]!.dicomSha256)).digest('hex'), clips[0]!.dicomMd5);

  const detail = store.finishExam(exam.id);
  t.is(detail.state, 'finished');
  t.truthy(detail.srSopUid, 'findings make a report');
  t.is(detail.sync.objects, 3);
  t.is(detail.sync.state, 'waiting', 'no destination configured: the outbox waits');
  t.deepEqual(store.finishExam(exam.id).srSopUid, detail.srSopUid, 'finishing twice changes nothing');
  t.deepEqual(store.exportObjects(exam.id).map((o) => o.name), ['clip-001-R1.dcm', 'clip-002-L2.dcm', 'findings-sr.dcm']);
  t.deepEqual(store.audit.forExam(exam.id).map((a) => a.action), ['exam.start', 'exam.zone', 'clip.capture', 'exam.zone', 'clip.capture', 'exam.finish', 'exam.queued']);
});

test('the pseudonym is a keyed hash: same patient and key → same pseudonym; another key → another', (t) => {
  const a = openStore(t);
  const e1 = a.startExam({ patient: PATIENT, operator: 'x', protocol: 'lus-8' });
  a.selectZone(e1.id, 'R1');
  a.commitClip(clipInput(e1.id));
  a.finishExam(e1.id);
  const e2 = a.startExam({ patient: { ...PATIENT, id: ` ${PATIENT.id.toLowerCase()} ` }, operator: 'x', protocol: 'lus-8' });
  t.is(e2.patient.pseudonym, e1.patient.pseudonym, 'case and spaces of the entered ID do not matter');
  const b = openStore(t);
  t.not(b.startExam({ patient: PATIENT, operator: 'x', protocol: 'lus-8' }).patient.pseudonym, e1.patient.pseudonym);
  const keyFile = path.join(a.dataDir, 'keys', 'site.key');
  t.is(fs.statSync(keyFile).mode & 0o777, 0o600);
  t.is(fs.readFileSync(keyFile).length, 32);
});

test('refusals say what to do and change nothing', (t) => {
  const store = openStore(t);
  t.throws(() => store.startExam({ patient: PATIENT, operator: 'x', protocol: 'lus-99' }), { instanceOf: InvalidInputError, message: /unknown protocol "lus-99"; use one of lus-12/ });
  const exam = store.startExam({ patient: PATIENT, operator: 'x', protocol: 'lus-6' });
  t.throws(() => store.startExam({ patient: PATIENT, operator: 'x', protocol: 'lus-6' }), { instanceOf: ExamStateError, message: /still open; finish it/ });
  t.throws(() => store.commitClip(clipInput(exam.id)), { instanceOf: ExamStateError, message: /choose the zone before capturing/ });
  t.throws(() => store.selectZone(exam.id, 'R5'), { instanceOf: InvalidInputError, message: /not part of protocol lus-6; use one of R1, R2, R3, L1/ });
  t.throws(() => store.finishExam(exam.id), { instanceOf: ExamStateError, message: /has no clips/ });
  store.selectZone(exam.id, 'R1');
  const clip = store.commitClip(clipInput(exam.id));
  t.throws(() => store.addFinding(clip.id, { model: { name: 'm', version: '1' }, values: {}, confidence: 1.5, keyFrame: 1 }), { instanceOf: InvalidInputError, message: /confidence 1.5/ });
  t.throws(() => store.addFinding(clip.id, { model: { name: 'm', version: '1' }, values: {}, confidence: 0.5, keyFrame: 99 }), { instanceOf: InvalidInputError, message: /key frame 99/ });
  t.throws(() => store.deleteExam(exam.id, 'x'), { instanceOf: ExamStateError, message: /not synced/ });
  store.finishExam(exam.id);
  t.throws(() => store.commitClip(clipInput(exam.id)), { instanceOf: ExamStateError, message: /is finished; cannot capture/ });
  t.throws(() => store.discardClip(exam.id, clip.id), { instanceOf: ExamStateError });
  t.throws(() => store.deleteExam(exam.id, 'x'), { instanceOf: ExamStateError, message: /nothing unsynced is ever deleted/ });
  t.throws(() => store.getExam('E20990101-ZZZZZZ'), { instanceOf: NotFoundError });
  t.is(store.getExam(exam.id).clips.length, 1);
  t.deepEqual(store.blobs.read(clip.dicomSha256).length, clip.dicomBytes);
});

test('a clip discarded in review is gone with its file; an empty open exam can be deleted', (t) => {
  const store = openStore(t);
  const { exam, clips } = examWithClips(store, ['R1', 'R2']);
  store.discardClip(exam.id, clips[0]!.id);
  t.is(store.blobs.sizeOf(clips[0]!.dicomSha256), -1);
  t.deepEqual(store.getExam(exam.id).clips.map((c) => c.id), [clips[1]!.id]);
  store.finishExam(exam.id);
  const empty = store.startExam({ patient: PATIENT, operator: 'x', protocol: 'lus-12' });
  store.deleteExam(empty.id, 'x');
  t.throws(() => store.exam(empty.id), { instanceOf: NotFoundError });
});

test('a synced exam can be deleted, and its files go with it', (t) => {
  const store = openStore(t, { destinations: ['pacs'] });
  const { exam, clips } = examWithClips(store, ['R1'], { finish: true });
  store.outbox.ensureDeliveries('pacs');
  t.throws(() => store.deleteExam(exam.id, 'x'), { instanceOf: ExamStateError });
  const due = store.outbox.nextDue('pacs', Date.now())!;
  store.outbox.markStored(due.outboxId, 'pacs', new Date().toISOString());
  t.true(store.outbox.markVerified(due.outboxId, 'pacs', new Date().toISOString()));
  t.is(store.getExam(exam.id).sync.state, 'synced');
  store.deleteExam(exam.id, 'admin');
  t.is(store.blobs.sizeOf(clips[0]!.dicomSha256), -1);
  t.deepEqual(store.listExams(), []);
});

test('disk budget: a capture that would cross it is refused with how much is left, before anything is written', (t) => {
  const dataDir = tempDir(t);
  const probe = Store.open({ dataDir, budget: { reserveBytes: 0, maxDataBytes: 0 } });
  const { exam } = examWithClips(probe, ['R1']);
  const used = probe.usedBytes();
  probe.close();
  const store = openStore(t, { dataDir, budget: { reserveBytes: 0, maxDataBytes: used + 20_000 } });
  const before = [...store.blobs.list()];
  const err = t.throws(() => store.commitClip(clipInput(exam.id, 40, 48, 64)), { instanceOf: DiskBudgetError });
  t.regex(err!.message, /^disk budget reached: the store holds [\d.]+ MB of its [\d.]+ MB budget and a 40-frame clip needs [\d.]+ MB; sync or delete synced exams before capturing$/);
  t.is(err!.status, 507);
  t.deepEqual([...store.blobs.list()], before);
  t.is(store.getExam(exam.id).clips.length, 1);

  const huge = openStore(t, { budget: { reserveBytes: Number.MAX_SAFE_INTEGER, maxDataBytes: 0 } });
  t.throws(() => huge.startExam({ patient: PATIENT, operator: 'x', protocol: 'lus-12' }), { instanceOf: DiskBudgetError, message: /MB free, a new exam needs .* must stay free/ });
  t.true(huge.storage().lowDisk);
});

test('start-up recovery: temp files and orphans removed, an interrupted finish completed with the same UIDs, missing files flagged', (t) => {
  const dataDir = tempDir(t);
  const store = openStore(t, { dataDir });
  const { exam, clips } = examWithClips(store, ['R1', 'R2', 'R3'], { findings: true });
  // A crash between the two steps of finishing: marked finishing, report UIDs fixed, no outbox.
  store.db.prepare(`UPDATE exam SET state = 'finishing', finished_at = ?, sr_series_uid = '2.25.11', sr_sop_uid = '2.25.12' WHERE id = ?`).run(new Date().toISOString(), exam.id);
  // A write interrupted before the rename, and a file whose row never committed.
  fs.writeFileSync(path.join(store.blobs.tmpDir, 'deadbeef.0000.tmp'), 'partial');
  const orphan = store.blobs.put(new Uint8Array([9, 9, 9]));
  // A clip file lost (say, a bad sector): truncated.
  fs.truncateSync(store.blobs.pathOf(clips[2]!.dicomSha256), 10);

  const report = recoverStore(store);
  t.is(report.tempFilesRemoved, 1);
  t.is(report.orphanFilesRemoved, 1);
  t.deepEqual(report.examsFinished, [exam.id]);
  t.deepEqual(report.damagedClips, [clips[2]!.id]);
  t.is(store.blobs.sizeOf(orphan.sha256), -1);
  const detail = store.getExam(exam.id);
  t.is(detail.state, 'finished');
  t.is(detail.srSopUid, '2.25.12');
  t.is(detail.sync.objects, 4);
  t.is(detail.clips[2]!.state, 'damaged');
  t.is(readPart10(store.exportObjects(exam.id).find((o) => o.kind === 'sr')!.bytes).SOPInstanceUID, '2.25.12');
  t.deepEqual(recoverStore(store), { tempFilesRemoved: 0, orphanFilesRemoved: 0, examsFinished: [], damagedClips: [] }, 'a second pass finds nothing');
});

test('an object that would carry the real patient name is refused before it is stored', (t) => {
  const store = openStore(t);
  const exam = store.startExam({ patient: { id: 'P-1', name: 'Lung' }, operator: 'x', protocol: 'lus-12' });
  store.selectZone(exam.id, 'R1');
  // "Lung ultrasound" is the study description: a patient named "Lung" would appear in it as a word.
  t.throws(() => store.commitClip(clipInput(exam.id)), { message: /StudyDescription contains the patient's real identity/ });
  t.deepEqual([...store.blobs.list()], []);
});
