/**
 * scripts/install/install.sh into a throw-away prefix: the layout the updater expects, secrets'
 * folder modes, systemd units that `systemd-analyze verify` accepts, idempotence (a second run
 * changes nothing), the installed release runs on its own, and uninstall keeps exams unless
 * --purge.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';

const run = promisify(execFile);
const REPO = process.cwd();

function snapshot(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.name === 'node_modules') continue;
      const st = fs.lstatSync(p);
      out.push(`${path.relative(root, p)} ${st.mode.toString(8)} ${st.size} ${st.mtimeMs}${e.isSymbolicLink() ? ' -> ' + fs.readlinkSync(p) : ''}`);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(root);
  return out.sort();
}

test.serial('install into a prefix: layout, modes, verified units, idempotent, runnable, uninstall keeps exams', async (t) => {
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-install-'));
  const first = await run('bash', [path.join(REPO, 'scripts/install/install.sh'), '--prefix', prefix, '--no-user']);
  t.regex(first.stdout, /done: Pleura \d+\.\d+\.\d+/);
  const root = path.join(prefix, 'opt/pleura');
  const version = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version as string;
  t.is(fs.readlinkSync(path.join(root, 'current')), `releases/${version}`);
  t.true(fs.existsSync(path.join(root, 'current/dist/device/cli/main.js')));
  t.true(fs.existsSync(path.join(root, 'current/ui-kiosk/web/index.html')));
  for (const f of ['lung-findings.json', 'lung-findings.onnx', 'lung-findings.golden.json']) t.true(fs.existsSync(path.join(root, 'current/models/lung-findings', f)), `the release carries ${f}`);
  t.is((fs.statSync(path.join(prefix, 'etc/pleura/keys')).mode & 0o777).toString(8), '700');
  t.is((fs.statSync(path.join(prefix, 'var/lib/pleura')).mode & 0o777).toString(8), '750');
  t.true(fs.existsSync(path.join(prefix, 'etc/systemd/journald.conf.d/pleura.conf')));

  for (const unit of ['pleura.service', 'pleura-kiosk.service']) {
    const file = path.join(prefix, 'etc/systemd/system', unit);
    const text = fs.readFileSync(file, 'utf8');
    t.notRegex(text, /@[A-Z]+@/, `${unit}: every placeholder filled`);
    const verify = await run('systemd-analyze', ['verify', file]).catch((err: { stderr?: string; code?: number }) => err);
    t.is((verify as { stderr?: string }).stderr ?? '', '', `systemd-analyze verify ${unit} (needs /usr/bin/cage for the kiosk unit: apt-get install cage)`);
  }
  t.regex(fs.readFileSync(path.join(prefix, 'etc/systemd/system/pleura.service'), 'utf8'), /WatchdogSec=30[\s\S]*Restart=always/);

  const before = snapshot(prefix);
  const second = await run('bash', [path.join(REPO, 'scripts/install/install.sh'), '--prefix', prefix, '--no-user']);
  t.regex(second.stdout, /nothing to do/);
  t.deepEqual(snapshot(prefix), before, 'a second run changes nothing');

  // Provision it with the installed CLI, as a technician would, then run the installed release by
  // itself with the installed configuration (on a free port).
  await new Promise<void>((resolve, reject) => {
    const child = execFile(process.execPath, [path.join(root, 'current/dist/device/cli/main.js'), 'provision', '--config-dir', path.join(prefix, 'etc/pleura'), '--serial', 'PL-INST', '--site', 'install test', '--pin-stdin'], (err) => (err ? reject(err) : resolve()));
    child.stdin!.end('246810\n');
  });
  const started = Date.now();
  const app = spawn(process.execPath, [path.join(root, 'current/dist/device/cli/main.js'), 'start', '--config', path.join(prefix, 'etc/pleura/config.json'), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  app.stderr!.on('data', (d: Buffer) => (log += d));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`installed release did not start:\n${log}`)), 20_000);
      const check = setInterval(() => {
        const m = /kiosk at (http:\/\/\S+)/.exec(log);
        if (m) {
          clearInterval(check);
          clearTimeout(timer);
          resolve(m[1]!.replace(/\/$/, ''));
        }
      }, 50);
    });
    let shown = 0;
    while (shown === 0 && Date.now() - started < 20_000) {
      shown = ((await (await fetch(`${url}/api/status`)).json()) as { pipeline: { framesShown: number } }).pipeline.framesShown;
      if (!shown) await new Promise((r) => setTimeout(r, 100));
    }
    t.true(shown > 0, 'the installed release shows frames');
    t.log(`installed release: service start to first image ${Date.now() - started} ms`);
    // The installed release runs its findings model (from its own models/ folder).
    let model: { name: string; state: string; executionProvider: string | null } | undefined;
    while (model?.state !== 'running' && Date.now() - started < 30_000) {
      model = ((await (await fetch(`${url}/api/status`)).json()) as { models?: Array<{ name: string; state: string; executionProvider: string | null }> }).models?.[0];
      if (model?.state !== 'running') await new Promise((r) => setTimeout(r, 200));
    }
    t.like(model, { name: 'lung-findings', state: 'running', executionProvider: 'cpu' }, 'the installed release loads its model');
    t.true(/127\.0\.0\.1/.test(url), 'kiosk bound to loopback');
    // Loopback only: every listening socket on the kiosk's port is bound to 127.0.0.1 (read from
    // the kernel's socket table; nothing is sent to another address).
    const port = new URL(url).port;
    const listening = (await run('ss', ['-ltnH'])).stdout.split('\n').map((l) => l.trim().split(/\s+/)[3] ?? '').filter((a) => a.endsWith(`:${port}`));
    t.true(listening.length > 0 && listening.every((a) => a === `127.0.0.1:${port}`), `listening on ${listening.join(', ')}`);
    const page = await fetch(`${url}/`);
    t.is(page.status, 200);
  } finally {
    app.kill('SIGTERM');
    await new Promise((r) => app.once('exit', r));
  }

  fs.writeFileSync(path.join(prefix, 'var/lib/pleura/exam-keep.txt'), 'an unsynced exam');
  await run('bash', [path.join(REPO, 'scripts/install/uninstall.sh'), '--prefix', prefix]);
  t.false(fs.existsSync(root));
  t.false(fs.existsSync(path.join(prefix, 'etc/systemd/system/pleura.service')));
  t.true(fs.existsSync(path.join(prefix, 'var/lib/pleura/exam-keep.txt')), 'exams survive an uninstall');
  await run('bash', [path.join(REPO, 'scripts/install/uninstall.sh'), '--prefix', prefix, '--purge']);
  t.false(fs.existsSync(path.join(prefix, 'var/lib/pleura')));
});
