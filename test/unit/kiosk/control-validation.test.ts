import test from 'ava';
import fc from 'fast-check';
import { parseControlMessage, validateControl } from '../../../ui-kiosk/server/control-validation.js';
import type { KioskControl } from '../../../ui-kiosk/web/protocol.js';
import { connectClient, delay, startKiosk, waitFor } from './kiosk-fixtures.js';

test('accepts exactly the four documented commands', (t) => {
  const valid: KioskControl[] = [
    { type: 'freeze', frozen: true },
    { type: 'freeze', frozen: false },
    { type: 'depth', depthMm: 120 },
    { type: 'gain', gainDb: -6 },
    { type: 'preset', preset: 'pleura' },
  ];
  for (const control of valid) t.deepEqual(parseControlMessage(JSON.stringify(control)), { ok: true, control });
});

test('rejects malformed commands with a message saying what is wrong', (t) => {
  const cases: Array<[string, RegExp]> = [
    ['not json', /not valid JSON/],
    ['[]', /must be a JSON object/],
    ['null', /must be a JSON object/],
    ['{"type":"reboot"}', /unknown control type "reboot"/],
    ['{"frozen":true}', /unknown control type undefined/],
    ['{"type":"freeze","frozen":"yes"}', /boolean "frozen"/],
    ['{"type":"freeze"}', /boolean "frozen"/],
    ['{"type":"freeze","frozen":true,"extra":1}', /unexpected field\(s\).*extra/],
    ['{"type":"depth","depthMm":"120"}', /depthMm/],
    ['{"type":"depth","depthMm":1e9}', /depthMm.*10…400/],
    ['{"type":"depth","depthMm":-5}', /depthMm/],
    ['{"type":"gain","gainDb":null}', /gainDb/],
    ['{"type":"gain","gainDb":99}', /gainDb.*-60…60/],
    ['{"type":"gain","gainDb":3,"__proto__":{"x":1}}', /unexpected field/],
    ['{"type":"preset"}', /preset name/],
    ['{"type":"preset","preset":"../../etc"}', /preset name/],
    ['{"type":"preset","preset":"Lung Deep"}', /preset name/],
    ['{"type":"preset","preset":"lung","depthMm":40}', /unexpected field/],
  ];
  for (const [text, message] of cases) {
    const result = parseControlMessage(text);
    t.false(result.ok, text);
    if (!result.ok) t.regex(result.error, message, text);
  }
});

test('never throws, whatever JSON arrives (property)', (t) => {
  fc.assert(fc.property(fc.jsonValue(), (value) => {
    const result = validateControl(value);
    return typeof result.ok === 'boolean';
  }));
  fc.assert(fc.property(fc.string(), (text) => typeof parseControlMessage(text).ok === 'boolean'));
  t.pass();
});

test('server hands valid commands to onControl and answers bad ones with an error, keeping the connection', async (t) => {
  const { server, url } = await startKiosk(t);
  const received: KioskControl[] = [];
  server.onControl((cmd) => received.push(cmd));
  const client = await connectClient(t, url);

  client.ws.send('{"type":"depth","depthMm":"deep"}');
  t.like(await client.nextText(), { type: 'error', message: 'rejected control: "depth" control needs "depthMm" as a number 10…400, got "deep"' });
  client.ws.send('garbage');
  t.like(await client.nextText(), { type: 'error' });
  client.ws.send(Buffer.from([1, 2, 3]));
  t.regex((await client.nextText() as { message: string }).message, /binary messages are not accepted/);

  client.ws.send(JSON.stringify({ type: 'freeze', frozen: true }));
  await waitFor(() => received.length === 1, 2000, 'freeze command');
  t.deepEqual(received, [{ type: 'freeze', frozen: true }]);
  t.is(client.ws.readyState, client.ws.OPEN);
});

test('a throwing or rejecting control handler is reported to the client, not crashing the server', async (t) => {
  const { server, url } = await startKiosk(t);
  const unsubscribe = server.onControl(() => {
    throw new Error('probe busy');
  });
  const client = await connectClient(t, url);
  client.ws.send(JSON.stringify({ type: 'gain', gainDb: 3 }));
  t.deepEqual(await client.nextText(), { type: 'error', message: 'control "gain" failed: probe busy' });

  unsubscribe();
  server.onControl((async () => {
    await delay(1);
    throw new Error('device app rejected');
  }) as () => void);
  client.ws.send(JSON.stringify({ type: 'gain', gainDb: 3 }));
  t.deepEqual(await client.nextText(), { type: 'error', message: 'control "gain" failed: device app rejected' });
});

test('an oversized message closes only that client; others keep working', async (t) => {
  const { server, url } = await startKiosk(t);
  const received: KioskControl[] = [];
  server.onControl((cmd) => received.push(cmd));
  const abuser = await connectClient(t, url);
  const normal = await connectClient(t, url);

  const closed = new Promise<number>((resolve) => abuser.ws.once('close', (code) => resolve(code)));
  abuser.ws.send(JSON.stringify({ type: 'gain', gainDb: 1, pad: 'x'.repeat(10_000) }));
  t.is(await closed, 1009);

  normal.ws.send(JSON.stringify({ type: 'depth', depthMm: 80 }));
  await waitFor(() => received.length === 1, 2000, 'depth command');
  t.deepEqual(received, [{ type: 'depth', depthMm: 80 }]);
  await waitFor(() => server.stats().clients === 1, 2000, 'abuser removed');
});
