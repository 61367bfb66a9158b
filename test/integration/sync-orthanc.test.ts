/**
 * Store-and-forward to a real Orthanc (started by the test, in its own network namespace): the
 * study arrives with every clip and the findings SR, under the pseudonym, byte-identical (MD5);
 * no byte on the wire names the patient; an Orthanc outage mid-sync is survived without
 * duplicates; the cloud profile authenticates with OAuth2 client credentials; a reviewer's SR
 * added in Orthanc makes the exam "reviewed".
 */
import { createHash } from 'node:crypto';
import test from 'ava';
import { createDestination } from '../../device/sync/destination.js';
import { ReviewPoller } from '../../device/sync/review-poller.js';
import { SyncEngine } from '../../device/sync/sync-engine.js';
import { TokenBucket } from '../../device/sync/token-bucket.js';
import type { DestinationConfig } from '../../device/config/schema.js';
import type { Store } from '../../device/store/store.js';
import { startCloudGateway } from '../helpers/cloud-gateway.js';
import { startOrthanc, type OrthancServer } from '../helpers/orthanc.js';
import { reviewerReport, stowTo } from '../helpers/reviewer-report.js';
import { recordWire } from '../helpers/wire-recorder.js';
import { examWithClips, openStore, PATIENT } from '../unit/store/fixtures.js';

let pacs: OrthancServer;

test.before(async (t) => {
  pacs = await startOrthanc();
  t.log(`Orthanc at ${pacs.url} (${pacs.isolated ? 'private network namespace' : 'host network: no namespaces available here'})`);
});
test.after.always(async () => {
  await pacs?.stop();
});

const BACKOFF = { initialMs: 100, maxMs: 500 };

function orthancProfile(url: string): DestinationConfig {
  return { kind: 'orthanc', name: 'pacs', url, dicomWebPath: '/dicom-web', username: pacs.user, password: pacs.password, review: true };
}

