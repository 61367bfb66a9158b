/**
 * The installer on a real folder layout: install into a new release folder, switch `current` in
 * trial mode, confirm on a passing self-test, roll back on a failing or late one; and SIGKILL at
 * every step of an install, after which recovery leaves a consistent, usable layout.
 */
import { execFile } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';
import { bootCheck } from '../../../device/update/boot-check.js';
import { buildBundle } from '../../../device/update/build-bundle.js';
import { UpdateRefused } from '../../../device/update/errors.js';
import { installBundle, recover, type InstallStep } from '../../../device/update/installer.js';
import { generateKeyPair, keyIdOf, rawPublicKey, type KeyPairFiles } from '../../../device/update/keys.js';
import { ReleaseLayout } from '../../../device/update/release-layout.js';
import { signBundle } from '../../../device/update/sign-bundle.js';
import { newTrustBody, signTrust } from '../../../device/update/trust.js';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('../../helpers/update-install-child.js', import.meta.url));
const signer = (k: KeyPairFiles) => {
  const key = createPrivateKey(k.privateKeyPem);
  return { key, keyId: keyIdOf(rawPublicKey(createPublicKey(key))) };
};
const pass = async () => ({ ok: true, checks: [{ name: 'database', ok: true, detail: 'opened' }] });
const fail = async () => ({ ok: false, checks: [{ name: 'probe', ok: false, detail: 'no IDENTIFY within 5 s' }] });

async function fixture() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-inst-'));
  const root = generateKeyPair();
  const release = generateKeyPair();
  const trust = signTrust(newTrustBody([root], [release], { expires: '2099-01-01T00:00:00Z' }), [signer(root)]);
  fs.writeFileSync(path.join(dir, 'trust.json'), JSON.stringify(trust));
  const bundles: Record<string, string> = {};
  for (const version of ['1.0.0', '1.1.0', '1.2.0']) {
    const src = path.join(dir, `src-${version}`);
    fs.mkdirSync(path.join(src, 'dist'), { recursive: true });
    fs.writeFileSync(path.join(src, 'VERSION'), version);
    fs.writeFileSync(path.join(src, 'dist/app.js'), `// ${version}\n`.repeat(20_000));
    const unsigned = path.join(dir, `u-${version}.plb`);
    await buildBundle({ sourceDir: src, out: unsigned, kind: 'software', name: 'pleura', version, minReplaceableVersion: '0.0.0', hardware: ['x86_64-dev'] });
    bundles[version] = path.join(dir, `${version}.plb`);
    await signBundle(unsigned, bundles[version]!, signer(release));
  }
  const layout = new ReleaseLayout(path.join(dir, 'opt-pleura'));
  const opts = { layout, policy: { trust, hardware: 'x86_64-dev' } };
  return { dir, layout, bundles, opts, trustFile: path.join(dir, 'trust.json') };
}

function running(layout: ReleaseLayout): string {
  return fs.readFileSync(path.join(layout.currentLink, 'VERSION'), 'utf8');
}

test('install → trial → self-test passes → confirmed; the next one fails its self-test → rolled back and never again', async (t) => {
  const f = await fixture();
  await installBundle(f.bundles['1.0.0']!, f.opts);
  t.is((await bootCheck(f.layout, '1.0.0', pass)).outcome, 'confirmed');
  t.is(running(f.layout), '1.0.0');

  await installBundle(f.bundles['1.1.0']!, f.opts);
  t.is(running(f.layout), '1.1.0', 'current switched to the new release');
  t.is(f.layout.readState().trial?.version, '1.1.0');
  const outcome = await bootCheck(f.layout, '1.1.0', fail);
  t.is(outcome.outcome, 'rolled-back');
  t.regex(outcome.detail, /no IDENTIFY/);
  t.is(running(f.layout), '1.0.0', 'back on the previous release');
  const state = f.layout.readState();
  t.deepEqual(state.bad, ['1.1.0']);
  t.is(state.current, '1.0.0');
  const again = await t.throwsAsync(installBundle(f.bundles['1.1.0']!, f.opts), { instanceOf: UpdateRefused });
  t.is((again as UpdateRefused).code, 'bad-version');
  await installBundle(f.bundles['1.2.0']!, f.opts);
  t.is((await bootCheck(f.layout, '1.2.0', pass)).outcome, 'confirmed');
  t.is(running(f.layout), '1.2.0');
  t.deepEqual(f.layout.readState().history.map((h) => `${h.event} ${h.version}`), [
    'staged 1.0.0', 'switched 1.0.0', 'confirmed 1.0.0', 'staged 1.1.0', 'switched 1.1.0', 'rolled-back 1.1.0', 'staged 1.2.0', 'switched 1.2.0', 'confirmed 1.2.0',
  ]);
});

