/**
 * ProbeLink against a scripted fake probe on a real Unix socket (and once over the fake USB
 * device for hot-plug). Serial: the tests check that no timer or socket outlives close().
 */
import test from 'ava';
import { ProbeIncompatibleError, ProbeLinkClosedError, ProbeNackError, ProbeNotReadyError, ProbeRequestTimeoutError } from '../../../drivers/probe/errors.js';
import { type LinkMessage, ProbeLink, type ProbeLinkOptions, type ProbeLinkState } from '../../../drivers/probe/probe-link.js';
import { type Configure, type ProbeMessage, MessageType, NackCode } from '../../../drivers/protocol/messages.js';
import { UsbTransport } from '../../../drivers/transports/usb.js';
import { FakeUsbDevice, FakeWebUsb } from './fake-usb.js';
import { FakeProbeServer, PROBE_IDENTITY, type ProbeScript, ScriptedProbe } from './scripted-probe.js';

const lung: Configure = { preset: 'lung', depthM: 0.125, gainDb: 6, mode: 'rf', frameRateHz: 20, transmits: { kind: 'diverging', parameters: [-0.01, 0, 0.01] } };

const fast: Partial<ProbeLinkOptions> = { requestTimeoutMs: 300, handshakeTimeoutMs: 300, linkLostAfterMs: 400, reconnectDelayMs: { initial: 20, max: 80 } };

const waitFor = async (cond: () => boolean, ms = 3000): Promise<void> => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
};

const once = <T extends unknown[]>(link: ProbeLink, event: 'linkLost' | 'reconnected' | 'attemptFailed'): Promise<T> =>
  new Promise((resolve) => link.once(event, (...args: unknown[]) => resolve(args as T)));

async function withLink(script: ProbeScript, options: Partial<ProbeLinkOptions>, body: (link: ProbeLink, server: FakeProbeServer) => Promise<void>): Promise<void> {
  const server = await FakeProbeServer.start(script);
  const link = new ProbeLink({ transport: { kind: 'socket', address: server.address }, ...fast, ...options });
  try {
    await body(link, server);
  } finally {
    await link.close();
    await server.close();
  }
}

const typesReceived = (probe: ScriptedProbe | undefined): number[] => (probe?.received ?? []).map((m: ProbeMessage) => m.type);

test.serial('handshake: connect() resolves with IDENTIFY; states connecting → identifying → ready', async (t) => {
  await withLink({}, {}, async (link) => {
    const states: ProbeLinkState[] = [];
    link.on('state', (s) => states.push(s));
    const id = await link.connect();
    t.is(id.model, PROBE_IDENTITY.model);
    t.is(id.serial, 'SIM-0042');
    t.is(id.selectedVersion, 1);
    t.is(link.identify?.geometry.kind, 'convex');
    t.deepEqual(states, ['connecting', 'identifying', 'ready']);
    t.is(link.state, 'ready');
    t.is(await link.connect(), id, 'connect() when ready resolves at once');
  });
});

test.serial('version negotiation: IDENTIFY without a common version → ProbeIncompatibleError, state incompatible, no retry loop', async (t) => {
  await withLink({ versions: { min: 2, max: 3 } }, {}, async (link, server) => {
    const e = await t.throwsAsync(link.connect(), { instanceOf: ProbeIncompatibleError });
    t.regex(e?.message ?? '', /probe incompatible: this host speaks protocol v1–v1, the probe v2–v3 .*update the device software or flash probe firmware/);
    t.is(link.state, 'incompatible');
    await new Promise((r) => setTimeout(r, 150));
    t.is(server.probes.length, 1, 'no reconnect attempts against an incompatible probe');
  });
});

test.serial('version negotiation: NACK UNSUPPORTED_VERSION → ProbeIncompatibleError', async (t) => {
  await withLink({ identifyRequest: 'nack' }, {}, async (link) => {
    await t.throwsAsync(link.connect(), { instanceOf: ProbeIncompatibleError, message: /NACK UNSUPPORTED_VERSION: probe speaks v1-v1/ });
  });
});

test.serial('a probe that never answers IDENTIFY_REQUEST: attempts fail with a timeout and are retried with back-off', async (t) => {
  await withLink({ identifyRequest: 'silent' }, { reconnectDelayMs: { initial: 10, max: 20 } }, async (link, server) => {
    const failures: [Error, number | null][] = [];
    link.on('attemptFailed', (e, retryInMs) => failures.push([e, retryInMs]));
    void link.connect().catch(() => undefined);
    await waitFor(() => failures.length >= 2);
    t.true(failures[0]![0] instanceof ProbeRequestTimeoutError);
    t.regex(failures[0]![0].message, /did not answer IDENTIFY_REQUEST .* within 300 ms/);
    t.deepEqual(failures.slice(0, 2).map((f) => f[1]), [10, 20]);
    t.true(server.probes.length >= 2);
  });
});

