/**
 * A fake of the W3C WebUSB boundary: `FakeUsbDevice` implements USBDevice (bulk transfers on a
 * vendor interface with one bulk IN and one bulk OUT endpoint), `FakeWebUsb` the parts of
 * navigator.usb / `usb`'s WebUSB that the transport uses, with connect/disconnect events.
 * The "probe" side pushes bytes with `send()` and sees what the host wrote in `written` (or via
 * `onHostWrite`). It follows the spec where it matters to the transport: transfers fail when the
 * device is closed or gone, close() aborts a pending transferIn, and at most the requested
 * length is returned per transfer.
 */

class DomLikeError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

export interface FakeUsbDeviceOptions {
  vendorId?: number;
  productId?: number;
  serialNumber?: string | null;
  packetSize?: number;
  endpointIn?: number;
  endpointOut?: number;
}

export class FakeUsbDevice implements USBDevice {
  readonly usbVersionMajor = 2;
  readonly usbVersionMinor = 0;
  readonly usbVersionSubminor = 0;
  readonly deviceClass = 0;
  readonly deviceSubclass = 0;
  readonly deviceProtocol = 0;
  readonly deviceVersionMajor = 1;
  readonly deviceVersionMinor = 0;
  readonly deviceVersionSubminor = 0;
  readonly manufacturerName = 'Pleura';
  readonly productName = 'Fake probe';
  readonly vendorId: number;
  readonly productId: number;
  readonly serialNumber: string | null;
  readonly configurations: USBConfiguration[];
  configuration: USBConfiguration | null = null;
  opened = false;

  /** Probe side: what the host wrote, per OUT transfer. */
  readonly written: Buffer[] = [];
  onHostWrite: ((bytes: Buffer) => void) | null = null;
  /** Every transferIn length requested. */
  readonly inRequests: number[] = [];
  /** transferIn calls made while another was outstanding (usb 3.x fails those). */
  overlappingIn = 0;
  /** Queued rejections for the next transferIn calls (to script timeouts and stalls). */
  readonly failNextIn: Error[] = [];
  readonly haltsCleared: string[] = [];

  #claimed = new Set<number>();
  #toHost: Buffer[] = [];
  #pendingIn: { length: number; resolve: (r: USBInTransferResult) => void; reject: (e: Error) => void } | null = null;
  #gone = false;

  constructor(options: FakeUsbDeviceOptions = {}) {
    this.vendorId = options.vendorId ?? 0x1209;
    this.productId = options.productId ?? 0x5052;
    this.serialNumber = options.serialNumber ?? 'FAKE-0001';
    const packetSize = options.packetSize ?? 512;
    const endpoints: USBEndpoint[] = [
      { endpointNumber: options.endpointIn ?? 1, direction: 'in', type: 'bulk', packetSize },
      { endpointNumber: options.endpointOut ?? 2, direction: 'out', type: 'bulk', packetSize },
      { endpointNumber: 3, direction: 'in', type: 'interrupt', packetSize: 64 },
    ];
    const alternate: USBAlternateInterface = {
      alternateSetting: 0,
      interfaceClass: 0xff,
      interfaceSubclass: 0,
      interfaceProtocol: 0,
      interfaceName: 'pleura-probe',
      endpoints,
    };
    const iface: USBInterface = { interfaceNumber: 0, alternate, alternates: [alternate], claimed: false };
    this.configurations = [{ configurationValue: 1, configurationName: null, interfaces: [iface] }];
  }

  // ---- probe side ----

  send(bytes: Buffer): void {
    this.#toHost.push(bytes);
    this.#serveIn();
  }

  /** The cable is pulled: pending and later transfers fail. */
  unplug(): void {
    this.#gone = true;
    this.opened = false;
    this.#failPending(new DomLikeError('NotFoundError', 'transferIn error: Disconnected'));
  }

