/**
 * USB transport: the probe's bulk IN/OUT endpoints through `usb` 3.x, whose API is WebUSB
 * (`new WebUSB({ allowAllDevices: true })`, W3C `USBDevice`, promise-based transfers,
 * 'connect'/'disconnect' events). Why 3.x and not 2.x: drivers/README.md.
 *
 * Everything is reached through the W3C interfaces (`UsbHost` below, `USBDevice`), so tests
 * inject a fake host and device at exactly this boundary; the `usb` package itself is only
 * loaded (it is native) when no host is injected.
 *
 * Hot-plug: from the first open() until close(), the transport watches for its probe. Unplug
 * ends the session ('error' + 'close'); a matching device appearing emits 'attach', after which
 * open() finds it. The probe link reacts to 'attach' by reconnecting at once.
 *
 * NOT run against hardware: no probe, no /sys/bus/usb on the development machines.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { TransportError, TransportOpenError, errorMessage } from './errors.js';
import type { UsbTransportSpec } from './transport.js';
import { TransportBase } from './transport-base.js';

/** The part of WebUSB the transport needs: `usb`'s WebUSB class, `navigator.usb`, or a test fake. */
export interface UsbHost {
  getDevices(): Promise<USBDevice[]>;
  addEventListener(type: 'connect' | 'disconnect', listener: (ev: USBConnectionEvent) => void): void;
  removeEventListener(type: 'connect' | 'disconnect', listener: (ev: USBConnectionEvent) => void): void;
}

export interface UsbTransportOptions extends Omit<UsbTransportSpec, 'kind'> {
  /** WebUSB host to use. Default: `new WebUSB({ allowAllDevices: true })` from `usb`, loaded on first open(). */
  usb?: UsbHost;
  /** Bytes asked for per bulk IN transfer, rounded up to the endpoint's packet size. Default 256 KiB. */
  transferSizeBytes?: number;
  /**
   * Timeout per transfer in ms, passed as the third argument that `usb` 3.x adds to
   * transferIn/transferOut (its default is 1000 ms; a W3C implementation ignores it). An IN
   * transfer that times out is simply issued again. Also bounds how long close() waits for the
   * outstanding IN transfer. Default 1000.
   */
  transferTimeoutMs?: number;
}

const DEFAULT_TRANSFER_BYTES = 256 * 1024;
const DEFAULT_TRANSFER_TIMEOUT_MS = 1000;

type TransferIn = (endpointNumber: number, length: number, timeoutMs?: number) => Promise<USBInTransferResult>;
type TransferOut = (endpointNumber: number, data: BufferSource, timeoutMs?: number) => Promise<USBOutTransferResult>;

/**
 * `usb` 3.x reports a transfer that hit its timeout as a cancelled transfer, and a halted
 * endpoint as a rejected promise (not as status 'stall'); nothing else is worth retrying.
 */
const isTransferTimeout = (err: unknown): boolean => /\bcancel+ed\b|timed? ?out/i.test(errorMessage(err));
const isStall = (err: unknown): boolean => /\bstall/i.test(errorMessage(err));

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

export class UsbTransport extends TransportBase {
  readonly #options: UsbTransportOptions;
  #host: UsbHost | null;
  #watching = false;
  #device: USBDevice | null = null;
  #endpointIn = 0;
  #endpointOut = 0;
  #transferBytes = DEFAULT_TRANSFER_BYTES;
  #readLoop: Promise<void> | null = null;

  constructor(options: UsbTransportOptions) {
    super();
    this.#options = options;
    this.#host = options.usb ?? null;
  }

  describe(): string {
    return `usb ${this.#ids()} interface ${this.#options.interfaceNumber ?? 0}`;
  }

