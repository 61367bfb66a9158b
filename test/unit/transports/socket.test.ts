import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { TransportClosedError, TransportConfigError, TransportLostError, TransportOpenError } from '../../../drivers/transports/errors.js';
import { createTransport } from '../../../drivers/transports/open-transport.js';
import { SocketTransport, parseSocketAddress } from '../../../drivers/transports/socket.js';

interface Server {
  server: net.Server;
  address: string;
  peers: net.Socket[];
  received: Buffer[];
  close: () => Promise<void>;
}

async function listen(kind: 'unix' | 'tcp'): Promise<Server> {
  const peers: net.Socket[] = [];
  const received: Buffer[] = [];
  const server = net.createServer((s) => {
    peers.push(s);
    s.on('data', (d) => received.push(d));
    s.on('error', () => undefined);
  });
  let address: string;
  let dir: string | null = null;
  if (kind === 'unix') {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-sock-'));
    const p = path.join(dir, 'probe.sock');
    await new Promise<void>((r) => server.listen(p, r));
    address = `unix:${p}`;
  } else {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    address = `tcp:127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  }
  return {
    server,
    address,
    peers,
    received,
    close: async () => {
      for (const p of peers) p.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const waitFor = async (cond: () => boolean, ms = 2000): Promise<void> => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
};

test('parseSocketAddress: unix, tcp, IPv6, and a clear error otherwise', (t) => {
  t.deepEqual(parseSocketAddress('unix:/run/p.sock'), { kind: 'unix', path: '/run/p.sock' });
  t.deepEqual(parseSocketAddress('tcp:localhost:9000'), { kind: 'tcp', host: 'localhost', port: 9000 });
  t.deepEqual(parseSocketAddress('tcp:[::1]:9000'), { kind: 'tcp', host: '::1', port: 9000 });
  for (const bad of ['unix:', 'tcp:host', 'tcp:host:0', 'tcp:host:70000', '/run/p.sock', 'udp:x:1']) {
    const e = t.throws(() => parseSocketAddress(bad), { instanceOf: TransportConfigError });
    t.regex(e?.message ?? '', /is not "unix:\/path\/to\.sock" or "tcp:host:port"/);
  }
});

for (const kind of ['unix', 'tcp'] as const) {
  test(`${kind}: bytes both ways, then close() emits 'close' without an error`, async (t) => {
    const srv = await listen(kind);
    const transport = new SocketTransport({ address: srv.address });
    t.is(transport.describe(), `socket ${srv.address}`);
    await transport.open();
    t.true(transport.isOpen);
    const got: Buffer[] = [];
    transport.on('data', (c) => got.push(c));
    await transport.write(Buffer.from('hello probe'));
    await waitFor(() => Buffer.concat(srv.received).toString() === 'hello probe');
    const big = Buffer.alloc(3_000_000, 7);
    srv.peers[0]!.write(big);
    await waitFor(() => got.reduce((n, c) => n + c.length, 0) === big.length);
    t.true(Buffer.concat(got).equals(big));
    const closed = new Promise<unknown>((r) => transport.once('close', r));
    await transport.close();
    t.is(await closed, undefined);
    t.false(transport.isOpen);
    await srv.close();
  });
}

test('the peer closing the connection emits error (TransportLostError) then close, and the transport can reopen', async (t) => {
  const srv = await listen('unix');
  const transport = createTransport({ kind: 'socket', address: srv.address });
  await transport.open();
  const events: string[] = [];
  let lost: unknown;
  transport.on('error', (e) => {
    events.push('error');
    lost = e;
  });
  const closed = new Promise<unknown>((r) => transport.on('close', (e) => (events.push('close'), r(e))));
  await waitFor(() => srv.peers.length === 1);
  srv.peers[0]!.end();
  t.is(await closed, lost);
  t.deepEqual(events, ['error', 'close']);
  t.true(lost instanceof TransportLostError);
  t.regex((lost as Error).message, /probe link socket unix:.* lost: .*reconnects on its own/);
  await t.throwsAsync(transport.write(Buffer.of(1)), { instanceOf: TransportClosedError });
  // reopen on the same object
  await transport.open();
  await waitFor(() => srv.peers.length === 2);
  await transport.write(Buffer.from('again'));
  await waitFor(() => Buffer.concat(srv.received).toString() === 'again');
  await transport.close();
  await srv.close();
});

test('open() fails with an actionable TransportOpenError when nothing listens', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-sock-'));
  const transport = new SocketTransport({ address: `unix:${path.join(dir, 'absent.sock')}` });
  const e = await t.throwsAsync(transport.open(), { instanceOf: TransportOpenError });
  t.regex(e?.message ?? '', /cannot connect to the probe at unix:.*absent\.sock: .*is the simulated probe running/);
  t.false(transport.isOpen);
  await transport.close(); // harmless when not open
  fs.rmSync(dir, { recursive: true, force: true });
});

test('close() is idempotent and concurrent closes share one', async (t) => {
  const srv = await listen('tcp');
  const transport = new SocketTransport({ address: srv.address });
  await transport.open();
  let closes = 0;
  transport.on('close', () => closes++);
  await Promise.all([transport.close(), transport.close()]);
  await transport.close();
  t.is(closes, 1);
  await srv.close();
});
