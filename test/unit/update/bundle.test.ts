/**
 * Every way an update bundle can be refused, and the happy path. Bundles are built, signed and
 * verified with real Ed25519 keys in temporary folders.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { createPrivateKey } from 'node:crypto';
import { buildBundle } from '../../../device/update/build-bundle.js';
import { bundlePrefix } from '../../../device/update/bundle-format.js';
import { canonicalJson } from '../../../device/update/canonical-json.js';
import { UpdateRefused, type RefusalCode } from '../../../device/update/errors.js';
import { generateKeyPair, keyIdOf, rawPublicKey, type KeyPairFiles } from '../../../device/update/keys.js';
import { signBundle } from '../../../device/update/sign-bundle.js';
import { newTrustBody, signTrust, type TrustDocument } from '../../../device/update/trust.js';
import { verifyBundle, type DevicePolicy } from '../../../device/update/verify-bundle.js';
import { createPublicKey } from 'node:crypto';

const signer = (k: KeyPairFiles) => {
  const key = createPrivateKey(k.privateKeyPem);
  return { key, keyId: keyIdOf(rawPublicKey(createPublicKey(key))) };
};

function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-upd-'));
  const src = path.join(dir, 'src');
  fs.mkdirSync(path.join(src, 'dist/device'), { recursive: true });
  fs.writeFileSync(path.join(src, 'package.json'), '{"name":"pleura","version":"1.2.0"}');
  fs.writeFileSync(path.join(src, 'dist/device/app.js'), 'export const x = 1;\n'.repeat(1000));
  const root = generateKeyPair();
  const release = generateKeyPair();
  const trust: TrustDocument = signTrust(newTrustBody([root], [release], { expires: '2099-01-01T00:00:00Z', scopes: ['software', 'models'] }), [signer(root)]);
  const policy: DevicePolicy = { trust, hardware: 'x86_64-dev', installedVersion: '1.1.0' };
  const build = async (over: Partial<Parameters<typeof buildBundle>[0]> = {}, name = 'b.plb') => {
    const unsigned = path.join(dir, `unsigned-${name}`);
    await buildBundle({ sourceDir: src, out: unsigned, kind: 'software', name: 'pleura', version: '1.2.0', minReplaceableVersion: '1.0.0', hardware: ['x86_64-dev', 'jetson-orin'], ...over });
    return unsigned;
  };
  const signed = async (file: string, key = release, name = 'signed.plb') => {
    const out = path.join(dir, name);
    await signBundle(file, out, signer(key));
    return out;
  };
  return { dir, src, root, release, trust, policy, build, signed };
}

async function refusal(t: import('ava').ExecutionContext, p: Promise<unknown>, code: RefusalCode): Promise<string> {
  const err = await t.throwsAsync(p, { instanceOf: UpdateRefused });
  t.is((err as UpdateRefused).code, code, (err as Error).message);
  return (err as Error).message;
}

test('happy path: a signed bundle verifies and extracts exactly its files', async (t) => {
  const s = setup();
  const bundle = await s.signed(await s.build());
  const out = path.join(s.dir, 'slot');
  const v = await verifyBundle(bundle, s.policy, { extractTo: out });
  t.deepEqual(v.signers, [s.release.keyId]);
  t.is(v.header.manifest.version, '1.2.0');
  t.is(fs.readFileSync(path.join(out, 'dist/device/app.js'), 'utf8'), fs.readFileSync(path.join(s.src, 'dist/device/app.js'), 'utf8'));
  t.deepEqual(fs.readdirSync(out).sort(), ['dist', 'package.json']);
});

test('unsigned, forged and re-signed-by-stranger bundles are refused', async (t) => {
  const s = setup();
  const unsigned = await s.build();
  await refusal(t, verifyBundle(unsigned, s.policy), 'unsigned');
  const stranger = generateKeyPair();
  await refusal(t, verifyBundle(await s.signed(unsigned, stranger, 'stranger.plb'), s.policy), 'unknown-key');
  // Forge: change the manifest after signing (raise the version) and keep the old signature.
  const good = await s.signed(unsigned);
  const bytes = fs.readFileSync(good);
  const mLen = bytes.readUInt32LE(8);
  const manifest = JSON.parse(bytes.subarray(12, 12 + mLen).toString()) as { version: string };
  const sLen = bytes.readUInt32LE(12 + mLen);
  const sigs = JSON.parse(bytes.subarray(16 + mLen, 16 + mLen + sLen).toString());
  manifest.version = '9.9.9';
  const forged = Buffer.concat([bundlePrefix(Buffer.from(canonicalJson(manifest)), sigs), bytes.subarray(16 + mLen + sLen)]);
  const forgedFile = path.join(s.dir, 'forged.plb');
  fs.writeFileSync(forgedFile, forged);
  await refusal(t, verifyBundle(forgedFile, s.policy), 'bad-signature');
});

test('a tampered payload, a truncated bundle and trailing bytes are refused', async (t) => {
  const s = setup();
  const good = await s.signed(await s.build());
  const bytes = fs.readFileSync(good);
  const tampered = Buffer.from(bytes);
  tampered[tampered.length - 100] ^= 0x01; // inside dist/device/app.js (package.json is the last 37 bytes)
  fs.writeFileSync(path.join(s.dir, 'tampered.plb'), tampered);
  const msg = await refusal(t, verifyBundle(path.join(s.dir, 'tampered.plb'), s.policy), 'bad-hash');
  t.regex(msg, /dist\/device\/app\.js/);
  for (const cut of [5, 20, 200, bytes.length - 1]) {
    fs.writeFileSync(path.join(s.dir, 'cut.plb'), bytes.subarray(0, cut));
    await refusal(t, verifyBundle(path.join(s.dir, 'cut.plb'), s.policy), cut < 8 ? 'truncated' : 'truncated');
  }
  fs.writeFileSync(path.join(s.dir, 'long.plb'), Buffer.concat([bytes, Buffer.from('more')]));
  await refusal(t, verifyBundle(path.join(s.dir, 'long.plb'), s.policy), 'bad-size');
  fs.writeFileSync(path.join(s.dir, 'notabundle.plb'), 'hello world, not a bundle');
  await refusal(t, verifyBundle(path.join(s.dir, 'notabundle.plb'), s.policy), 'not-a-bundle');
});

test('a failed extraction leaves no installed file behind', async (t) => {
  const s = setup();
  const good = await s.signed(await s.build());
  const tampered = fs.readFileSync(good);
  tampered[tampered.length - 100] ^= 0x01; // inside dist/device/app.js (package.json is the last 37 bytes)
  fs.writeFileSync(path.join(s.dir, 't.plb'), tampered);
  const out = path.join(s.dir, 'slot');
  await refusal(t, verifyBundle(path.join(s.dir, 't.plb'), s.policy, { extractTo: out }), 'bad-hash');
  t.false(fs.existsSync(path.join(out, 'dist/device/app.js')), 'the damaged file was not renamed into place');
  t.false(fs.existsSync(path.join(out, 'dist/device/app.js.partial')), 'and its partial copy is gone');
});

test('downgrade, same version, too old to replace, wrong hardware, expired bundle', async (t) => {
  const s = setup();
  const bundle = await s.signed(await s.build());
  await refusal(t, verifyBundle(bundle, { ...s.policy, installedVersion: '1.3.0' }), 'downgrade');
  await refusal(t, verifyBundle(bundle, { ...s.policy, installedVersion: '1.2.0' }), 'downgrade');
  await refusal(t, verifyBundle(bundle, { ...s.policy, installedVersion: '0.9.0' }), 'too-old-to-replace');
  await refusal(t, verifyBundle(bundle, { ...s.policy, hardware: 'raspberry-pi' }), 'wrong-hardware');
  await refusal(t, verifyBundle(bundle, { ...s.policy, now: new Date('2200-01-01') }), 'expired-bundle');
  t.truthy(await verifyBundle(bundle, { ...s.policy, installedVersion: null }), 'first install');
});

test('revoked, expired and out-of-scope keys are refused', async (t) => {
  const s = setup();
  const bundle = await s.signed(await s.build());
  const body = { ...s.trust.body, revoked: [s.release.keyId] };
  await refusal(t, verifyBundle(bundle, { ...s.policy, trust: { ...s.trust, body } }), 'revoked-key');
  const expired = { ...s.trust.body, releaseKeys: s.trust.body.releaseKeys.map((k) => ({ ...k, notAfter: '2020-01-01T00:00:00Z' })) };
  await refusal(t, verifyBundle(bundle, { ...s.policy, trust: { ...s.trust, body: expired } }), 'expired-key');
  const firmware = await s.signed(await s.build({ kind: 'firmware' }, 'fw.plb'), s.release, 'fw-signed.plb');
  await refusal(t, verifyBundle(firmware, s.policy), 'key-scope');
});

test('a manifest with a path that escapes the install folder is refused before any file is read', async (t) => {
  const s = setup();
  const manifest = {
    format: 1, kind: 'software', name: 'pleura', version: '1.2.0', minReplaceableVersion: '1.0.0', hardware: ['x86_64-dev'],
    created: '2026-01-01T00:00:00.000Z', expires: '2099-01-01T00:00:00.000Z',
    files: [{ path: '../../etc/passwd', size: 4, sha256: '0'.repeat(64) }],
  };
  const file = path.join(s.dir, 'evil.plb');
  fs.writeFileSync(file, Buffer.concat([bundlePrefix(Buffer.from(canonicalJson(manifest)), []), Buffer.from('evil')]));
  const msg = await refusal(t, verifyBundle(file, s.policy), 'bad-manifest');
  t.regex(msg, /relative path/);
});
