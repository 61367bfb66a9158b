/**
 * The RAUC adapter: `rauc status` JSON parsed (captured shape of RAUC 1.8 on an A/B system), and —
 * where the rauc binary is installed (scripts/install-test-deps.sh) — a real bundle built around
 * a system image with a test certificate made by openssl, verified by `rauc info` with the right
 * keyring and refused with another. `rauc install` and a live `rauc status` need the RAUC service
 * and real slots: not run here (docs/updates.md).
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { RaucAdapter, RaucError, type RaucRunner } from '../../../device/update/rauc/rauc-adapter.js';
import { parseRaucStatus, RaucStatusError } from '../../../device/update/rauc/rauc-status.js';

/** RAUC 1.8 on a Jetson-like A/B layout right after `rauc install`, before the reboot. */
const STATUS_PENDING = JSON.stringify({
  compatible: 'pleura-jetson-orin-nano',
  variant: '',
  booted: 'A',
  boot_primary: 'rootfs.1',
  slots: [
    { 'rootfs.0': { class: 'rootfs', device: '/dev/nvme0n1p1', type: 'ext4', bootname: 'A', state: 'booted', parent: null, mountpoint: '/', boot_status: 'good',
      slot_status: { bundle: { compatible: 'pleura-jetson-orin-nano', version: '1.2.0', description: null, build: null, hash: null }, checksum: { sha256: 'aa'.repeat(32), size: 1073741824 }, installed: { timestamp: '2026-10-01T09:00:00Z', count: 1 }, activated: { timestamp: '2026-10-01T09:00:01Z', count: 1 }, status: 'ok' } } },
    { 'rootfs.1': { class: 'rootfs', device: '/dev/nvme0n1p2', type: 'ext4', bootname: 'B', state: 'inactive', parent: null, mountpoint: null, boot_status: 'good',
      slot_status: { bundle: { compatible: 'pleura-jetson-orin-nano', version: '1.3.0' }, checksum: { sha256: 'bb'.repeat(32), size: 1073741824 }, installed: { timestamp: '2026-11-20T14:00:00Z', count: 2 }, activated: { timestamp: '2026-11-20T14:00:01Z', count: 2 }, status: 'ok' } } },
    { 'data.0': { class: 'data', device: '/dev/nvme0n1p3', type: 'ext4', bootname: null, state: 'inactive', parent: null, mountpoint: '/var/lib/pleura', boot_status: null, slot_status: { bundle: { compatible: null } } } },
  ],
});

test('rauc status JSON: booted slot by its state, pending reboot, slot versions', (t) => {
  const s = parseRaucStatus(STATUS_PENDING);
  t.is(s.compatible, 'pleura-jetson-orin-nano');
  t.is(s.booted, 'rootfs.0', 'the booted slot is the one in state "booted", not the "A" of the top-level field');
  t.is(s.bootPrimary, 'rootfs.1');
  t.true(s.pendingReboot);
  t.true(s.bootedIsGood);
  t.deepEqual(s.slots.map((x) => [x.name, x.bundleVersion]), [['rootfs.0', '1.2.0'], ['rootfs.1', '1.3.0'], ['data.0', null]]);
  t.is(s.slots[1]!.installedAt, '2026-11-20T14:00:00Z');
});

test('rauc status JSON: after a fallback the booted slot is marked bad; garbage is refused with a sentence', (t) => {
  const doc = JSON.parse(STATUS_PENDING) as { boot_primary: string; slots: Array<Record<string, { boot_status: string | null }>> };
  doc.boot_primary = 'rootfs.0';
  doc.slots[0]!['rootfs.0']!.boot_status = 'bad';
  const s = parseRaucStatus(JSON.stringify(doc));
  t.false(s.pendingReboot);
  t.false(s.bootedIsGood);
  t.throws(() => parseRaucStatus('Error retrieving slot status via D-Bus'), { instanceOf: RaucStatusError, message: /rauc service running/ });
  t.throws(() => parseRaucStatus('{"slots": 3}'), { instanceOf: RaucStatusError });
});

test('install, status and mark go to the rauc binary with these arguments; a failure says why', async (t) => {
  const calls: string[][] = [];
  const runner: RaucRunner = async (args) => {
    calls.push(args);
    if (args[0] === 'install') return { code: 1, stdout: '', stderr: 'rauc-Message: installing\nFailed to check bundle identifier: Invalid bundle format\n' };
    if (args[0] === 'status' && args[1] === '--output-format=json') return { code: 0, stdout: STATUS_PENDING, stderr: '' };
    return { code: 0, stdout: '', stderr: '' };
  };
  const rauc = new RaucAdapter(runner);
  await t.throwsAsync(rauc.install('/media/usb/os.raucb'), { instanceOf: RaucError, message: /rauc install failed .*Invalid bundle format/ });
  t.is((await rauc.status()).booted, 'rootfs.0');
  await rauc.mark('good');
  t.deepEqual(calls, [['install', '/media/usb/os.raucb'], ['status', '--output-format=json'], ['status', 'mark-good']]);
});

const hasRauc = (() => {
  try {
    execFileSync('rauc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasRauc) console.log('rauc is not installed: skipping the real bundle test (apt-get install rauc squashfs-tools, see scripts/install-test-deps.sh)');

function testCert(dir: string, name: string): { cert: string; key: string } {
  const cert = path.join(dir, `${name}.cert.pem`);
  const key = path.join(dir, `${name}.key.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-subj', `/O=Pleura Test/CN=${name}`], { stdio: 'ignore' });
  return { cert, key };
}

(hasRauc ? test : test.skip)('a real RAUC bundle around a verified system image: rauc info verifies it with the keyring, refuses it with another', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-rauc-'));
  const release = testCert(dir, 'pleura-release-test');
  const stranger = testCert(dir, 'someone-else');
  const image = path.join(dir, 'rootfs.ext4');
  fs.writeFileSync(image, randomBytes(256 * 1024)); // random: squashfs must not compress it below one block
  const sha256 = createHash('sha256').update(fs.readFileSync(image)).digest('hex');
  const rauc = new RaucAdapter();
  const out = path.join(dir, 'pleura-os-1.3.0.raucb');

  await t.throwsAsync(rauc.bundle({ image, expectedSha256: '00'.repeat(32), compatible: 'pleura-jetson-orin-nano', version: '1.3.0', ...release, out, workDir: dir }), { message: /refusing to wrap it/ });
  t.false(fs.existsSync(out));

  await rauc.bundle({ image, expectedSha256: sha256, compatible: 'pleura-jetson-orin-nano', version: '1.3.0', ...release, out, workDir: dir });
  const info = await rauc.verify(out, release.cert);
  t.like(info, { compatible: 'pleura-jetson-orin-nano', version: '1.3.0' });
  t.deepEqual(info.images, [{ slotClass: 'rootfs', filename: 'rootfs.ext4', sha256, size: 256 * 1024 }]);
  await t.throwsAsync(rauc.verify(out, stranger.cert), { instanceOf: RaucError, message: /not signed by a key of/ });
});