test('a trial past its deadline is rolled back even if the new version never ran its self-test', async (t) => {
  const f = await fixture();
  await installBundle(f.bundles['1.0.0']!, f.opts);
  await bootCheck(f.layout, '1.0.0', pass);
  await installBundle(f.bundles['1.1.0']!, { ...f.opts, trialMs: 1000 });
  const outcome = await bootCheck(f.layout, '1.0.0', pass, { now: () => Date.now() + 5000 });
  t.is(outcome.outcome, 'rolled-back');
  t.is(running(f.layout), '1.0.0');
});

test('never switches during an exam, and not while a trial runs', async (t) => {
  const f = await fixture();
  await installBundle(f.bundles['1.0.0']!, f.opts);
  await bootCheck(f.layout, '1.0.0', pass);
  const busy = await t.throwsAsync(installBundle(f.bundles['1.1.0']!, { ...f.opts, busy: () => 'an exam is in progress' }), { instanceOf: UpdateRefused });
  t.is((busy as UpdateRefused).code, 'busy');
  t.is(running(f.layout), '1.0.0');
  t.false(fs.existsSync(f.layout.releaseDir('1.1.0')), 'nothing was extracted');
  await installBundle(f.bundles['1.1.0']!, f.opts);
  const trial = await t.throwsAsync(installBundle(f.bundles['1.2.0']!, f.opts), { instanceOf: UpdateRefused });
  t.is((trial as UpdateRefused).code, 'trial-running');
});

const STEPS: InstallStep[] = ['verified', 'extracted', 'staged', 'intent', 'switched'];

for (const step of STEPS) {
  test(`kill -9 right after "${step}": recovery leaves a consistent layout and the device keeps working`, async (t) => {
    const f = await fixture();
    await installBundle(f.bundles['1.0.0']!, f.opts);
    await bootCheck(f.layout, '1.0.0', pass);
    const err = await t.throwsAsync(run(process.execPath, [CHILD, f.layout.root, f.bundles['1.1.0']!, f.trustFile, step]));
    t.is((err as { signal?: string }).signal, 'SIGKILL');
    recover(f.layout);
    const state = f.layout.readState();
    const linked = f.layout.linkedVersion();
    // Either still on 1.0.0 with no trial, or 1.1.0 in trial: never anything in between.
    if (state.trial) {
      t.is(state.trial.version, '1.1.0');
      t.is(linked, '1.1.0');
    } else {
      t.is(linked, '1.0.0');
      t.is(state.current, '1.0.0');
    }
    t.is(running(f.layout), linked!, 'the linked release is complete');
    t.deepEqual(fs.readdirSync(f.layout.releasesDir).filter((e) => e.startsWith('.staging')), [], 'no staging leftovers');
    // And the device goes on: the trial (if any) resolves, and a later install works.
    if (state.trial) t.is((await bootCheck(f.layout, '1.1.0', pass)).outcome, 'confirmed');
    else await installBundle(f.bundles['1.1.0']!, f.opts).then(() => bootCheck(f.layout, '1.1.0', pass));
    t.is(running(f.layout), '1.1.0');
  });
}
