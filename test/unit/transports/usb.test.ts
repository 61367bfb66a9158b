/**
 * The USB transport against a fake of the W3C WebUSB boundary (no USB hardware or /sys/bus/usb
 * exists on the development machines; see drivers/README.md).
 */
import test from 'ava';
import { TransportLostError, TransportOpenError } from '../../../drivers/transports/errors.js';
import { createTransport } from '../../../drivers/transports/open-transport.js';
import { UsbTransport } from '../../../drivers/transports/usb.js';
import { FakeUsbDevice, FakeWebUsb } from './fake-usb.js';

const ids = { vendorId: 0x1209, productId: 0x5052 };

const waitFor = async (cond: () => boolean, ms = 2000): Promise<void> => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 2));
  }
};

function setup(options: ConstructorParameters<typeof FakeUsbDevice>[0] = {}): { usb: FakeWebUsb; device: FakeUsbDevice; transport: UsbTransport } {
  const usb = new FakeWebUsb();
  const device = new FakeUsbDevice(options);
  usb.plug(device);
  return { usb, device, transport: new UsbTransport({ ...ids, usb, transferSizeBytes: 1000 }) };
}

test('open selects the configuration, claims the interface, and finds the bulk endpoints', async (t) => {
  const { device, transport } = setup();
  await transport.open();
  t.true(device.opened);
  t.is(device.configuration?.configurationValue, 1);
  t.deepEqual(device.claimedInterfaces, [0]);
  t.is(transport.describe(), 'usb 1209:5052 interface 0');
  await waitFor(() => device.inRequests.length > 0);
  t.is(device.inRequests[0], 1024, 'transfer size rounded up to whole 512-byte packets');
  await transport.close();
  t.false(device.opened);
});

test('bulk IN: several MB arrive intact, one transfer outstanding at a time', async (t) => {
  const { device, transport } = setup();
  const got: Buffer[] = [];
  transport.on('data', (c) => got.push(c));
  await transport.open();
  const payload = Buffer.alloc(3_000_000);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 131) & 0xff;
  for (let at = 0; at < payload.length; at += 65536) device.send(payload.subarray(at, at + 65536));
  await waitFor(() => got.reduce((n, c) => n + c.length, 0) >= payload.length, 10000);
  t.true(Buffer.concat(got).equals(payload));
  t.true(got.every((c) => c.length <= 1024));
  t.is(device.overlappingIn, 0);
  await transport.close();
});

test('bulk OUT: write() sends the bytes to the OUT endpoint', async (t) => {
  const { device, transport } = setup();
  await transport.open();
  await transport.write(Buffer.from('IDENTIFY_REQUEST'));
  t.is(Buffer.concat(device.written).toString(), 'IDENTIFY_REQUEST');
  await transport.close();
});

test('a timed-out transfer is re-issued and a stalled endpoint cleared, without losing the link', async (t) => {
  const { device, transport } = setup();
  device.failNextIn.push(new Error('transferIn error: Cancelled'), new Error('transferIn error: Stall'));
  const got: Buffer[] = [];
  transport.on('data', (c) => got.push(c));
  let lost = false;
  transport.on('close', () => (lost = true));
  await transport.open();
  device.send(Buffer.from('after'));
  await waitFor(() => got.length > 0);
  t.is(Buffer.concat(got).toString(), 'after');
  t.deepEqual(device.haltsCleared, ['in 1']);
  t.false(lost);
  await transport.close();
});

test("detach: 'error' (TransportLostError) then 'close'; re-attach: 'attach' then open() works on the new device", async (t) => {
  const { usb, device, transport } = setup();
  await transport.open();
  const events: string[] = [];
  transport.on('error', (e) => events.push(`error:${(e as Error).name}`));
  const closed = new Promise<unknown>((r) => transport.once('close', (e) => (events.push('close'), r(e))));
  usb.unplug(device);
  const reason = await closed;
  t.true(reason instanceof TransportLostError);
  t.deepEqual(events, ['error:TransportLostError', 'close']);
  t.false(transport.isOpen);

  await t.throwsAsync(transport.open(), { instanceOf: TransportOpenError, message: /no USB probe 1209:5052 among 0 USB devices; plug the probe in/ });

  const attached = new Promise<void>((r) => transport.once('attach', r));
  const replugged = new FakeUsbDevice();
  usb.plug(replugged);
  await attached;
  await transport.open();
  const got: Buffer[] = [];
  transport.on('data', (c) => got.push(c));
  replugged.send(Buffer.from('hello again'));
  await waitFor(() => got.length > 0);
  t.is(Buffer.concat(got).toString(), 'hello again');
  await transport.close();
  t.is(usb.listenerCount, 0, 'close() stops watching for hot-plug');
});

test('another device with different ids does not emit attach', async (t) => {
  const { usb, transport } = setup();
  await transport.open();
  let attached = false;
  transport.on('attach', () => (attached = true));
  usb.plug(new FakeUsbDevice({ vendorId: 0x1234 }));
  t.false(attached);
  await transport.close();
});

test('serialNumber picks one of several identical probes', async (t) => {
  const usb = new FakeWebUsb();
  const a = new FakeUsbDevice({ serialNumber: 'A' });
  const b = new FakeUsbDevice({ serialNumber: 'B' });
  usb.plug(a);
  usb.plug(b);
  const transport = new UsbTransport({ ...ids, serialNumber: 'B', usb });
  await transport.open();
  t.false(a.opened);
  t.true(b.opened);
  await transport.close();
});

test('missing endpoints: TransportOpenError lists what the interface has, and the device is closed again', async (t) => {
  const usb = new FakeWebUsb();
  const device = new FakeUsbDevice();
  usb.plug(device);
  const transport = new UsbTransport({ ...ids, endpointIn: 5, usb });
  const e = await t.throwsAsync(transport.open(), { instanceOf: TransportOpenError });
  t.regex(e?.message ?? '', /no bulk IN 5 .* \(it has: bulk in 1, bulk out 2, interrupt in 3\); fix interfaceNumber\/endpointIn\/endpointOut/);
  t.false(device.opened);
  await transport.close();
});

test('no USB subsystem: TransportOpenError, and no hot-plug watch is started', async (t) => {
  const usb = new FakeWebUsb();
  usb.failGetDevices = new Error('getDevices error: /sys/bus/usb/devices/ not found (errno 2)');
  const transport = createTransport({ kind: 'usb', ...ids }, { usb });
  await t.throwsAsync(transport.open(), { instanceOf: TransportOpenError, message: /cannot list USB devices: .*\/sys\/bus\/usb/ });
  t.is(usb.listenerCount, 0);
  await transport.close();
});

test('close() aborts the outstanding IN transfer and ends the read loop', async (t) => {
  const { device, transport } = setup();
  await transport.open();
  await waitFor(() => device.inRequests.length === 1);
  await transport.close();
  const requests = device.inRequests.length;
  await new Promise((r) => setTimeout(r, 20));
  t.is(device.inRequests.length, requests, 'no transfers after close');
});

test('a transfer failing while open() is still resolving is reported as a loss, not swallowed', async (t) => {
  const { device, transport } = setup();
  device.failNextIn.push(new Error('transferIn error: Disconnected'));
  const closed = new Promise<unknown>((r) => transport.once('close', r));
  transport.on('error', () => undefined);
  await transport.open();
  t.true((await closed) instanceof TransportLostError);
  t.false(transport.isOpen);
  await transport.close();
});
