/**
 * `pleura provision` as a technician runs it: secrets 0600 in a 0700 folder, a summary and files
 * that never contain a secret, no second provisioning by accident, a stable site key, and a PIN
 * that is only stored hashed and is rate-limited.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { CLI } from '../../helpers/device.js';
import { PinRateLimiter, pinMatches, type PinHash } from '../../../device/provision/technician-pin.js';

function provisionCli(args: string[], stdin: string): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, 'provision', ...args], (err, stdout, stderr) => resolve({ stdout, stderr, code: err ? ((err as { code?: number }).code ?? 1) : 0 }));
    child.stdin!.end(stdin);
  });
}

test('provisioning writes identity and secrets with the right modes and never prints a secret', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-prov-'));
  const secretFile = path.join(dir, 'secret.txt');
  fs.writeFileSync(secretFile, 'hunter2-cloud-secret\n');
  const pin = '482913';
  const r = await provisionCli(['--config-dir', dir, '--serial', 'PL-0042', '--site', 'Huisartsenpraktijk Delft', '--pin-stdin', '--sync-url', 'https://dicomweb.example/studies', '--sync-auth', 'oauth2', '--sync-client-id', 'device-0042', '--sync-token-url', 'https://auth.example/token', '--sync-secret-file', secretFile], `${pin}\n`);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /device PL-0042 at Huisartsenpraktijk Delft/);
  t.regex(r.stdout, /sync: https:\/\/dicomweb\.example\/studies \(oauth2, client device-0042\)/);
  const keys = path.join(dir, 'keys');
  t.is((fs.statSync(keys).mode & 0o777).toString(8), '700');
  for (const f of ['site-key.bin', 'device-key.pem', 'technician-pin.json', 'sync-credentials.json']) {
    t.is((fs.statSync(path.join(keys, f)).mode & 0o777).toString(8), '600', f);
  }
  const siteKey = fs.readFileSync(path.join(keys, 'site-key.bin'));
  t.is(siteKey.length, 32);
  const everythingShown = r.stdout + r.stderr + fs.readFileSync(path.join(dir, 'device.json'), 'utf8');
  for (const secret of [pin, 'hunter2-cloud-secret', siteKey.toString('hex'), siteKey.toString('base64')]) t.false(everythingShown.includes(secret), `a secret leaked: ${secret.slice(0, 4)}…`);
  const stored = JSON.parse(fs.readFileSync(path.join(keys, 'technician-pin.json'), 'utf8')) as PinHash;
  t.false(JSON.stringify(stored).includes(pin));
  t.true(pinMatches(pin, stored));
  t.false(pinMatches('000000', stored));

  const again = await provisionCli(['--config-dir', dir, '--serial', 'PL-0043', '--site', 'x', '--pin-stdin'], '123456\n');
  t.is(again.code, 1);
  t.regex(again.stderr, /already provisioned \(PL-0042\).*--force/);
  const forced = await provisionCli(['--config-dir', dir, '--serial', 'PL-0043', '--site', 'x', '--pin-stdin', '--force'], '123456\n');
  t.is(forced.code, 0);
  t.deepEqual(fs.readFileSync(path.join(keys, 'site-key.bin')), siteKey, 're-provisioning keeps the site key (pseudonyms stay stable)');
  t.false(fs.existsSync(path.join(keys, 'sync-credentials.json')), 'no sync destination now: its secret is removed');
});

test('a PIN that is not 6 to 12 digits is refused; wrong PINs lock the maintenance mode', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-prov-'));
  const r = await provisionCli(['--config-dir', dir, '--serial', 'PL-1', '--site', 's', '--pin-stdin'], '1234\n');
  t.is(r.code, 1);
  t.regex(r.stderr, /6 to 12 digits/);
  t.false(fs.existsSync(path.join(dir, 'device.json')));
  let now = 0;
  const limiter = new PinRateLimiter(() => now);
  for (let i = 0; i < 4; i++) limiter.record(false);
  t.is(limiter.waitMs(), 0);
  limiter.record(false);
  t.is(limiter.waitMs(), 60_000);
  now += 60_000;
  limiter.record(false);
  t.is(limiter.waitMs(), 120_000, 'doubling');
  limiter.record(true);
  t.is(limiter.waitMs(), 120_000, 'a success does not lift an active lock');
});