  #ids(): string {
    const o = this.#options;
    return `${hex4(o.vendorId)}:${hex4(o.productId)}${o.serialNumber ? ` serial ${o.serialNumber}` : ''}`;
  }

  /** Also stops watching for hot-plug. */
  override async close(): Promise<void> {
    await super.close();
    this.#unwatch();
  }

  protected async openLink(): Promise<void> {
    const host = await this.#loadHost();
    let devices: USBDevice[];
    try {
      devices = await host.getDevices();
    } catch (err) {
      throw new TransportOpenError(
        this.describe(),
        `cannot list USB devices: ${errorMessage(err)}; this needs /sys/bus/usb (a container needs USB passed through)`,
        { cause: err },
      );
    }
    // Watch only once listing works: `usb` 3.x throws from a timer if its hot-plug thread cannot start.
    this.#watch(host);
    const device = devices.find((d) => this.#matches(d));
    if (!device) {
      throw new TransportOpenError(
        this.describe(),
        `no USB probe ${this.#ids()} among ${devices.length} USB devices; plug the probe in (the link opens by itself when it appears) ` +
          'or check vendorId/productId in the configuration',
      );
    }
    try {
      await this.#claim(device);
    } catch (err) {
      await device.close().catch(() => undefined);
      if (err instanceof TransportError) throw err;
      throw new TransportOpenError(
        this.describe(),
        `cannot claim the USB probe: ${errorMessage(err)}; on Linux give this user access with a udev rule ` +
          `(SUBSYSTEM=="usb", ATTR{idVendor}=="${hex4(this.#options.vendorId)}", MODE="0660", GROUP="plugdev") and check no other process holds it`,
        { cause: err },
      );
    }
    this.#device = device;
    this.#readLoop = this.#read(device);
  }

  async #claim(device: USBDevice): Promise<void> {
    const o = this.#options;
    const configurationValue = o.configurationValue ?? 1;
    const interfaceNumber = o.interfaceNumber ?? 0;
    await device.open();
    // Re-selecting the active configuration resets the device on some hosts: only change it.
    if (device.configuration?.configurationValue !== configurationValue) await device.selectConfiguration(configurationValue);
    await device.claimInterface(interfaceNumber);
    const iface = device.configuration?.interfaces.find((i) => i.interfaceNumber === interfaceNumber);
    const endpoints = iface?.alternate.endpoints ?? [];
    const pick = (direction: USBDirection, wanted: number | undefined): USBEndpoint | undefined =>
      endpoints.find((e) => e.type === 'bulk' && e.direction === direction && (wanted === undefined || e.endpointNumber === wanted));
    const epIn = pick('in', o.endpointIn);
    const epOut = pick('out', o.endpointOut);
    if (!epIn || !epOut) {
      const found = endpoints.map((e) => `${e.type} ${e.direction} ${e.endpointNumber}`).join(', ') || 'none';
      throw new TransportOpenError(
        this.describe(),
        `USB interface ${interfaceNumber} has no bulk IN ${o.endpointIn ?? '(any)'} / bulk OUT ${o.endpointOut ?? '(any)'} endpoint ` +
          `(it has: ${found}); fix interfaceNumber/endpointIn/endpointOut in the configuration`,
      );
    }
    this.#endpointIn = epIn.endpointNumber;
    this.#endpointOut = epOut.endpointNumber;
    this.#transferBytes = Math.ceil((o.transferSizeBytes ?? DEFAULT_TRANSFER_BYTES) / epIn.packetSize) * epIn.packetSize;
  }

  /** One IN transfer outstanding at a time: `usb` 3.x cannot share an endpoint between transfers. */
  async #read(device: USBDevice): Promise<void> {
    const transferIn = device.transferIn as TransferIn;
    const timeoutMs = this.#options.transferTimeoutMs ?? DEFAULT_TRANSFER_TIMEOUT_MS;
    while (this.#device === device) {
      let result: USBInTransferResult;
      try {
        result = await transferIn.call(device, this.#endpointIn, this.#transferBytes, timeoutMs);
      } catch (err) {
        if (this.#device !== device) return; // closed by us
        if (isTransferTimeout(err)) continue;
        if (isStall(err) && (await this.#clearHalt(device, 'in'))) continue;
        this.lost(err);
        return;
      }
      if (this.#device !== device) return;
      if (result.status === 'stall') {
        if (await this.#clearHalt(device, 'in')) continue;
        return;
      }
      // 'babble' (the device sent more than asked): the excess is gone; the decoder resyncs.
      const data = result.data;
      if (data && data.byteLength > 0) this.received(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      else await yieldToEventLoop(); // never spin on empty completions
    }
  }

  async #clearHalt(device: USBDevice, direction: USBDirection): Promise<boolean> {
    try {
      await device.clearHalt(direction, direction === 'in' ? this.#endpointIn : this.#endpointOut);
      return true;
    } catch (err) {
      this.lost(err);
      return false;
    }
  }

  protected async writeLink(bytes: Buffer): Promise<void> {
    const device = this.#device!;
    const transferOut = device.transferOut as TransferOut;
    const data = new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
    const result = await transferOut.call(device, this.#endpointOut, data, this.#options.transferTimeoutMs ?? DEFAULT_TRANSFER_TIMEOUT_MS);
    if (result.status === 'stall') {
      await device.clearHalt('out', this.#endpointOut);
      throw new TransportError(this.describe(), `the probe stalled bulk OUT endpoint ${this.#endpointOut}; the halt was cleared, send again`);
    }
    if (result.bytesWritten !== bytes.length) {
      throw new TransportError(this.describe(), `bulk OUT wrote ${result.bytesWritten} of ${bytes.length} bytes; send again`);
    }
  }

  protected async closeLink(): Promise<void> {
    const device = this.#device;
    this.#device = null; // tells the read loop to stop
    if (!device) return;
    await device.releaseInterface(this.#options.interfaceNumber ?? 0).catch(() => undefined);
    await device.close().catch(() => undefined);
    // Bounded by transferTimeoutMs: the outstanding IN transfer ends (or is aborted by close).
    await this.#readLoop;
    this.#readLoop = null;
  }

  #matches(d: USBDevice): boolean {
    const o = this.#options;
    return d.vendorId === o.vendorId && d.productId === o.productId && (o.serialNumber === undefined || d.serialNumber === o.serialNumber);
  }

  readonly #onConnect = (ev: USBConnectionEvent): void => {
    if (this.#matches(ev.device)) this.emit('attach');
  };

  readonly #onDisconnect = (ev: USBConnectionEvent): void => {
    // `usb` 3.x hands out a different object for the same device in events, hence the id match.
    const ours = this.#device;
    if (ours && (ev.device === ours || this.#matches(ev.device))) this.lost(new Error('USB probe unplugged'));
  };

  #watch(host: UsbHost): void {
    if (this.#watching) return;
    host.addEventListener('connect', this.#onConnect);
    host.addEventListener('disconnect', this.#onDisconnect);
    this.#watching = true;
  }

  #unwatch(): void {
    if (!this.#watching || !this.#host) return;
    this.#host.removeEventListener('connect', this.#onConnect);
    this.#host.removeEventListener('disconnect', this.#onDisconnect);
    this.#watching = false;
  }

  async #loadHost(): Promise<UsbHost> {
    if (this.#host) return this.#host;
    try {
      const { WebUSB } = await import('usb');
      this.#host = new WebUSB({ allowAllDevices: true });
      return this.#host;
    } catch (err) {
      throw new TransportOpenError(
        this.describe(),
        `the usb package could not load its native module: ${errorMessage(err)}; reinstall dependencies on this machine (npm ci)`,
        { cause: err },
      );
    }
  }
}
