/**
 * The running device syncing to a real Orthanc: kill -9 of the device during the sync, again
 * and again; after the last restart every clip is in Orthanc exactly once, byte-identical, under
 * the pseudonym; then a reviewer's report added in Orthanc shows up in the device's API.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import type { ExamDetail } from '../../device/exam/records.js';
import { startDevice, type RunningDevice } from '../helpers/device.js';
import { capture, exam, exportExam, post, startExam, zone } from '../helpers/exam-api.js';
import { startOrthanc, type OrthancServer } from '../helpers/orthanc.js';
import { reviewerReport, stowTo } from '../helpers/reviewer-report.js';

let pacs: OrthancServer;
test.before(async (t) => {
  pacs = await startOrthanc();
  t.log(`Orthanc at ${pacs.url} (${pacs.isolated ? 'private network namespace' : 'host network'})`);
});
test.after.always(async () => {
  await pacs?.stop();
});

test.serial('kill -9 during sync, repeated: after restart each instance is in Orthanc exactly once; a review shows up', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-sync-'));
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const dataDir = path.join(root, 'data');
  const configFile = path.join(root, 'config.json');
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      pipeline: { enhance: { displayWidth: 256, displayHeight: 192 } },
      capture: { cineSeconds: 4 },
      sync: {
        destinations: [{ kind: 'orthanc', name: 'pacs', url: pacs.url, username: pacs.user, password: pacs.password }],
        // 60 kB/s: the exam's sync takes longer than three device lives, so the kills land mid-upload.
        bandwidthKBps: 60,
        retry: { initialMs: 200, maxMs: 1000 },
        reviewPollS: 0.5,
      },
    }),
  );
  fs.chmodSync(configFile, 0o600);
  let current: RunningDevice | null = null;
  t.teardown(async () => void (await current?.stop()));
  const start = async (): Promise<RunningDevice> => {
    current = await startDevice(['--data-dir', dataDir, '--config', configFile]);
    await current.until((s) => s.cine.frames >= 4, 30_000, 'frames in the cine buffer');
    return current;
  };

  let d = await start();
  const e = await startExam(d.url);
  for (const z of ['R1', 'R2', 'L1', 'L2']) {
    await zone(d.url, e.id, z);
    const r = await capture(d.url, e.id, 2);
    t.is(r.status, 200, r.error);
  }
  const finished = await post<ExamDetail>(d.url, '/api/exam/finish', { examId: e.id });
  const clips = finished.body.clips;
  const bytes = clips.reduce((n, c) => n + c.dicomBytes, 0);
  t.log(`${clips.length} clips, ${(bytes / 1e6).toFixed(2)} MB to send at 60 kB/s`);

  let kills = 0;
  for (let round = 0; round < 3; round++) {
    await new Promise((r) => setTimeout(r, 700 + Math.random() * 1200));
    const s = await exam(d.url, e.id);
    if (s.sync.state === 'synced') break;
    d.child.kill('SIGKILL');
    kills++;
    await d.stop();
    d = await start();
  }
  t.log(`killed the device ${kills} times during the sync`);
  t.true(kills >= 2, 'the device was killed repeatedly while syncing');
  try {
    const deadline = Date.now() + 80_000;
    let detail = await exam(d.url, e.id);
    while (detail.sync.state !== 'synced' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      detail = await exam(d.url, e.id);
    }
    t.is(detail.sync.state, 'synced', JSON.stringify(detail.sync));
    // The status's storage part is refreshed every 2 s.
    const status = await d.until((s) => s.storage?.unsyncedExams === 0, 5000, 'no unsynced exam in the status');
    t.is(status.sync?.destinations[0]?.name, 'pacs');
    t.true(status.sync?.destinations[0]?.online);

    // The clips, and the findings SR when the infer stage gave the clips an AI finding.
    const srs = detail.sync.perObject.filter((o) => o.kind === 'sr').map((o) => o.sopUid);
    t.is(srs.length, detail.findings.length ? 1 : 0, 'an SR exactly when there are AI findings');
    t.log(`AI findings: ${detail.findings.length}; objects: ${clips.length} clips + ${srs.length} SR`);
    const remote = await pacs.studyInstances(e.studyUid);
    t.is(remote.length, clips.length + srs.length, 'each instance exactly once');
    t.deepEqual(remote.map((r) => r.sopUid).sort(), [...clips.map((c) => c.sopUid), ...srs].sort());
    const out = exportExam(dataDir, e.id);
    for (const f of out.files.keys()) {
      const md5 = createHash('md5').update(fs.readFileSync(path.join(out.dir, f))).digest('hex');
      t.true(remote.some((r) => r.md5 === md5 && r.patientId === e.patient.pseudonym), `${f}: in Orthanc byte-identical, under the pseudonym`);
    }
    fs.rmSync(out.dir, { recursive: true, force: true });

    // Closing the loop: a reviewer reports on the study in Orthanc; the device shows it.
    const report = reviewerReport({ studyUid: e.studyUid, pseudonym: e.patient.pseudonym, findings: 'No B-lines. Normal sliding.', conclusion: 'Normal lung ultrasound.' });
    t.is(await stowTo(pacs.dicomWebUrl, 'Basic ' + Buffer.from(`${pacs.user}:${pacs.password}`).toString('base64'), report.bytes), 200);
    const until = Date.now() + 15_000;
    let reviewed = await exam(d.url, e.id);
    while (!reviewed.reviewed && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
      reviewed = await exam(d.url, e.id);
    }
    t.true(reviewed.reviewed);
    t.regex(reviewed.reviews[0]?.text ?? '', /Conclusion: Normal lung ultrasound\./);
    t.is(reviewed.reviews[0]?.reviewer, 'Reviewer^Remote');

    // Synced everywhere: now, and only now, the exam may be deleted.
    const del = await post<{ deleted: string }>(d.url, '/api/exam/delete', { examId: e.id, operator: 'nurse Ada' });
    t.is(del.status, 200, del.error);
    t.deepEqual(fs.readdirSync(path.join(dataDir, 'blobs')).flatMap((p) => fs.readdirSync(path.join(dataDir, 'blobs', p))), []);
  } finally {
    await d.stop();
  }
});
