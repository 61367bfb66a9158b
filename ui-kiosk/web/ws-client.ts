import { decodeFrame, type DecodedKioskFrame, type KioskControl, type KioskFindings } from './protocol.js';

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface KioskConnectionHandlers {
  onFrame(frame: DecodedKioskFrame): void;
  onStatus(status: unknown): void;
  /** One frame's findings (decision support), tagged with its frame's seq. */
  onFindings?(findings: KioskFindings): void;
  onServerError(message: string): void;
  onConnectionChange(state: ConnectionState): void;
}

export interface ReconnectBackoff {
  /** First retry delay (default 250 ms); doubles per failed attempt. */
  initialMs: number;
  /** Upper bound (default 4 s) so the kiosk recovers soon after the device app restarts. */
  maxMs: number;
}

/** The page's WebSocket to the kiosk server, reconnecting forever with capped backoff. */
export class KioskConnection {
  private socket: WebSocket | undefined;
  private retryMs: number;
  private retryTimer: number | undefined;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly handlers: KioskConnectionHandlers,
    private readonly backoff: ReconnectBackoff = { initialMs: 250, maxMs: 4000 },
  ) {
    this.retryMs = backoff.initialMs;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    window.clearTimeout(this.retryTimer);
    this.socket?.close();
  }

  /** False when not connected: the caller must not assume the device got the command. */
  send(control: KioskControl): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(control));
    return true;
  }

  private connect(): void {
    this.handlers.onConnectionChange('connecting');
    const socket = new WebSocket(this.url);
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    socket.onopen = () => {
      this.retryMs = this.backoff.initialMs;
      this.handlers.onConnectionChange('open');
    };
    socket.onmessage = (event: MessageEvent<unknown>) => this.handleMessage(event.data);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.handlers.onConnectionChange('closed');
      if (!this.stopped) this.scheduleReconnect();
    };
    // An error is always followed by close, which handles the retry.
    socket.onerror = () => undefined;
  }

  private scheduleReconnect(): void {
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, this.backoff.maxMs);
    this.retryTimer = window.setTimeout(() => this.connect(), delay);
  }

  private handleMessage(data: unknown): void {
    if (data instanceof ArrayBuffer) {
      let frame: DecodedKioskFrame;
      try {
        frame = decodeFrame(data);
      } catch (err) {
        console.warn('kiosk: dropped malformed frame:', err);
        return;
      }
      this.handlers.onFrame(frame);
      return;
    }
    if (typeof data !== 'string') return;
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      console.warn('kiosk: server sent non-JSON text');
      return;
    }
    const m = (typeof message === 'object' && message !== null ? message : {}) as Record<string, unknown>;
    if (m['type'] === 'status') this.handlers.onStatus(m['status']);
    else if (m['type'] === 'findings' && typeof m['findings'] === 'object' && m['findings'] !== null) this.handlers.onFindings?.(m['findings'] as KioskFindings);
    else if (m['type'] === 'error' && typeof m['message'] === 'string') this.handlers.onServerError(m['message']);
  }
}