test.serial('requests resolve on ACK; NACK rejects with ProbeNackError; state follows start/stop', async (t) => {
  const script: ProbeScript = {
    answer: (m) => (m.type === MessageType.CONFIGURE && m.body.depthM > 0.3 ? { nack: NackCode.OUT_OF_RANGE, reason: 'depth beyond 0.3 m' } : 'ack'),
  };
  await withLink(script, {}, async (link, server) => {
    await link.connect();
    await link.configure(lung);
    const e = await t.throwsAsync(link.configure({ ...lung, depthM: 0.5 }), { instanceOf: ProbeNackError });
    t.is(e?.codeName, 'OUT_OF_RANGE');
    t.regex(e?.message ?? '', /probe refused CONFIGURE \(seq \d+\): OUT_OF_RANGE — depth beyond 0.3 m; choose values the probe supports/);
    await link.start();
    t.is(link.state, 'streaming');
    await link.freeze(true);
    t.true(server.probes[0]!.frozen);
    await link.freeze(false);
    await link.stop();
    t.is(link.state, 'ready');
    t.like(link.stats, { nacks: 1, connects: 1, state: 'ready' });
    t.deepEqual(typesReceived(server.probes[0]), [
      MessageType.IDENTIFY_REQUEST,
      MessageType.CONFIGURE,
      MessageType.CONFIGURE,
      MessageType.START,
      MessageType.FREEZE,
      MessageType.FREEZE,
      MessageType.STOP,
    ]);
  });
});

test.serial('a request without an answer rejects with ProbeRequestTimeoutError', async (t) => {
  await withLink({ answer: (m) => (m.type === MessageType.FREEZE ? 'silent' : 'ack') }, {}, async (link) => {
    await link.connect();
    const t0 = Date.now();
    await t.throwsAsync(link.freeze(true), { instanceOf: ProbeRequestTimeoutError, message: /did not answer FREEZE \(seq \d+\) within 300 ms/ });
    t.true(Date.now() - t0 >= 290);
    t.is(link.stats.requestTimeouts, 1);
    t.is(link.state, 'ready', 'one lost answer is not a lost link');
  });
});

test.serial('requests before the link is ready reject with ProbeNotReadyError; after close with ProbeLinkClosedError', async (t) => {
  await withLink({}, {}, async (link) => {
    await t.throwsAsync(link.configure(lung), { instanceOf: ProbeNotReadyError, message: /cannot configure the probe: the probe link is disconnected; wait for state 'ready'/ });
    await link.close();
    await t.throwsAsync(link.start(), { instanceOf: ProbeLinkClosedError });
    await t.throwsAsync(link.connect(), { instanceOf: ProbeLinkClosedError });
  });
});

test.serial('frames, STATUS and ERROR arrive as events and through messages()', async (t) => {
  await withLink({}, {}, async (link) => {
    await link.connect();
    let statuses = 0;
    link.on('status', () => statuses++);
    const frameEvents: number[] = [];
    link.on('frame', (f) => frameEvents.push(f.message.type));
    await link.configure(lung);
    await link.start();
    const seen: LinkMessage[] = [];
    for await (const m of link.messages()) {
      seen.push(m);
      if (seen.filter((x) => x.message.type === MessageType.FRAME_RF).length >= 3) break;
    }
    const rf = seen.find((m) => m.message.type === MessageType.FRAME_RF);
    t.truthy(rf);
    if (rf?.message.type === MessageType.FRAME_RF) t.is(rf.message.body.samples.length, 2 * 4 * 8);
    t.true(frameEvents.length >= 3);
    await waitFor(() => statuses > 0);
    t.true(link.stats.decoder.frames['FRAME_RF']! >= 3);
  });
});

