/**
 * The device's install entry point (`UpdateService`): refusals with a sentence that says what to
 * do (an open exam, no release folder, no trust document, a missing file), and the database
 * around an update — a release whose migration takes the schema past what the old release reads
 * fails its self-test, the rollback asks for the pre-update backup, the next start restores it,
 * and the old release opens the database with its data.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import Database from 'better-sqlite3';
import { openDatabase, DB_FILE } from '../../../device/store/database.js';
import { migrate } from '../../../device/store/migrate.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../device/store/migrations.js';
import { SchemaTooNewError } from '../../../device/store/errors.js';
import { bootCheck } from '../../../device/update/boot-check.js';
import { buildBundle } from '../../../device/update/build-bundle.js';
import { applyPendingRestore, requestRestore, RESTORE_MARKER } from '../../../device/update/database-backup.js';
import { UpdateRefused } from '../../../device/update/errors.js';
import { generateKeyPair, keyIdOf, rawPublicKey, type KeyPairFiles } from '../../../device/update/keys.js';
import { signBundle } from '../../../device/update/sign-bundle.js';
import { newTrustBody, signTrust } from '../../../device/update/trust.js';
import { examInProgressFromDatabase, UpdateService } from '../../../device/update/update-service.js';

const signer = (k: KeyPairFiles) => {
  const key = createPrivateKey(k.privateKeyPem);
  return { key, keyId: keyIdOf(rawPublicKey(createPublicKey(key))) };
};

async function fixture() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-usvc-'));
  const root = generateKeyPair();
  const release = generateKeyPair();
  const trust = signTrust(newTrustBody([root], [release], { expires: '2099-01-01T00:00:00Z' }), [signer(root)]);
  const trustFile = path.join(dir, 'trust.json');
  fs.writeFileSync(trustFile, JSON.stringify(trust));
  const bundles: Record<string, string> = {};
  for (const version of ['1.0.0', '1.1.0']) {
    const src = path.join(dir, `src-${version}`);
    fs.mkdirSync(src, { recursive: true });
    fs.writeFileSync(path.join(src, 'VERSION'), version);
    const unsigned = path.join(dir, `u-${version}.pleura`);
    await buildBundle({ sourceDir: src, out: unsigned, kind: 'software', name: 'pleura', version, minReplaceableVersion: '0.0.0', hardware: ['x86_64-dev'] });
    bundles[version] = path.join(dir, `pleura-${version}.pleura`);
    await signBundle(unsigned, bundles[version]!, signer(release));
  }
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir);
  return { dir, trustFile, bundles, dataDir, releaseRoot: path.join(dir, 'opt-pleura') };
}

test('refusals: open exam, no release folder, no trust document, missing file — each says what to do, nothing installed', async (t) => {
  const f = await fixture();
  const base = { releaseRoot: f.releaseRoot, trustFile: f.trustFile, hardware: 'x86_64-dev', dataDir: f.dataDir };
  const busy = new UpdateService({ ...base, examInProgress: async () => 'exam E-1 (started 10:02 by dr. A) is in progress' });
  const e1 = await t.throwsAsync(busy.install(f.bundles['1.0.0']!), { instanceOf: UpdateRefused });
  t.is(e1!.code, 'busy');
  t.regex(e1!.message, /exam E-1 .* in progress; finish or close it first/);
  t.false(fs.existsSync(path.join(f.releaseRoot, 'current')), 'nothing switched');

  const noRoot = new UpdateService({ ...base, releaseRoot: null, examInProgress: async () => null });
  t.is((await t.throwsAsync(noRoot.install(f.bundles['1.0.0']!), { instanceOf: UpdateRefused }))!.code, 'no-release-root');
  const noTrust = new UpdateService({ ...base, trustFile: path.join(f.dir, 'nope.json'), examInProgress: async () => null });
  t.regex((await t.throwsAsync(noTrust.install(f.bundles['1.0.0']!)))!.message, /no-trust.*must be provisioned/);
  const ok = new UpdateService({ ...base, examInProgress: async () => null });
  t.regex((await t.throwsAsync(ok.install(path.join(f.dir, 'missing.pleura'))))!.message, /no-file.*USB stick is mounted/);
});

test('the exam check of `pleura update install` reads the database: an open exam refuses, a finished one does not', async (t) => {
  const f = await fixture();
  const { db } = openDatabase(f.dataDir);
  db.prepare(`INSERT INTO exam (id, state, patient_pseudonym, patient_id, patient_name, operator, protocol, started_at, study_uid, series_uid) VALUES ('E-7', 'open', 'p', 'id', 'n', 'dr. B', 'blue', '2026-01-01T10:00:00Z', '1.2.3', '1.2.4')`).run();
  t.regex((await examInProgressFromDatabase(f.dataDir)())!, /exam E-7 .*dr\. B.* in progress/);
  db.prepare(`UPDATE exam SET state = 'finished' WHERE id = 'E-7'`).run();
  t.is(await examInProgressFromDatabase(f.dataDir)(), null);
  db.close();
});

test('a release whose migration the old one cannot read fails its trial: rollback restores the backup and the old release opens the database', async (t) => {
  const f = await fixture();
  const service = new UpdateService({ releaseRoot: f.releaseRoot, trustFile: f.trustFile, hardware: 'x86_64-dev', dataDir: f.dataDir, examInProgress: async () => null });
  await service.install(f.bundles['1.0.0']!);
  t.is((await bootCheck(service.layout!, '1.0.0', async () => ({ ok: true, checks: [] }))).outcome, 'confirmed');

  // The old release's database, with an exam in it.
  {
    const { db } = openDatabase(f.dataDir);
    db.prepare(`INSERT INTO exam (id, state, patient_pseudonym, patient_id, patient_name, operator, protocol, started_at, study_uid, series_uid) VALUES ('E-1', 'finished', 'p', 'id', 'n', 'dr. A', 'blue', '2026-01-01T10:00:00Z', '1.2.3', '1.2.4')`).run();
    db.close();
  }
  const installed = await service.install(f.bundles['1.1.0']!);
  t.truthy(installed.databaseBackup, 'the database was backed up before the switch');
  t.regex(installed.databaseBackup!, new RegExp(`pre-update-.*-v${SCHEMA_VERSION}-`));

  // 1.1.0 starts: its migration bumps the schema past what 1.0.0 knows.
  {
    const db = new Database(path.join(f.dataDir, DB_FILE));
    migrate(db, path.join(f.dataDir, 'backups'), [...MIGRATIONS, { version: SCHEMA_VERSION + 1, name: 'findings v2', up: (d) => d.exec('CREATE TABLE finding_v2 (id TEXT PRIMARY KEY)') }]);
    db.prepare(`INSERT INTO finding_v2 (id) VALUES ('x')`).run();
    db.close();
  }
  t.throws(() => openDatabase(f.dataDir), { instanceOf: SchemaTooNewError }, 'the old release could not open it as it is');

  // 1.1.0 fails its self-test: the rollback asks for the backup (the store is open: no restore yet).
  const outcome = await bootCheck(service.layout!, '1.1.0', async () => ({ ok: false, checks: [{ name: 'probe', ok: false, detail: 'no IDENTIFY' }] }), {
    restoreDatabase: (backup) => requestRestore(f.dataDir, backup, 'release 1.1.0 failed its self-test'),
  });
  t.is(outcome.outcome, 'rolled-back');
  t.is(fs.readFileSync(path.join(service.layout!.currentLink, 'VERSION'), 'utf8'), '1.0.0');
  t.true(fs.existsSync(path.join(f.dataDir, RESTORE_MARKER)));

  // The old release starts: the restore runs before its store opens.
  const restored = applyPendingRestore(f.dataDir);
  t.true(restored?.restored, restored?.detail);
  t.false(fs.existsSync(path.join(f.dataDir, RESTORE_MARKER)));
  const { db } = openDatabase(f.dataDir);
  t.is(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  t.is((db.prepare(`SELECT operator FROM exam WHERE id = 'E-1'`).get() as { operator: string }).operator, 'dr. A', 'the exam is there');
  db.close();
  const aside = fs.readdirSync(path.join(f.dataDir, 'backups')).filter((n) => n.startsWith('rolled-back-v'));
  t.true(aside.some((n) => n.endsWith('.db')), 'the newer database was moved aside, not deleted');
  t.is(applyPendingRestore(f.dataDir), null, 'nothing pending any more');
});

test('a rollback of a release that did not change the schema keeps the database (exams of the trial stay)', async (t) => {
  const f = await fixture();
  const service = new UpdateService({ releaseRoot: f.releaseRoot, trustFile: f.trustFile, hardware: 'x86_64-dev', dataDir: f.dataDir, examInProgress: async () => null });
  openDatabase(f.dataDir).db.close();
  await service.install(f.bundles['1.0.0']!);
  await bootCheck(service.layout!, '1.0.0', async () => ({ ok: true, checks: [] }));
  const { databaseBackup } = await service.install(f.bundles['1.1.0']!);
  {
    const { db } = openDatabase(f.dataDir);
    db.prepare(`INSERT INTO exam (id, state, patient_pseudonym, patient_id, patient_name, operator, protocol, started_at, study_uid, series_uid) VALUES ('E-2', 'finished', 'p', 'id', 'n', 'dr. C', 'blue', '2026-01-01T10:00:00Z', '1.2.5', '1.2.6')`).run();
    db.close();
  }
  requestRestore(f.dataDir, databaseBackup!, 'test');
  const r = applyPendingRestore(f.dataDir);
  t.false(r?.restored);
  t.regex(r!.detail, /kept as it is/);
  const { db } = openDatabase(f.dataDir);
  t.truthy(db.prepare(`SELECT 1 FROM exam WHERE id = 'E-2'`).get());
  db.close();
});
