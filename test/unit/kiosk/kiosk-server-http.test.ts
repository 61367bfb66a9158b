import { Agent } from 'node:http';
import test from 'ava';
import { WebSocket } from 'ws';
import { BinaryResponse, KioskHttpError } from '../../../ui-kiosk/server/kiosk-server.js';
import { connectClient, rawRequest, startKiosk } from './kiosk-fixtures.js';

test('serves the page, stylesheet and compiled browser modules with the right content types', async (t) => {
  const { port } = await startKiosk(t);
  const page = await rawRequest(port, '/');
  t.is(page.status, 200);
  t.is(page.headers['content-type'], 'text/html; charset=utf-8');
  t.is(page.headers['cache-control'], 'no-store');
  t.regex(String(page.headers['content-security-policy']), /default-src 'self'/);
  t.regex(page.body, /data-testid="live-image"/);
  t.regex(page.body, /src="\/js\/main\.js"/);

  const css = await rawRequest(port, '/kiosk.css');
  t.is(css.status, 200);
  t.is(css.headers['content-type'], 'text/css; charset=utf-8');
  t.is(css.headers['cache-control'], 'no-store');

  for (const path of ['/js/main.js', '/js/ws-client.js', '/js/protocol.js', '/js/i18n/en.js']) {
    const js = await rawRequest(port, path);
    t.is(js.status, 200, path);
    t.is(js.headers['content-type'], 'text/javascript; charset=utf-8', path);
    t.is(js.headers['cache-control'], 'no-store', path);
  }
  t.is((await rawRequest(port, '/index.html')).status, 200);
});

test('does not serve TypeScript sources or unknown files', async (t) => {
  const { port } = await startKiosk(t);
  for (const path of ['/main.ts', '/js/main.ts', '/protocol.ts', '/i18n/en.ts', '/nope.html', '/js/nope.js', '/js/', '/js', '/i18n/']) {
    t.is((await rawRequest(port, path)).status, 404, path);
  }
});

test('rejects directory traversal in every spelling', async (t) => {
  const { port } = await startKiosk(t);
  const attempts = [
    '/../package.json',
    '/../../../package.json',
    '/js/../../../../package.json',
    '/%2e%2e/%2e%2e/%2e%2e/package.json',
    '/js/..%2f..%2f..%2f..%2fpackage.json',
    '/js/%2e%2e%2fserver%2fkiosk-server.js',
    '/js/..%5c..%5c..%5cpackage.json',
    '/..\\..\\..\\tsconfig.json',
    '/js/main.js%00.css',
    '/%2fetc%2fpasswd',
    '/js/../server/kiosk-server.js',
    '//etc/passwd',
    '/js/%c0%ae%c0%ae/%c0%ae%c0%ae/package.json',
  ];
  for (const path of attempts) {
    const res = await rawRequest(port, path);
    t.true(res.status === 404 || res.status === 400, `${path} → ${res.status}`);
    t.notRegex(res.body, /"name": "pleura"|root:|compilerOptions|class KioskServer/, path);
  }
});

test('only GET: other methods get 405 with Allow: GET', async (t) => {
  const { port } = await startKiosk(t, { routes: { '/api/status': () => ({ ok: true }) } });
  for (const [method, path] of [['POST', '/'], ['PUT', '/api/status'], ['DELETE', '/kiosk.css'], ['HEAD', '/']] as const) {
    const res = await rawRequest(port, path, method);
    t.is(res.status, 405, `${method} ${path}`);
    t.is(res.headers['allow'], 'GET');
  }
});

