/**
 * Builds a transport from its configuration (`probe.transport` in the device config, after the
 * device app has resolved `sim` to the simulator's serial path or socket).
 */
import { SerialTransport } from './serial.js';
import { SocketTransport } from './socket.js';
import type { ProbeTransport, TransportSpec } from './transport.js';
import { type UsbHost, UsbTransport } from './usb.js';

export interface CreateTransportOptions {
  /** WebUSB host for a `usb` spec (tests inject a fake); default: the `usb` package. */
  usb?: UsbHost;
}

/** A closed transport for `spec`; throws TransportConfigError for an unusable socket address. */
export function createTransport(spec: TransportSpec, options: CreateTransportOptions = {}): ProbeTransport {
  switch (spec.kind) {
    case 'serial':
      return new SerialTransport(spec);
    case 'socket':
      return new SocketTransport(spec);
    case 'usb':
      return new UsbTransport(options.usb ? { ...spec, usb: options.usb } : spec);
  }
}

/** `createTransport` + `open()`. Rejects with a TransportOpenError that says what to check. */
export async function openTransport(spec: TransportSpec, options: CreateTransportOptions = {}): Promise<ProbeTransport> {
  const transport = createTransport(spec, options);
  await transport.open();
  return transport;
}
