/** JSON POST routes on the kiosk server: validation → 400, handler status kept, limits, origin. */
import { request } from 'node:http';
import test from 'ava';
import { KioskHttpError, postRoute } from '../../../ui-kiosk/server/kiosk-server.js';
import { startKiosk } from './kiosk-fixtures.js';

function send(port: number, path: string, body: string, headers: Record<string, string> = { 'Content-Type': 'application/json' }, method = 'POST') {
  return new Promise<{ status: number; json: { error?: string } & Record<string, unknown>; allow: string | undefined }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        let json = {};
        try {
          json = JSON.parse(text) as object;
        } catch {
          // not JSON (405 text)
        }
        resolve({ status: res.statusCode ?? 0, json, allow: res.headers.allow });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const echo = postRoute(
  (b: unknown) => {
    const n = (b as { n?: unknown }).n;
    if (typeof n !== 'number') throw new Error('n: expected a number');
    return { n };
  },
  ({ n }) => {
    if (n === 13) throw Object.assign(new Error('disk budget reached: 1 MB left'), { status: 507 });
    if (n === 7) throw new KioskHttpError(409, 'exam is finished');
    if (n === 0) throw new Error('boom');
    return { doubled: n * 2 };
  },
);

test('valid body → handler result; invalid → 400 with the validator’s message', async (t) => {
  const { port } = await startKiosk(t, { postRoutes: { '/api/echo': echo } });
  t.deepEqual((await send(port, '/api/echo', '{"n":21}')).json, { doubled: 42 });
  const bad = await send(port, '/api/echo', '{"n":"x"}');
  t.is(bad.status, 400);
  t.is(bad.json.error, 'n: expected a number');
  const notJson = await send(port, '/api/echo', '{n:1');
  t.is(notJson.status, 400);
  t.regex(notJson.json.error ?? '', /^body is not valid JSON/);
});

test('handler errors keep their status; others are 500 naming the route', async (t) => {
  const { port } = await startKiosk(t, { postRoutes: { '/api/echo': echo } });
  t.deepEqual(await send(port, '/api/echo', '{"n":13}'), { status: 507, json: { error: 'disk budget reached: 1 MB left' }, allow: undefined });
  t.is((await send(port, '/api/echo', '{"n":7}')).status, 409);
  const boom = await send(port, '/api/echo', '{"n":0}');
  t.is(boom.status, 500);
  t.is(boom.json.error, 'route /api/echo failed: boom');
});

test('wrong content type 415, too large 413, cross-origin 403, other methods 405', async (t) => {
  const { port } = await startKiosk(t, { postRoutes: { '/api/echo': echo }, maxBodyBytes: 100 });
  t.is((await send(port, '/api/echo', 'n=1', { 'Content-Type': 'application/x-www-form-urlencoded' })).status, 415);
  t.is((await send(port, '/api/echo', 'n=1', { 'Content-Type': 'text/plain' })).status, 415, 'a "simple" cross-site form post is refused');
  const big = await send(port, '/api/echo', JSON.stringify({ n: 1, pad: 'x'.repeat(200) }));
  t.is(big.status, 413);
  t.regex(big.json.error ?? '', /larger than the 100 bytes allowed/);
  t.is((await send(port, '/api/echo', '{"n":1}', { 'Content-Type': 'application/json', Origin: 'http://evil.example' })).status, 403);
  t.is((await send(port, '/api/echo', '{"n":1}', { 'Content-Type': 'application/json; charset=utf-8', Origin: `http://127.0.0.1:${port}` })).status, 200);
  const get = await send(port, '/api/echo', '', {}, 'PUT');
  t.is(get.status, 405);
  t.is(get.allow, 'POST');
  t.is((await send(port, '/api/unknown', '{}')).status, 405);
});

test('GET routes see the query', async (t) => {
  const { port } = await startKiosk(t, { routes: { '/api/exam': (req) => ({ id: req.query.get('id') }) } });
  const res = await fetch(`http://127.0.0.1:${port}/api/exam?id=E1`);
  t.deepEqual(await res.json(), { id: 'E1' });
});