  get claimedInterfaces(): number[] {
    return [...this.#claimed];
  }

  // ---- USBDevice ----

  async open(): Promise<void> {
    this.#check(false);
    this.opened = true;
  }

  async close(): Promise<void> {
    this.opened = false;
    this.#claimed.clear();
    this.#failPending(new DomLikeError('AbortError', 'transferIn error: device closed'));
  }

  async forget(): Promise<void> {
    await this.close();
  }

  async selectConfiguration(configurationValue: number): Promise<void> {
    this.#check(true);
    const c = this.configurations.find((x) => x.configurationValue === configurationValue);
    if (!c) throw new DomLikeError('NotFoundError', `no configuration ${configurationValue}`);
    this.configuration = c;
  }

  async claimInterface(interfaceNumber: number): Promise<void> {
    this.#check(true);
    if (!this.configuration?.interfaces.some((i) => i.interfaceNumber === interfaceNumber)) {
      throw new DomLikeError('NotFoundError', `no interface ${interfaceNumber}`);
    }
    this.#claimed.add(interfaceNumber);
  }

  async releaseInterface(interfaceNumber: number): Promise<void> {
    this.#check(true);
    this.#claimed.delete(interfaceNumber);
  }

  async selectAlternateInterface(): Promise<void> {
    this.#check(true);
  }

  async controlTransferIn(): Promise<USBInTransferResult> {
    throw new DomLikeError('NotSupportedError', 'the fake probe has no control requests');
  }

  async controlTransferOut(): Promise<USBOutTransferResult> {
    throw new DomLikeError('NotSupportedError', 'the fake probe has no control requests');
  }

  async clearHalt(direction: USBDirection, endpointNumber: number): Promise<void> {
    this.#check(true);
    this.haltsCleared.push(`${direction} ${endpointNumber}`);
  }

  transferIn(endpointNumber: number, length: number): Promise<USBInTransferResult> {
    try {
      this.#checkEndpoint(endpointNumber, 'in');
    } catch (err) {
      return Promise.reject(err);
    }
    this.inRequests.push(length);
    const scripted = this.failNextIn.shift();
    if (scripted) return Promise.reject(scripted);
    if (this.#pendingIn) {
      this.overlappingIn++;
      return Promise.reject(new DomLikeError('InvalidStateError', 'transferIn error: endpoint busy'));
    }
    return new Promise((resolve, reject) => {
      this.#pendingIn = { length, resolve, reject };
      this.#serveIn();
    });
  }

  async transferOut(endpointNumber: number, data: BufferSource): Promise<USBOutTransferResult> {
    this.#checkEndpoint(endpointNumber, 'out');
    const view = ArrayBuffer.isView(data) ? data : new Uint8Array(data);
    const bytes = Buffer.from(new Uint8Array(view.buffer, view.byteOffset, view.byteLength)); // copy, as the wire would
    this.written.push(bytes);
    queueMicrotask(() => this.onHostWrite?.(bytes));
    return { bytesWritten: bytes.length, status: 'ok' };
  }

  async isochronousTransferIn(): Promise<USBIsochronousInTransferResult> {
    throw new DomLikeError('NotSupportedError', 'no isochronous endpoints');
  }

  async isochronousTransferOut(): Promise<USBIsochronousOutTransferResult> {
    throw new DomLikeError('NotSupportedError', 'no isochronous endpoints');
  }

  async reset(): Promise<void> {
    this.#check(true);
  }

  #serveIn(): void {
    const p = this.#pendingIn;
    if (!p || this.#toHost.length === 0) return;
    this.#pendingIn = null;
    const head = this.#toHost[0]!;
    const n = Math.min(head.length, p.length);
    if (n === head.length) this.#toHost.shift();
    else this.#toHost[0] = head.subarray(n);
    // Like a real stack, hand out a fresh buffer the transport may keep.
    const out = new Uint8Array(n);
    out.set(head.subarray(0, n));
    setImmediate(() => p.resolve({ status: 'ok', data: new DataView(out.buffer) }));
  }

  #failPending(err: Error): void {
    const p = this.#pendingIn;
    this.#pendingIn = null;
    p?.reject(err);
  }

  #check(mustBeOpen: boolean): void {
    if (this.#gone) throw new DomLikeError('NotFoundError', 'device disconnected');
    if (mustBeOpen && !this.opened) throw new DomLikeError('InvalidStateError', 'device not open');
  }

  #checkEndpoint(endpointNumber: number, direction: USBDirection): void {
    this.#check(true);
    const iface = this.configuration?.interfaces.find((i) => this.#claimed.has(i.interfaceNumber));
    if (!iface) throw new DomLikeError('InvalidStateError', 'interface not claimed');
    if (!iface.alternate.endpoints.some((e) => e.endpointNumber === endpointNumber && e.direction === direction)) {
      throw new DomLikeError('NotFoundError', `no ${direction} endpoint ${endpointNumber}`);
    }
  }
}

class FakeConnectionEvent extends Event {
  constructor(
    type: 'connect' | 'disconnect',
    readonly device: USBDevice,
  ) {
    super(type);
  }
}

type ConnectionListener = (ev: USBConnectionEvent) => void;

/** The `navigator.usb`-like host: a device list and connect/disconnect events. */
export class FakeWebUsb {
  readonly devices: FakeUsbDevice[] = [];
  readonly #listeners = { connect: new Set<ConnectionListener>(), disconnect: new Set<ConnectionListener>() };
  failGetDevices: Error | null = null;

  get listenerCount(): number {
    return this.#listeners.connect.size + this.#listeners.disconnect.size;
  }

  async getDevices(): Promise<USBDevice[]> {
    if (this.failGetDevices) throw this.failGetDevices;
    return [...this.devices];
  }

  addEventListener(type: 'connect' | 'disconnect', listener: ConnectionListener): void {
    this.#listeners[type].add(listener);
  }

  removeEventListener(type: 'connect' | 'disconnect', listener: ConnectionListener): void {
    this.#listeners[type].delete(listener);
  }

  plug(device: FakeUsbDevice): void {
    this.devices.push(device);
    this.#dispatch('connect', device);
  }

  unplug(device: FakeUsbDevice): void {
    this.devices.splice(this.devices.indexOf(device), 1);
    device.unplug();
    this.#dispatch('disconnect', device);
  }

  #dispatch(type: 'connect' | 'disconnect', device: USBDevice): void {
    const ev = new FakeConnectionEvent(type, device);
    for (const l of this.#listeners[type]) l(ev);
  }
}
