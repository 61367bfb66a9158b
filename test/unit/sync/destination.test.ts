import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { destinationSecret } from '../../../device/sync/destination.js';
import { SyncError } from '../../../device/sync/errors.js';
import { tempDir } from '../store/fixtures.js';

test('the secret comes inline, or from a provisioning file ({"secret": …} or bare), or it is a clear error', (t) => {
  const dir = tempDir(t);
  const json = path.join(dir, 'sync-credentials.json');
  fs.writeFileSync(json, JSON.stringify({ secret: 'from-provisioning' }), { mode: 0o600 });
  const bare = path.join(dir, 'secret.txt');
  fs.writeFileSync(bare, 'bare-secret\n');
  const base = { kind: 'dicomweb-oauth2' as const, name: 'delft-cloud', dicomWebUrl: 'https://x/dw', tokenUrl: 'https://x/t', clientId: 'c', scope: '', review: true };
  t.is(destinationSecret({ ...base, clientSecret: 'inline' }), 'inline');
  t.is(destinationSecret({ ...base, secretFile: json }), 'from-provisioning');
  t.is(destinationSecret({ ...base, secretFile: bare }), 'bare-secret');
  t.throws(() => destinationSecret({ ...base, secretFile: path.join(dir, 'missing') }), { instanceOf: SyncError, message: /delft-cloud: cannot read its secret file/ });
  t.is(destinationSecret({ kind: 'orthanc', name: 'pacs', url: 'http://p', dicomWebPath: '/dicom-web', username: 'u', password: 'pw', review: true }), 'pw');
});
