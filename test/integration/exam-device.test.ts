/**
 * The exam workflow on the running device: over the local API, through `pleura export`, and
 * through crashes (kill -9 during captures, repeated) and a full disk.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import Database from 'better-sqlite3';
import type { ClipRecord, ExamDetail } from '../../device/exam/records.js';
import { CLI, startDevice, type RunningDevice } from '../helpers/device.js';
import { capture, dciodvfy, exam, exportExam, get, post, startExam, zone } from '../helpers/exam-api.js';

function setup(t: ExecutionContext, config: Record<string, unknown> = {}): { dataDir: string; configFile: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-exam-'));
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const configFile = path.join(root, 'config.json');
  fs.writeFileSync(
    configFile,
    JSON.stringify({ pipeline: { enhance: { displayWidth: 160, displayHeight: 120 } }, capture: { cineSeconds: 4, defaultSeconds: 1 }, ...config }),
  );
  return { dataDir: path.join(root, 'data'), configFile };
}

async function device(dataDir: string, configFile: string): Promise<RunningDevice> {
  const d = await startDevice(['--data-dir', dataDir, '--config', configFile]);
  try {
    await d.until((s) => s.cine.frames >= 4, 30_000, 'frames in the cine buffer');
  } catch (err) {
    await d.stop(); // no device left behind when the pipeline does not deliver
    throw err;
  }
  return d;
}

test.serial('the workflow over the local API: start, zone, capture, review, finish, export (dciodvfy-clean)', async (t) => {
  const { dataDir, configFile } = setup(t);
  const d = await device(dataDir, configFile);
  try {
    const e = await startExam(d.url);
    t.regex(e.id, /^E\d{8}-[0-9A-Z]{6}$/);
    t.deepEqual(await get(d.url, '/api/exam/current'), e);
    const noZone = await capture(d.url, e.id, 1);
    t.is(noZone.status, 409);
    t.is(noZone.error, `exam ${e.id} has no zone chosen; choose the zone before capturing`);
    await zone(d.url, e.id, 'R1');
    const retro = await capture(d.url, e.id, 1);
    t.is(retro.status, 200, retro.error);
    t.true(retro.body.frames >= 2);
    t.is(retro.body.cols, 160);
    await zone(d.url, e.id, 'L2');
    const pro = await capture(d.url, e.id, 0.6, 'prospective');
    t.is(pro.status, 200, pro.error);
    t.is(pro.body.kind, 'prospective');
    const extra = await capture(d.url, e.id, 1);
    // Review: discard a clip before finishing.
    const reviewed = await post<{ clips: ClipRecord[] }>(d.url, '/api/exam/discard-clip', { examId: e.id, clipId: extra.body.id });
    t.deepEqual(reviewed.body.clips.map((c) => c.id), [retro.body.id, pro.body.id]);

    const bad = [
      [{ examId: e.id, seconds: 99 }, /seconds: Too big/],
      [{ examId: 'nope', seconds: 1 }, /examId: an exam id like E20250114-7K3Q9A/],
      [{ examId: e.id, seconds: 1, extra: true }, /Unrecognized key: "extra"/],
    ] as const;
    for (const [body, message] of bad) {
      const r = await post(d.url, '/api/exam/capture', body);
      t.is(r.status, 400);
      t.regex(r.error ?? '', message);
    }
    t.is((await post(d.url, '/api/exam/start', { patient: { id: '', name: 'x' }, operator: 'y' })).status, 400);
    t.is((await post(d.url, '/api/exam/start', { patient: { id: 'A', name: 'B' }, operator: 'y' })).status, 409, 'another exam is open');

    const finished = await post<{ state: string; sync: { state: string; objects: number } }>(d.url, '/api/exam/finish', { examId: e.id });
    t.is(finished.body.state, 'finished');
    // The findings SR goes with the clips when the infer stage gave the clips an AI finding
    // (the default configuration runs the lung-findings model on the simulated probe).
    const detail = await get<{ findings: Array<{ zone: string; model: { name: string } }> }>(d.url, `/api/exam?id=${e.id}`);
    const hasSr = detail.findings.length > 0;
    t.log(`AI findings stored with the clips: ${detail.findings.map((f) => `${f.zone} (${f.model.name})`).join(', ') || 'none'}`);
    t.deepEqual(finished.body.sync, { ...finished.body.sync, state: 'waiting', objects: 2 + (hasSr ? 1 : 0) }, 'no destination: the outbox waits');
    t.is((await capture(d.url, e.id, 1)).status, 409);

    // Editing a finding after finishing: AI value kept, operator's value beside it, report made again.
    t.true(hasSr, 'the simulated probe gives AI findings');
    const f = (await exam(d.url, e.id)).findings[0]!;
    const editBad = [
      [{ bLineCount: 31 }, /values.bLineCount: Too big/],
      [{ zoneScore: 1.5 }, /values.zoneScore: .*expected int/],
      [{}, /give bLineCount and\/or zoneScore/],
      [{ bLineCount: 2, extra: 1 }, /Unrecognized key: "extra"/],
    ] as const;
    for (const [values, message] of editBad) {
      const r = await post(d.url, '/api/exam/finding/edit', { examId: e.id, findingId: f.id, values, operator: 'nurse Ada' });
      t.is(r.status, 400, JSON.stringify(values));
      t.regex(r.error ?? '', message);
    }
    t.is((await post(d.url, '/api/exam/finding/edit', { examId: e.id, findingId: 'F0000000000AA', values: { bLineCount: 1 }, operator: 'nurse Ada' })).status, 404);
    const srBefore = (await exam(d.url, e.id)).srSopUid;
    const newCount = ((f.values.bLineCount ?? 0) + 1) % 31;
    const edited = await post<ExamDetail>(d.url, '/api/exam/finding/edit', { examId: e.id, findingId: f.id, values: { bLineCount: newCount }, operator: 'nurse Ada' });
    t.is(edited.status, 200, edited.error);
    const shown = (await exam(d.url, e.id)).findings.find((x) => x.id === f.id)!;
    t.deepEqual(shown.values, f.values, 'the AI values are kept');
    t.deepEqual(shown.edit?.values, { bLineCount: newCount });
    t.is(shown.edit?.operator, 'nurse Ada');
    t.not(edited.body.srSopUid, srBefore, 'the unsent report was made again');
    // Once a destination may hold the report, the device refuses further edits.
    const db = new Database(path.join(dataDir, 'pleura.db'));
    db.prepare(`INSERT INTO delivery (outbox_id, destination, state, attempts) SELECT id, 'pacs', 'stored', 1 FROM outbox WHERE exam_id = ? AND kind = 'sr'`).run(e.id);
    db.close();
    const late = await post(d.url, '/api/exam/finding/edit', { examId: e.id, findingId: f.id, values: { zoneScore: 1 }, operator: 'nurse Ada' });
    t.is(late.status, 409);
    t.regex(late.error ?? '', /already been sent to pacs; it can no longer be edited/);
    const cleanup = new Database(path.join(dataDir, 'pleura.db'));
    cleanup.prepare(`DELETE FROM delivery WHERE destination = 'pacs'`).run();
    cleanup.close();

    const del = await post(d.url, '/api/exam/delete', { examId: e.id, operator: 'nurse Ada' });
    t.is(del.status, 409, 'an unsynced exam is never deleted');
    const list = await get<Array<{ id: string; syncState: string; clips: number }>>(d.url, '/api/exams');
    t.deepEqual(list.map((x) => [x.id, x.syncState, x.clips]), [[e.id, 'waiting', 2]]);
    const status = await d.status();
    t.is(status.storage!.exams, 1);
    t.is(status.storage!.unsyncedExams, 1);
    t.is(status.sync, null);

    // Export while the device runs.
    const out = exportExam(dataDir, e.id);
    t.is(out.status, 0, out.stderr);
    t.deepEqual([...out.files.keys()].sort(), ['clip-001-R1.dcm', 'clip-002-L2.dcm', ...(hasSr ? ['findings-sr.dcm'] : [])]);
    t.is(out.files.get('clip-001-R1.dcm'), retro.body.dicomSha256);
    for (const f of out.files.keys()) t.deepEqual(dciodvfy(path.join(out.dir, f)).problems, [], f);
    fs.rmSync(out.dir, { recursive: true, force: true });
    const unknown = spawnSync(process.execPath, [CLI, 'export', 'E20000101-AAAAAA', '--out', os.tmpdir(), '--data-dir', dataDir], { encoding: 'utf8' });
    t.is(unknown.status, 3);
    t.regex(unknown.stderr, /no exam E20000101-AAAAAA/);
  } finally {
    await d.stop();
  }
});

test.serial('kill -9 during captures, three times over: every acknowledged clip is present and intact after restart', async (t) => {
  const { dataDir, configFile } = setup(t);
  const acknowledged: ClipRecord[] = [];
  let examId = '';
  for (let round = 0; round < 3; round++) {
    const d = await device(dataDir, configFile);
    if (!examId) examId = (await startExam(d.url)).id;
    else t.is((await get<{ id: string } | null>(d.url, '/api/exam/current'))?.id, examId, 'the open exam survived');
    await zone(d.url, examId, `R${round + 1}`);
    let stop = false;
    const loop = (async () => {
      for (let i = 0; !stop; i++) {
        try {
          const r = await capture(d.url, examId, 0.5 + (i % 3) * 0.3, i % 2 ? 'prospective' : 'retrospective');
          if (r.status === 200) acknowledged.push(r.body);
        } catch {
          return; // the device died under the request: not acknowledged
        }
      }
    })();
    await new Promise((r) => setTimeout(r, 1200 + Math.random() * 1500));
    d.child.kill('SIGKILL');
    stop = true;
    await loop;
    await d.stop();
  }
  t.log(`${acknowledged.length} captures acknowledged before the kills`);
  t.true(acknowledged.length >= 3);

  const d = await device(dataDir, configFile);
  try {
    t.regex(d.log(), /recovery removed \d+ temp and \d+ orphan files/);
    const detail = await exam(d.url, examId);
    for (const c of acknowledged) {
      const stored = detail.clips.find((x) => x.id === c.id);
      t.truthy(stored, `clip ${c.id} is there`);
      t.is(stored?.dicomSha256, c.dicomSha256);
      t.is(stored?.state, 'ok');
    }
    t.true(detail.clips.every((c) => c.state === 'ok'));
    const out = exportExam(dataDir, examId);
    t.is(out.status, 0, out.stderr);
    t.deepEqual([...out.files.values()].sort(), detail.clips.map((c) => c.dicomSha256).sort(), 'every file reads back with its recorded hash');
    fs.rmSync(out.dir, { recursive: true, force: true });
    t.deepEqual(fs.readdirSync(path.join(dataDir, 'tmp')), [], 'no half-written file left');
    const onDisk = fs.readdirSync(path.join(dataDir, 'blobs')).flatMap((p) => fs.readdirSync(path.join(dataDir, 'blobs', p)));
    t.deepEqual(onDisk.sort(), detail.clips.map((c) => c.dicomSha256).sort(), 'no orphan file left');
    // The exam can still be finished normally.
    t.is((await post<{ state: string }>(d.url, '/api/exam/finish', { examId })).body.state, 'finished');
  } finally {
    await d.stop();
  }
});

/** A small filesystem for the data directory: tmpfs when we may mount (root), else null. */
function smallDisk(t: ExecutionContext, dir: string, mb: number): boolean {
  fs.mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${mb}m,mode=0700`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    t.log(`cannot mount a tmpfs here (${r.stderr.trim() || 'not root'}): using the configured disk budget instead`);
    return false;
  }
  t.teardown(() => void spawnSync('umount', ['-l', dir]));
  return true;
}

test.serial('a full disk: captures are refused with a clear message before it is full, and nothing stored is damaged', async (t) => {
  const probe = setup(t);
  const tmpfs = smallDisk(t, probe.dataDir, 12);
  // On the 12 MB tmpfs 3 MB must stay free; without one, the store's own budget is 9 MB.
  const { dataDir, configFile } = setup(t, { store: tmpfs ? { reserveMb: 3 } : { reserveMb: 0, maxDataMb: 9 } });
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.symlinkSync(probe.dataDir, dataDir);
  const d = await device(dataDir, configFile);
  const clips: ClipRecord[] = [];
  let refusal: { status: number; error: string | undefined } | null = null;
  try {
    const e = await startExam(d.url);
    await zone(d.url, e.id, 'L1');
    for (let i = 0; i < 200 && !refusal; i++) {
      const r = await capture(d.url, e.id, 3);
      if (r.status === 200) clips.push(r.body);
      else refusal = r;
    }
    t.log(`${clips.length} clips stored, then: ${refusal?.error}`);
    t.truthy(refusal, 'refused before the disk was full');
    t.is(refusal!.status, 507);
    t.regex(refusal!.error!, /^disk budget reached: .*MB.*; sync or delete synced exams before capturing$/);
    const s = await d.until((x) => x.storage?.lowDisk === true, 5000, 'low-disk mode in the status');
    t.true(s.storage!.freeBytes > 0);
    t.true(clips.length >= 2);
    t.is((await post(d.url, '/api/exam/finish', { examId: e.id })).status, 200, 'finishing still works: it needs no room for pixels');
    const out = exportExam(dataDir, e.id);
    t.is(out.status, 0, out.stderr);
    const clipFiles = [...out.files.entries()].filter(([name]) => name.startsWith('clip-')).map(([, sha]) => sha);
    t.deepEqual(clipFiles.sort(), clips.map((c) => c.dicomSha256).sort());
    fs.rmSync(out.dir, { recursive: true, force: true });
  } finally {
    await d.stop();
  }
  const db = new Database(path.join(dataDir, 'pleura.db'), { readonly: true });
  t.is(db.pragma('integrity_check', { simple: true }), 'ok');
  t.is(db.prepare(`SELECT COUNT(*) FROM clip`).pluck().get(), clips.length);
  db.close();
  // And the device starts again on the nearly full disk, with everything there.
  const again = await device(dataDir, configFile);
  try {
    t.is((await get<Array<{ clips: number }>>(again.url, '/api/exams'))[0]!.clips, clips.length);
    // (Free space may have grown: a clean shutdown checkpoints and removes SQLite's WAL.)
    const storage = (await again.status()).storage!;
    t.true(storage.freeBytes >= storage.reserveBytes, 'the reserve was never crossed');
  } finally {
    await again.stop();
  }
});