async function syncedWithin(store: Store, examId: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (store.getExam(examId).sync.state !== 'synced') {
    if (Date.now() > deadline) throw new Error(`exam not synced within ${ms} ms: ${JSON.stringify(store.getExam(examId).sync)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test.serial('the exam arrives pseudonymized with all clips and the SR, MD5-identical; no byte sent names the patient', async (t) => {
  const store = openStore(t, { destinations: ['pacs'] });
  const { exam } = examWithClips(store, ['R1', 'R2', 'L1'], { findings: true, frames: 8, rows: 96, cols: 128, finish: true });
  const wire = await recordWire(pacs.url);
  t.teardown(() => wire.close());
  const engine = new SyncEngine(store, [createDestination(orthancProfile(wire.url), new TokenBucket(0), 30_000)], { backoff: BACKOFF, idlePollMs: 200 });
  engine.start();
  await syncedWithin(store, exam.id, 30_000);
  await engine.stop();

  const local = store.exportObjects(exam.id);
  const remote = await pacs.studyInstances(exam.studyUid);
  t.is(remote.length, 4);
  t.deepEqual(remote.map((r) => r.modality).sort(), ['SR', 'US', 'US', 'US']);
  for (const o of local) {
    const r = remote.find((x) => x.sopUid === o.sopUid);
    t.truthy(r, `${o.name} is in Orthanc`);
    t.is(r!.md5, createHash('md5').update(o.bytes).digest('hex'), `${o.name}: Orthanc's MD5 equals the local file's`);
    t.is(r!.patientId, exam.patient.pseudonym);
  }

  // Every byte that went out: headers, multipart bodies, DICOM, queries.
  const sent = wire.sent();
  t.true(sent.length > local.reduce((n, o) => n + o.bytes.length, 0), 'the recording holds the uploads');
  const lower = sent.toString('latin1').toLowerCase();
  const forbidden = [PATIENT.id, PATIENT.name, ...PATIENT.name.split('^'), PATIENT.name.replace('^', ' ')];
  for (const s of forbidden) {
    t.false(lower.includes(s.toLowerCase()), `"${s}" was sent`);
    t.false(sent.includes(Buffer.from(s, 'utf16le')), `"${s}" (UTF-16) was sent`);
  }
  t.true(lower.includes(exam.patient.pseudonym.toLowerCase()), 'the pseudonym is what was sent');
});

test.serial('Orthanc dies mid-sync: the outbox backs off, resumes when it is back, and nothing is duplicated', async (t) => {
  const store = openStore(t, { destinations: ['pacs'] });
  const { exam } = examWithClips(store, ['R1', 'R2', 'R3', 'L1', 'L2'], { frames: 10, rows: 120, cols: 160, finish: true });
  const before = await pacs.statistics();
  // 300 kB/s: each ~190 kB clip takes a good half second, so the outage lands mid-sync.
  const engine = new SyncEngine(store, [createDestination(orthancProfile(pacs.url), new TokenBucket(300_000), 30_000)], { backoff: BACKOFF, idlePollMs: 200 });
  engine.start();
  while (store.getExam(exam.id).sync.verified < 1) await new Promise((r) => setTimeout(r, 20));
  const t0 = Date.now();
  await pacs.kill();
  const down = Date.now();
  t.log(`Orthanc killed after ${store.getExam(exam.id).sync.verified} of 5 verified (${down - t0} ms)`);
  while (!store.getExam(exam.id).sync.lastError && Date.now() - down < 10_000) await new Promise((r) => setTimeout(r, 50));
  const during = store.getExam(exam.id).sync;
  t.is(during.state, 'sending');
  t.regex(during.lastError ?? '', /failed|HTTP/);
  t.true(engine.status[0]!.online === false || /HTTP 5\d\d/.test(engine.status[0]!.lastError ?? ''));
  await new Promise((r) => setTimeout(r, 1500)); // a few back-off rounds against a dead server
  await pacs.restart();
  const up = Date.now();
  t.log(`Orthanc back after ${up - down} ms`);
  await syncedWithin(store, exam.id, 30_000);
  t.log(`synced ${Date.now() - up} ms after Orthanc was back`);
  await engine.stop();

  const remote = await pacs.studyInstances(exam.studyUid);
  t.is(remote.length, 5, 'each clip exactly once');
  t.is(new Set(remote.map((r) => r.sopUid)).size, 5);
  const after = await pacs.statistics();
  t.is(after.CountInstances - before.CountInstances, 5);
  t.true(store.getExam(exam.id).sync.perObject.some((o) => o.attempts > 0), 'some objects needed retries');
});

test.serial('Delft Imaging cloud profile: OAuth2 client credentials, tokens refreshed before expiry, none used expired', async (t) => {
  const gateway = await startCloudGateway(pacs, 11); // refreshed when under 10 s are left: every ~1 s
  t.teardown(() => gateway.close());
  const store = openStore(t, { destinations: ['delft-cloud'] });
  const { exam } = examWithClips(store, ['R1', 'R2', 'R3'], { findings: true, frames: 10, rows: 120, cols: 160, finish: true });
  const cloud: DestinationConfig = {
    kind: 'dicomweb-oauth2',
    name: 'delft-cloud',
    dicomWebUrl: gateway.dicomWebUrl,
    tokenUrl: gateway.tokenUrl,
    clientId: gateway.clientId,
    clientSecret: gateway.clientSecret,
    scope: '',
    review: true,
  };
  const engine = new SyncEngine(store, [createDestination(cloud, new TokenBucket(250_000), 30_000)], { backoff: BACKOFF, idlePollMs: 200 });
  engine.start();
  await syncedWithin(store, exam.id, 30_000);
  await engine.stop();
  t.is((await pacs.studyInstances(exam.studyUid)).length, 4);
  t.true(gateway.tokensIssued >= 2, `${gateway.tokensIssued} tokens: refreshed during the sync`);
  t.is(gateway.refused, 0, 'no request carried an expired or unknown token');

  // Wrong secret: a clear error in the sync status, and the exam stays queued.
  const store2 = openStore(t, { destinations: ['delft-cloud'] });
  const second = examWithClips(store2, ['R1'], { finish: true });
  const bad = new SyncEngine(store2, [createDestination({ ...cloud, clientSecret: 'wrong' }, new TokenBucket(0), 5000)], { backoff: BACKOFF, idlePollMs: 200 });
  bad.start();
  while (!bad.status[0]!.lastError) await new Promise((r) => setTimeout(r, 20));
  await bad.stop();
  t.regex(bad.status[0]!.lastError!, /token endpoint refused client "pleura-device-0007" \(invalid_client\); check sync client id and secret/);
  t.is(store2.getExam(second.exam.id).sync.state, 'sending');
});

test.serial('a reviewer’s SR added in Orthanc: the device finds it by QIDO and shows the exam as reviewed, with the text', async (t) => {
  const store = openStore(t, { destinations: ['pacs'] });
  const { exam } = examWithClips(store, ['R1', 'L1'], { findings: true, finish: true });
  const dest = createDestination(orthancProfile(pacs.url), new TokenBucket(0), 30_000);
  const engine = new SyncEngine(store, [dest], { backoff: BACKOFF, idlePollMs: 200 });
  engine.start();
  await syncedWithin(store, exam.id, 30_000);
  await engine.stop();
  const poller = new ReviewPoller(store, [dest], 200);
  t.is(await poller.pollOnce(), 0, 'the device’s own findings SR is not a review');
  t.false(store.getExam(exam.id).reviewed);

  const report = reviewerReport({
    studyUid: exam.studyUid,
    pseudonym: exam.patient.pseudonym,
    findings: 'Multiple B-lines in R1; pleural line irregular.',
    conclusion: 'Interstitial syndrome, right side. Follow-up in 48 h.',
  });
  t.is(await stowTo(pacs.dicomWebUrl, 'Basic ' + Buffer.from(`${pacs.user}:${pacs.password}`).toString('base64'), report.bytes), 200);
  poller.start();
  const deadline = Date.now() + 10_000;
  while (!store.getExam(exam.id).reviewed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await poller.stop();
  const detail = store.getExam(exam.id);
  t.true(detail.reviewed);
  t.is(detail.reviews.length, 1);
  t.is(detail.reviews[0]!.sopUid, report.sopUid);
  t.is(detail.reviews[0]!.reviewer, 'Reviewer^Remote');
  t.regex(detail.reviews[0]!.text, /Finding: Multiple B-lines in R1; pleural line irregular\./);
  t.regex(detail.reviews[0]!.text, /Conclusion: Interstitial syndrome, right side\. Follow-up in 48 h\./);
  t.is(await poller.pollOnce(), 0, 'a reviewed exam is not polled again');
  t.true(store.listExams().find((e) => e.id === exam.id)!.reviewed);
});
