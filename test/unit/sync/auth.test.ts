/** OAuth2 client credentials against a local token server (the contract in docs/sync.md). */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { ClientCredentialsAuth } from '../../../device/sync/auth.js';
import { SyncAuthError } from '../../../device/sync/errors.js';

async function tokenServer(t: import('ava').ExecutionContext, expiresIn = 600) {
  const seen: Array<{ authorization: string | undefined; body: string }> = [];
  let issued = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      seen.push({ authorization: req.headers.authorization, body });
      const ok = req.headers.authorization === 'Basic ' + Buffer.from('device-7:s3cret').toString('base64') && body.includes('grant_type=client_credentials');
      res.writeHead(ok ? 200 : 401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(ok ? { access_token: `tok-${++issued}`, token_type: 'Bearer', expires_in: expiresIn } : { error: 'invalid_client', error_description: 'unknown client' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/token`, seen };
}

test('a token is fetched with client credentials, reused, and refreshed before it expires', async (t) => {
  const { url, seen } = await tokenServer(t, 600);
  let now = 1_000_000;
  const auth = new ClientCredentialsAuth({ tokenUrl: url, clientId: 'device-7', clientSecret: 's3cret', scope: 'dicomweb.write', timeoutMs: 5000, now: () => now });
  t.is(await auth.authorization(), 'Bearer tok-1');
  t.regex(seen[0]!.body, /grant_type=client_credentials&scope=dicomweb.write/);
  now += 500_000; // 100 s left of 600: more than a tenth
  t.is(await auth.authorization(), 'Bearer tok-1');
  now += 45_000; // 55 s left: refresh now, not at expiry
  t.is(await auth.authorization(), 'Bearer tok-2');
  const [a, b] = await Promise.all([(auth.invalidate(), auth.authorization()), auth.authorization()]);
  t.is(a, b, 'concurrent callers share one fetch');
  t.is(auth.fetched, 3);
});

test('refused credentials are a clear, non-retryable error', async (t) => {
  const { url } = await tokenServer(t);
  const auth = new ClientCredentialsAuth({ tokenUrl: url, clientId: 'device-7', clientSecret: 'wrong', scope: '', timeoutMs: 5000 });
  const err = await t.throwsAsync(auth.authorization(), { instanceOf: SyncAuthError });
  t.is(err!.message, 'token endpoint refused client "device-7" (invalid_client: unknown client); check sync client id and secret');
  t.false(err!.retryable);
  const down = new ClientCredentialsAuth({ tokenUrl: 'http://127.0.0.1:1/oauth/token', clientId: 'x', clientSecret: 'y', scope: '', timeoutMs: 2000 });
  await t.throwsAsync(down.authorization(), { instanceOf: SyncAuthError, message: /unreachable/ });
});
