/**
 * The outbox worker against a fake DICOMweb server: every object delivered and verified; server
 * errors, lost acknowledgements, a lagging index and a restart never lose or duplicate anything.
 */
import test from 'ava';
import { BasicAuth } from '../../../device/sync/auth.js';
import { qidoVerifiedDestination } from '../../../device/sync/destination.js';
import { DicomWebClient } from '../../../device/sync/dicomweb-client.js';
import { SyncEngine } from '../../../device/sync/sync-engine.js';
import { TokenBucket } from '../../../device/sync/token-bucket.js';
import type { Store } from '../../../device/store/store.js';
import { examWithClips, openStore } from '../store/fixtures.js';
import { startFakeDicomWeb, type FakeDicomWeb } from './fake-dicomweb.js';

const BACKOFF = { initialMs: 20, maxMs: 100 };

async function fake(t: import('ava').ExecutionContext): Promise<FakeDicomWeb> {
  const f = await startFakeDicomWeb();
  t.teardown(() => f.close());
  return f;
}

function engineFor(store: Store, server: FakeDicomWeb, bandwidth = 0): SyncEngine {
  const client = new DicomWebClient({ baseUrl: `${server.url}/dicom-web`, auth: new BasicAuth('device', 'pw'), bucket: new TokenBucket(bandwidth), timeoutMs: 5000 });
  return new SyncEngine(store, [qidoVerifiedDestination('cloud', client, false)], { backoff: BACKOFF, idlePollMs: 50 });
}

async function drain(engine: SyncEngine, store: Store, examId: string, timeoutMs = 10_000): Promise<void> {
  engine.start();
  const deadline = Date.now() + timeoutMs;
  while (store.getExam(examId).sync.state !== 'synced') {
    if (Date.now() > deadline) throw new Error(`not synced: ${JSON.stringify(store.getExam(examId).sync)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  await engine.stop();
}

test('every object is sent once and verified; the exam becomes synced; the bytes are the stored ones', async (t) => {
  const server = await fake(t);
  const store = openStore(t, { destinations: ['cloud'] });
  const { exam } = examWithClips(store, ['R1', 'R2', 'L1'], { findings: true, finish: true });
  t.like(store.getExam(exam.id).sync, { state: 'queued', objects: 4, verified: 0 }, 'finished, nothing tried yet');
  t.is(store.listExams()[0]?.syncState, 'queued');
  await drain(engineFor(store, server), store, exam.id);
  t.is(server.instances.size, 4);
  t.is(server.stowRequests, 4);
  for (const o of store.exportObjects(exam.id)) t.deepEqual(server.instances.get(o.sopUid), o.bytes);
  t.true(store.audit.forExam(exam.id).some((a) => a.action === 'exam.synced'));
});

test('server errors: retried with back-off until accepted, attempts and the last error recorded', async (t) => {
  const server = await fake(t);
  const store = openStore(t, { destinations: ['cloud'] });
  const { exam } = examWithClips(store, ['R1'], { finish: true });
  server.failNext(3, 503);
  const engine = engineFor(store, server);
  engine.start();
  while (server.stowRequests < 2) await new Promise((r) => setTimeout(r, 10));
  const during = store.getExam(exam.id).sync;
  t.is(during.state, 'sending');
  t.regex(during.lastError ?? '', /HTTP 503/);
  await drain(engine, store, exam.id);
  t.is(server.stowRequests, 4);
  t.is(store.getExam(exam.id).sync.perObject[0]!.attempts, 3);
  t.is(server.instances.size, 1);
});

test('a lost acknowledgement: sent again (same SOP instance, same bytes), stored once', async (t) => {
  const server = await fake(t);
  const store = openStore(t, { destinations: ['cloud'] });
  const { exam } = examWithClips(store, ['R1', 'R2'], { finish: true });
  server.dropAfterStore(2);
  await drain(engineFor(store, server), store, exam.id);
  t.is(server.stowRequests, 4, 'both objects sent twice');
  t.is(server.instances.size, 2, 'nothing duplicated');
});

test('verification finds nothing (the index lags): the object is sent again, then verified', async (t) => {
  const server = await fake(t);
  const store = openStore(t, { destinations: ['cloud'] });
  const { exam } = examWithClips(store, ['R1'], { finish: true });
  server.hideNext(1);
  await drain(engineFor(store, server), store, exam.id);
  t.is(server.stowRequests, 2);
  t.is(server.instances.size, 1);
});

test('after a restart the outbox resumes: what was stored is only verified, the rest sent', async (t) => {
  const server = await fake(t);
  const store = openStore(t, { destinations: ['cloud'] });
  const { exam } = examWithClips(store, ['R1', 'R2', 'R3'], { finish: true });
  const first = engineFor(store, server);
  first.start();
  while (server.instances.size < 1) await new Promise((r) => setTimeout(r, 5));
  await first.stop(); // the device stops (or dies) mid-sync
  const sentBefore = server.stowRequests;
  t.true(store.getExam(exam.id).sync.verified < 3);
  const pendingAtRestart = store.db.prepare(`SELECT COUNT(*) FROM delivery WHERE state = 'pending'`).pluck().get() as number;
  // Far-future retry times from before the restart do not delay the resumed sync.
  store.db.prepare(`UPDATE delivery SET next_attempt_at = ?`).run(Date.now() + 3_600_000);
  await drain(engineFor(store, server), store, exam.id, 5000);
  t.is(server.instances.size, 3);
  t.is(server.stowRequests - sentBefore, pendingAtRestart, 'only what was not yet acknowledged is sent again');
});

test('the bandwidth limit holds: 3 objects of ~190 kB at 200 kB/s take over 1.5 s', async (t) => {
  const server = await fake(t);
  const store = openStore(t, { destinations: ['cloud'] });
  const { exam } = examWithClips(store, ['R1', 'R2', 'R3'], { frames: 10, rows: 120, cols: 160, finish: true });
  const started = Date.now();
  await drain(engineFor(store, server, 200_000), store, exam.id);
  const s = (Date.now() - started) / 1000;
  t.true(s > 1.5, `${s} s`);
});