test.serial('reconnect after the probe drops the connection: re-identifies, re-applies configuration, freeze and streaming', async (t) => {
  await withLink({}, {}, async (link, server) => {
    await link.connect();
    await link.configure(lung);
    await link.freeze(true);
    await link.start();
    const lost = once<[Error]>(link, 'linkLost');
    const back = once(link, 'reconnected');
    server.dropAll();
    const [reason] = await lost;
    t.regex(reason.message, /probe link lost/);
    await back;
    t.is(link.state, 'streaming');
    const second = server.probes[1];
    t.deepEqual(typesReceived(second), [MessageType.IDENTIFY_REQUEST, MessageType.CONFIGURE, MessageType.FREEZE, MessageType.START]);
    const configure = second!.received[1];
    if (configure?.type === MessageType.CONFIGURE) t.is(configure.body.preset, 'lung');
    t.true(second!.streaming && second!.frozen);
    t.like(link.stats, { connects: 2, linkLosses: 1 });
  });
});

test.serial('silence for linkLostAfterMs counts as a lost link, then it reconnects', async (t) => {
  await withLink({ statusIntervalMs: null }, {}, async (link, server) => {
    await link.connect();
    const t0 = Date.now();
    const [reason] = await once<[Error]>(link, 'linkLost');
    const silentMs = Date.now() - t0;
    t.regex(reason.message, /no bytes from socket unix:.* for 400 ms/);
    t.true(silentMs >= 400 && silentMs < 1500, `lost after ${silentMs} ms`);
    await waitFor(() => server.probes.length >= 2);
  });
});

test.serial('a NACK while restoring after a reconnect drops that state and says so', async (t) => {
  let refuseConfig = false;
  const script: ProbeScript = { answer: (m) => (refuseConfig && m.type === MessageType.CONFIGURE ? { nack: NackCode.OUT_OF_RANGE, reason: 'smaller probe' } : 'ack') };
  await withLink(script, {}, async (link, server) => {
    await link.connect();
    await link.configure(lung);
    refuseConfig = true;
    const refused = new Promise<ProbeNackError>((r) => link.once('restoreFailed', r));
    const back = once(link, 'reconnected');
    server.dropAll();
    t.is((await refused).codeName, 'OUT_OF_RANGE');
    await back;
    t.is(link.state, 'ready');
  });
});

test.serial('close() ends iterators, rejects outstanding requests, and leaves no timers or sockets', async (t) => {
  const watched = ['Timeout', 'TCPSocketWrap', 'PipeWrap', 'PipeServerWrap'];
  const count = (): Record<string, number> => {
    const n: Record<string, number> = {};
    for (const r of process.getActiveResourcesInfo()) if (watched.includes(r)) n[r] = (n[r] ?? 0) + 1;
    return n;
  };
  const before = count();
  await withLink({ answer: () => 'silent' }, { requestTimeoutMs: 10_000 }, async (link) => {
    await link.connect();
    const iterator = link.messages();
    const pendingNext = iterator.next();
    const outstanding = link.configure(lung);
    await link.close();
    t.deepEqual(await pendingNext, { value: undefined, done: true });
    await t.throwsAsync(outstanding, { instanceOf: ProbeLinkClosedError });
    t.is(link.state, 'disconnected');
  });
  await new Promise((r) => setImmediate(r));
  t.deepEqual(count(), before, 'every timer and socket opened by the link and the fake probe is gone');
});

test.serial('USB hot-plug: unplug loses the link, re-plug reconnects at once via the attach event', async (t) => {
  const usb = new FakeWebUsb();
  const probes: ScriptedProbe[] = [];
  const plugProbe = (): FakeUsbDevice => {
    const device = new FakeUsbDevice();
    const probe = new ScriptedProbe({}, (bytes) => device.send(bytes));
    device.onHostWrite = (bytes) => probe.push(bytes);
    probes.push(probe);
    usb.plug(device);
    return device;
  };
  const first = plugProbe();
  // a long back-off: only the attach event can make the reconnect fast
  const link = new ProbeLink({ transport: new UsbTransport({ vendorId: 0x1209, productId: 0x5052, usb }), ...fast, reconnectDelayMs: { initial: 5000, max: 5000 } });
  try {
    await link.connect();
    await link.configure(lung);
    const lost = once(link, 'linkLost');
    usb.unplug(first);
    probes[0]!.stop();
    await lost;
    t.is(link.state, 'disconnected');
    const t0 = Date.now();
    const back = once(link, 'reconnected');
    plugProbe();
    await back;
    t.true(Date.now() - t0 < 1000, 'reconnected without waiting for the back-off');
    t.deepEqual(typesReceived(probes[1]), [MessageType.IDENTIFY_REQUEST, MessageType.CONFIGURE]);
  } finally {
    await link.close();
    for (const p of probes) p.stop();
  }
  t.is(usb.listenerCount, 0);
});
