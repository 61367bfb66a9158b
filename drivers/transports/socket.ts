/**
 * Socket transport: a client to a simulated probe listening on a Unix-domain socket
 * (`unix:/path`) or TCP (`tcp:host:port`). The same bytes as on USB or serial.
 */
import net from 'node:net';
import { TransportConfigError, TransportOpenError, errorMessage } from './errors.js';
import type { SocketTransportSpec } from './transport.js';
import { TransportBase } from './transport-base.js';

export type SocketAddress = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

/** Parses `unix:/path` or `tcp:host:port` (IPv6 as `tcp:[::1]:9000`). Throws TransportConfigError. */
export function parseSocketAddress(address: string): SocketAddress {
  if (address.startsWith('unix:') && address.length > 'unix:'.length) return { kind: 'unix', path: address.slice('unix:'.length) };
  const tcp = /^tcp:(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(address);
  if (tcp) {
    const port = Number(tcp[2]);
    if (port >= 1 && port <= 65535) return { kind: 'tcp', host: tcp[1]!.replace(/^\[|\]$/g, ''), port };
  }
  throw new TransportConfigError(
    `socket ${address}`,
    `socket address ${JSON.stringify(address)} is not "unix:/path/to.sock" or "tcp:host:port"; fix probe.transport.address in the configuration`,
  );
}

export class SocketTransport extends TransportBase {
  readonly address: string;
  readonly #target: SocketAddress;
  #socket: net.Socket | null = null;

  constructor(spec: Omit<SocketTransportSpec, 'kind'>) {
    super();
    this.address = spec.address;
    this.#target = parseSocketAddress(spec.address);
  }

  describe(): string {
    return `socket ${this.address}`;
  }

  protected async openLink(): Promise<void> {
    const t = this.#target;
    const socket = t.kind === 'unix' ? net.createConnection({ path: t.path }) : net.createConnection({ host: t.host, port: t.port });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      });
    } catch (err) {
      socket.destroy();
      throw new TransportOpenError(
        this.describe(),
        `cannot connect to the probe at ${this.address}: ${errorMessage(err)}; is the simulated probe running ` +
          `(\`pleura sim --listen ${this.address}\`) and listening on that address?`,
        { cause: err },
      );
    }
    socket.removeAllListeners('error');
    if (t.kind === 'tcp') socket.setNoDelay(true); // control messages are small and latency-bound
    let failure: Error | undefined;
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('error', (err) => {
      failure = err; // 'close' follows; report there, once
    });
    socket.on('close', () => this.lost(failure ?? new Error('the probe closed the connection')));
    this.#socket = socket;
  }

  protected writeLink(bytes: Buffer): Promise<void> {
    const socket = this.#socket!;
    // The callback fires once the bytes are flushed to the kernel: that is the back-pressure.
    return new Promise<void>((resolve, reject) => {
      socket.write(bytes, (err) => (err ? reject(err) : resolve()));
    });
  }

  protected async closeLink(): Promise<void> {
    const socket = this.#socket;
    this.#socket = null;
    if (!socket) return;
    socket.removeAllListeners('data');
    socket.removeAllListeners('close');
    socket.removeAllListeners('error');
    socket.on('error', () => undefined);
    if (socket.destroyed) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }
}
