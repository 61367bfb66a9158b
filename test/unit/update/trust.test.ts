import test from 'ava';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { UpdateRefused } from '../../../device/update/errors.js';
import { generateKeyPair, keyIdOf, rawPublicKey, type KeyPairFiles } from '../../../device/update/keys.js';
import { acceptTrustUpdate, newTrustBody, signTrust } from '../../../device/update/trust.js';

const signer = (k: KeyPairFiles) => {
  const key = createPrivateKey(k.privateKeyPem);
  return { key, keyId: keyIdOf(rawPublicKey(createPublicKey(key))) };
};

test('release keys rotate and are revoked by a newer trust document signed by the root', (t) => {
  const root = generateKeyPair();
  const oldRelease = generateKeyPair();
  const newRelease = generateKeyPair();
  const v1 = signTrust(newTrustBody([root], [oldRelease], { expires: '2099-01-01T00:00:00Z' }), [signer(root)]);
  const v2body = { ...newTrustBody([root], [newRelease], { version: 2, expires: '2099-01-01T00:00:00Z' }), revoked: [oldRelease.keyId] };
  const v2 = acceptTrustUpdate(v1, signTrust(v2body, [signer(root)]));
  t.is(v2.body.version, 2);
  t.deepEqual(v2.body.revoked, [oldRelease.keyId]);
});

test('the root itself rotates: the new document names a new root and is signed by old and new', (t) => {
  const root = generateKeyPair();
  const newRoot = generateKeyPair();
  const release = generateKeyPair();
  const v1 = signTrust(newTrustBody([root], [release], { expires: '2099-01-01T00:00:00Z' }), [signer(root)]);
  const v2body = newTrustBody([newRoot], [release], { version: 2, expires: '2099-01-01T00:00:00Z' });
  t.is(acceptTrustUpdate(v1, signTrust(v2body, [signer(root), signer(newRoot)])).body.rootKeys[0]!.keyId, newRoot.keyId);
  t.throws(() => acceptTrustUpdate(v1, signTrust(v2body, [signer(newRoot)])), { instanceOf: UpdateRefused, message: /current root keys/ });
});

test('a trust document never goes back, is not accepted from a stranger, and not when expired', (t) => {
  const root = generateKeyPair();
  const release = generateKeyPair();
  const stranger = generateKeyPair();
  const v2 = signTrust(newTrustBody([root], [release], { version: 2, expires: '2099-01-01T00:00:00Z' }), [signer(root)]);
  const v1 = signTrust(newTrustBody([root], [release], { version: 1, expires: '2099-01-01T00:00:00Z' }), [signer(root)]);
  t.throws(() => acceptTrustUpdate(v2, v1), { message: /versions only go up/ });
  const evil = signTrust(newTrustBody([stranger], [stranger], { version: 3, expires: '2099-01-01T00:00:00Z' }), [signer(stranger)]);
  t.throws(() => acceptTrustUpdate(v2, evil), { message: /0 current root keys/ });
  const stale = signTrust(newTrustBody([root], [release], { version: 3, expires: '2001-01-01T00:00:00Z' }), [signer(root)]);
  t.throws(() => acceptTrustUpdate(v2, stale), { message: /expired/ });
});
