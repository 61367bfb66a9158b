/**
 * What every probe transport looks like: a byte pipe to one probe that can be opened, written,
 * closed, and that says when it was lost. Framing is not its business (see protocol/decoder.ts).
 *
 * Reading is by 'data' events rather than an async iterator: the link must be drained at wire
 * speed whatever the consumer does (a stalled reader would make the probe overrun and drop
 * frames), the decoder that consumes it is synchronous, and dropping under load happens later
 * on decoded frames, where it can be counted per frame. Loss and close are events anyway.
 *
 * Events:
 *  - 'data' (chunk): bytes in arrival order. The chunk is not copied; do not modify it.
 *  - 'error' (err): the link failed (unplug, peer closed, I/O error). Always followed by 'close'.
 *    As with any Node emitter, an 'error' nobody listens to is thrown.
 *  - 'close' (err?): the link is closed; `err` (a TransportLostError) when it was lost rather
 *    than closed with close(). A transport can be opened again after 'close'.
 *  - 'attach': (USB only) a matching device appeared: worth calling open() now. After a loss
 *    the transport keeps watching for its device until close() is called.
 */
import type { EventEmitter } from 'node:events';
import type { TransportLostError } from './errors.js';

export interface ProbeTransportEvents {
  data: [chunk: Buffer];
  error: [error: Error];
  close: [error: TransportLostError | undefined];
  attach: [];
}

export interface ProbeTransport extends EventEmitter<ProbeTransportEvents> {
  /** True between a successful open() and 'close'. */
  readonly isOpen: boolean;
  /** Opens the link. Rejects with a TransportOpenError that says what to check. Idempotent. */
  open(): Promise<void>;
  /** Resolves when the bytes have been handed to the OS/device. Rejects with TransportClosedError when not open. */
  write(bytes: Buffer): Promise<void>;
  /**
   * Closes the link and releases everything it holds, including the hot-plug watch that
   * outlives a loss. Idempotent; open() may be called again afterwards.
   */
  close(): Promise<void>;
  /** For logs and /api/status, e.g. `serial /dev/ttyACM0 @ 3000000`. */
  describe(): string;
}

/** Serial port (USB-CDC probe, or the simulator on a pseudo-terminal). */
export interface SerialTransportSpec {
  kind: 'serial';
  path: string;
  /** Default 3 000 000 (ignored by USB-CDC and pseudo-terminals). */
  baudRate?: number;
}

/** Socket to a simulated probe: `unix:/path/to.sock` or `tcp:host:port`. */
export interface SocketTransportSpec {
  kind: 'socket';
  address: string;
}

/** USB bulk endpoints of a probe, found by vendor/product id (and serial number if given). */
export interface UsbTransportSpec {
  kind: 'usb';
  vendorId: number;
  productId: number;
  /** Pick one probe when several with the same ids are plugged in. */
  serialNumber?: string;
  /** Default 1. */
  configurationValue?: number;
  /** Default 0. */
  interfaceNumber?: number;
  /** Bulk IN endpoint number (1–15). Default: the interface's first bulk IN endpoint. */
  endpointIn?: number;
  /** Bulk OUT endpoint number (1–15). Default: the interface's first bulk OUT endpoint. */
  endpointOut?: number;
}

/** A transport as the device configuration describes it. */
export type TransportSpec = SerialTransportSpec | SocketTransportSpec | UsbTransportSpec;
