/** The page's HTTP calls: the device's own sentence on a refusal, the status kept, no answer as status 0. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { DeviceApiError, deviceFetch } from '../../../ui-kiosk/web/device-api.js';

test('a refusal carries the device sentence and status; a non-JSON answer its status and text; no answer is status 0', async (t) => {
  const server = http.createServer((req, res) => {
    if (req.url === '/ok') return void res.end('{"a":1}');
    if (req.url === '/refused') {
      res.writeHead(409, { 'Content-Type': 'application/json' });
      return void res.end('{"error":"clip C1 is damaged on this device; it cannot be reviewed"}');
    }
    res.writeHead(404);
    res.end('no such page');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t.teardown(() => server.close());

  t.deepEqual(await (await deviceFetch(`${base}/ok`)).json(), { a: 1 });
  const refused = await t.throwsAsync(deviceFetch(`${base}/refused`), { instanceOf: DeviceApiError });
  t.is(refused!.status, 409);
  t.is(refused!.message, 'clip C1 is damaged on this device; it cannot be reviewed');
  const missing = await t.throwsAsync(deviceFetch(`${base}/nothing`), { instanceOf: DeviceApiError });
  t.is(missing!.status, 404);
  t.is(missing!.message, '404 no such page');
  server.close();
  await new Promise((r) => setTimeout(r, 50));
  const gone = await t.throwsAsync(deviceFetch(`http://127.0.0.1:1/x`), { instanceOf: DeviceApiError });
  t.is(gone!.status, 0);
});