test('JSON routes: sync and async handlers, query ignored, failures are 500 with a message', async (t) => {
  let calls = 0;
  const { port } = await startKiosk(t, {
    routes: {
      '/api/status': () => ({ probe: { state: 'ready' }, calls: ++calls }),
      '/api/slow': async () => ({ later: true }),
      '/api/broken': () => {
        throw new Error('status provider not ready');
      },
      '/api/nothing': () => undefined,
    },
  });
  const status = await rawRequest(port, '/api/status?cachebust=1');
  t.is(status.status, 200);
  t.is(status.headers['content-type'], 'application/json; charset=utf-8');
  t.is(status.headers['cache-control'], 'no-store');
  t.deepEqual(JSON.parse(status.body), { probe: { state: 'ready' }, calls: 1 });
  t.deepEqual(JSON.parse((await rawRequest(port, '/api/slow')).body), { later: true });
  t.is((await rawRequest(port, '/api/nothing')).body, 'null');

  const broken = await rawRequest(port, '/api/broken');
  t.is(broken.status, 500);
  t.deepEqual(JSON.parse(broken.body), { error: 'route /api/broken failed: status provider not ready' });
  t.is((await rawRequest(port, '/api/unknown')).status, 404);
});

test('WebSocket only on /ws, and not from another origin', async (t) => {
  const { url } = await startKiosk(t);
  const wsBase = url.replace(/^http/, 'ws');
  const refused = (target: string, origin?: string) => new Promise<number>((resolve) => {
    const ws = new WebSocket(target, origin ? { origin } : {});
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('error', () => undefined);
    ws.on('open', () => {
      resolve(101);
      ws.terminate();
    });
  });
  t.is(await refused(`${wsBase}other`), 404);
  t.is(await refused(`${wsBase}ws`, 'http://evil.example'), 403);
  t.is(await refused(`${wsBase}ws`, url.replace(/\/$/, '')), 101);
});

test('a client connecting later gets only the latest status', async (t) => {
  const { server, url } = await startKiosk(t);
  server.publishStatus({ probe: { state: 'connecting' } });
  server.publishStatus({ probe: { state: 'streaming' } });
  const client = await connectClient(t, url);
  t.deepEqual(await client.nextText(), { type: 'status', status: { probe: { state: 'streaming' } } });
  server.publishStatus({ probe: { state: 'disconnected' } });
  t.deepEqual(await client.nextText(), { type: 'status', status: { probe: { state: 'disconnected' } } });
});

test('stop() closes WebSocket clients and idle keep-alive sockets, and can be called twice', async (t) => {
  const { server, url, port } = await startKiosk(t);
  const client = await connectClient(t, url);
  const closed = new Promise<void>((resolve) => client.ws.once('close', () => resolve()));
  const keepAlive = new Agent({ keepAlive: true });
  t.teardown(() => keepAlive.destroy());
  t.is((await rawRequest(port, '/', 'GET', keepAlive)).status, 200);
  const started = Date.now();
  await server.stop();
  await closed;
  t.true(Date.now() - started < 1000, 'stop() must not wait for keep-alive timeouts');
  await server.stop();
  await t.throwsAsync(rawRequest(port, '/'));
  t.is(server.stats().clients, 0);

  const { url: again } = await server.start();
  t.is((await rawRequest(Number(new URL(again).port), '/')).status, 200);
  await server.stop();
});

test('a BinaryResponse is sent as its bytes, with its type, Content-Length and no caching', async (t) => {
  const body = new Uint8Array(300_000).map((_, i) => (i * 31) & 0xff);
  const { url } = await startKiosk(t, {
    routes: {
      '/api/bytes': () => new BinaryResponse('application/octet-stream', body.subarray(1000, 201_000)),
      '/api/gone': async () => {
        throw new KioskHttpError(404, 'frame 3 is gone');
      },
    },
  });
  const res = await fetch(new URL('/api/bytes', url));
  t.is(res.status, 200);
  t.is(res.headers.get('content-type'), 'application/octet-stream');
  t.is(res.headers.get('content-length'), '200000');
  t.is(res.headers.get('cache-control'), 'no-store');
  t.deepEqual(new Uint8Array(await res.arrayBuffer()), body.subarray(1000, 201_000), 'exactly the view, not its whole buffer');

  const gone = await fetch(new URL('/api/gone', url));
  t.is(gone.status, 404);
  t.is(gone.headers.get('content-type'), 'application/json; charset=utf-8');
  t.deepEqual(await gone.json(), { error: 'frame 3 is gone' });
});
