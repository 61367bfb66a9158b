/**
 * Serial transport over node-serialport 13: a USB-CDC probe, a UART, or the simulated probe on
 * a pseudo-terminal. Opened by path: `SerialPort.list()` needs udevadm, which the target image
 * (and CI) does not have, and the configuration names the path anyway.
 */
import { SerialPort } from 'serialport';
import { TransportOpenError, errorMessage } from './errors.js';
import type { SerialTransportSpec } from './transport.js';
import { TransportBase } from './transport-base.js';

export const DEFAULT_BAUD_RATE = 3_000_000;

export class SerialTransport extends TransportBase {
  readonly path: string;
  readonly baudRate: number;
  #port: SerialPort | null = null;

  constructor(spec: Omit<SerialTransportSpec, 'kind'>) {
    super();
    this.path = spec.path;
    this.baudRate = spec.baudRate ?? DEFAULT_BAUD_RATE;
  }

  describe(): string {
    return `serial ${this.path} @ ${this.baudRate}`;
  }

  protected async openLink(): Promise<void> {
    const port = new SerialPort({ path: this.path, baudRate: this.baudRate, autoOpen: false });
    try {
      await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    } catch (err) {
      throw new TransportOpenError(
        this.describe(),
        `cannot open serial port ${this.path}: ${errorMessage(err)}; check that the probe (or \`pleura sim --pty\`) is running, ` +
          `that ${this.path} exists, and that this user may open it (group dialout)`,
        { cause: err },
      );
    }
    port.on('data', (chunk: Buffer) => this.received(chunk));
    // A disconnect arrives as 'close' with a DisconnectedError; an I/O failure as 'error'.
    // Either way the port is finished: report it once (lost() ignores repeats).
    port.on('close', (err: Error | null | undefined) => this.lost(err ?? new Error('serial port closed')));
    port.on('error', (err: Error) => this.lost(err));
    this.#port = port;
  }

  protected writeLink(bytes: Buffer): Promise<void> {
    const port = this.#port!;
    // The callback fires once the binding has written the bytes, so awaiting it is the back-pressure.
    return new Promise<void>((resolve, reject) => port.write(bytes, (err) => (err ? reject(err) : resolve())));
  }

  protected async closeLink(): Promise<void> {
    const port = this.#port;
    this.#port = null;
    if (!port) return;
    port.removeAllListeners('data');
    // Keep an 'error' listener: a late error from a port being torn down must not be thrown.
    port.removeAllListeners('error').on('error', () => undefined);
    port.removeAllListeners('close');
    if (!port.isOpen) return;
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}
