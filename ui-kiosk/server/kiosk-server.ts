import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import {
  encodeFrame,
  encodedFrameBytes,
  nowEpochMs,
  type KioskControl,
  type KioskFindings,
  type KioskFrame,
  type KioskServerMessage,
} from '../web/protocol.js';
import { parseControlMessage } from './control-validation.js';
import { FrameBufferPool } from './frame-buffer-pool.js';
import { defaultStaticRoots, loadStaticFile, type StaticRoots } from './static-files.js';

export type { KioskControl, KioskDeviceStatus, KioskFindings, KioskFrame } from '../web/protocol.js';

/** What a JSON route sees of the request. */
export interface KioskRequest {
  query: URLSearchParams;
  /** The request's headers (e.g. the maintenance page's `Authorization: Bearer` session token). */
  headers?: IncomingHttpHeaders;
}

/** A JSON GET route, e.g. the device app's `/api/status`; return a TextResponse or BinaryResponse for anything else. */
export type KioskRoute = (req: KioskRequest) => unknown | Promise<unknown>;

/** A non-JSON body for a GET route (e.g. Prometheus metrics). */
export class TextResponse {
  constructor(
    readonly contentType: string,
    readonly body: string,
  ) {}
}

/**
 * A binary body for a GET route (e.g. one frame for cine review, in the WebSocket frame format).
 * Sent with its Content-Length and, like every answer, `Cache-Control: no-store`.
 */
export class BinaryResponse {
  constructor(
    readonly contentType: string,
    readonly body: Uint8Array,
  ) {}
}

/**
 * A JSON POST route: `run` validates the body and handles it. Build one with {@link postRoute},
 * which keeps the validated type between the two.
 */
export interface KioskPostRoute {
  run(body: unknown, req: KioskRequest): Promise<unknown>;
}

/** An error a route throws to answer with this HTTP status and message (JSON `{ "error": … }`). */
export class KioskHttpError extends Error {
  override name = 'KioskHttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A POST route from a validator and a handler. Anything `parse` throws becomes a 400 with its
 * message; a handler error with a numeric `status` (400–599) keeps it, any other is a 500.
 */
export function postRoute<T>(parse: (body: unknown) => T, handle: (input: T, req: KioskRequest) => unknown | Promise<unknown>): KioskPostRoute {
  return {
    async run(body, req) {
      let input: T;
      try {
        input = parse(body);
      } catch (err) {
        throw new KioskHttpError(400, errorMessage(err));
      }
      return handle(input, req);
    },
  };
}

export interface KioskServerOptions {
  host: string;
  /** 0 picks a free port; the real one is in the URL `start()` returns. */
  port: number;
  /** Exact pathname → JSON handler. Checked before static files. */
  routes?: Record<string, KioskRoute>;
  /** Exact pathname → JSON POST handler (body: `application/json`, at most `maxBodyBytes`). */
  postRoutes?: Record<string, KioskPostRoute>;
  /** Largest POST body accepted (default 64 KiB); larger ones get 413. */
  maxBodyBytes?: number;
  /**
   * A client is skipped for a frame while more than this many frames' worth of bytes is still
   * queued to it (newest frame wins). Default 1, so at most ~2 frames sit in a client's buffer.
   */
  maxQueuedFrames?: number;
  /** Called once per frame that went to at least one client; see {@link KioskServer.onFrameSent}. */
  onFrameSent?: (seq: number, sentAtMs: number) => void;
  /** Ping interval to find dead clients (default 15 s). */
  heartbeatIntervalMs?: number;
  /** Override where page files are read from (default: next to this module, see static-files.ts). */
  staticRoots?: StaticRoots;
}

export interface KioskClientStats {
  id: number;
  remoteAddress: string;
  framesSent: number;
  framesDropped: number;
  bufferedBytes: number;
}

export interface KioskServerStats {
  clients: number;
  framesPublished: number;
  /** Frame messages handed to ws.send, summed over clients (including ones since disconnected). */
  framesSent: number;
  /** Frames skipped for slow clients, summed over clients (including ones since disconnected). */
  framesDropped: number;
  /** Findings messages published, and skipped for clients that were behind. */
  findingsPublished: number;
  findingsDropped: number;
  perClient: KioskClientStats[];
}

interface KioskClient {
  id: number;
  ws: WebSocket;
  remoteAddress: string;
  framesSent: number;
  framesDropped: number;
  /** The latest status could not be sent (client buffer full); send it when there is room. */
  statusPending: boolean;
  alive: boolean;
}

/** Incoming control messages are tiny; anything bigger is not from our page. */
const MAX_INCOMING_MESSAGE_BYTES = 4096;
/** Text messages (status/errors) are held back from a client with more than this queued. */
const TEXT_BACKPRESSURE_BYTES = 256 * 1024;
/** While a client's status is held back, re-check this often (frames may have stopped, e.g. frozen). */
const STATUS_RETRY_MS = 100;

/**
 * Serves the kiosk page and streams frames/status to it over one WebSocket (/ws).
 *
 * @example
 * const kiosk = new KioskServer({ host: '127.0.0.1', port: 8080, routes: { '/api/status': () => app.status() } });
 * const { url } = await kiosk.start();
 * kiosk.onControl((cmd) => app.apply(cmd));
 * pipeline.on('frame', (f) => kiosk.publishFrame(f));
 * await kiosk.stop();
 */
export class KioskServer {
  /**
   * Hook for frame-complete → WebSocket-sent latency: called with the frame's seq and the epoch
   * time (ms, `performance.timeOrigin + performance.now()`) at which it was handed to ws.send.
   * The same time is in the frame header (sentAtMs).
   */
  onFrameSent?: (seq: number, sentAtMs: number) => void;

  private readonly host: string;
  private readonly port: number;
  private readonly routes: Map<string, KioskRoute>;
  private readonly postRoutes: Map<string, KioskPostRoute>;
  private readonly maxBodyBytes: number;
  private readonly maxQueuedFrames: number;
  private readonly heartbeatIntervalMs: number;
  private readonly staticRoots: StaticRoots;
  private readonly pool = new FrameBufferPool();
  private readonly controlHandlers = new Set<(cmd: KioskControl) => void>();
  private readonly clients = new Set<KioskClient>();
  private readonly sockets = new Set<Socket>();

  private server: Server | undefined;
  private wss: WebSocketServer | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private statusRetry: NodeJS.Timeout | undefined;
  private latestStatusText: string | undefined;
  private nextClientId = 1;
  private framesPublished = 0;
  private framesSentTotal = 0;
  private framesDroppedTotal = 0;
  private findingsPublished = 0;
  private findingsDropped = 0;

  constructor(opts: KioskServerOptions) {
    this.host = opts.host;
    this.port = opts.port;
    this.routes = new Map(Object.entries(opts.routes ?? {}));
    this.postRoutes = new Map(Object.entries(opts.postRoutes ?? {}));
    this.maxBodyBytes = opts.maxBodyBytes ?? 64 * 1024;
    this.maxQueuedFrames = opts.maxQueuedFrames ?? 1;
    this.heartbeatIntervalMs = opts.heartbeatIntervalMs ?? 15_000;
    this.staticRoots = opts.staticRoots ?? defaultStaticRoots();
    if (opts.onFrameSent) this.onFrameSent = opts.onFrameSent;
  }

  async start(): Promise<{ url: string }> {
    if (this.server) throw new Error('KioskServer is already started; call stop() first');
    const server = createServer((req, res) => {
      this.handleRequest(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    const wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      maxPayload: MAX_INCOMING_MESSAGE_BYTES,
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.on('upgrade', (req, socket, head) => this.handleUpgrade(wss, req, socket, head));

    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.wss = wss;
    this.heartbeat = setInterval(() => this.checkHeartbeats(), this.heartbeatIntervalMs);
    this.heartbeat.unref();
    return { url: this.urlFor(server.address() as AddressInfo) };
  }

  /** Closes every client and HTTP socket and the listener. Safe to call twice. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    clearTimeout(this.statusRetry);
    this.statusRetry = undefined;
    for (const client of this.clients) client.ws.terminate();
    this.clients.clear();
    this.wss?.close();
    this.wss = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }

  /** Registers a handler for validated control commands; returns an unsubscribe function. */
  onControl(handler: (cmd: KioskControl) => void): () => void {
    this.controlHandlers.add(handler);
    return () => this.controlHandlers.delete(handler);
  }

  /** Sends a frame to every client that has room; slow clients skip it (counted as dropped). */
  publishFrame(frame: KioskFrame): void {
    this.framesPublished++;
    this.flushPendingStatus();
    if (this.clients.size === 0) return;

    const byteLength = encodedFrameBytes(frame.width, frame.height);
    const buffer = this.pool.acquire(byteLength);
    const sentAtMs = nowEpochMs();
    let message: Uint8Array;
    try {
      message = encodeFrame(frame, sentAtMs, buffer.bytes);
    } catch (err) {
      this.pool.release(buffer);
      throw err;
    }
    const limitBytes = this.maxQueuedFrames * byteLength;
    const releaseOne = (): void => this.pool.release(buffer);
    let sentTo = 0;
    for (const client of this.clients) {
      if (client.ws.readyState !== WebSocket.OPEN) continue;
      if (client.ws.bufferedAmount > limitBytes) {
        client.framesDropped++;
        this.framesDroppedTotal++;
        continue;
      }
      buffer.refs++;
      client.ws.send(message, { binary: true }, releaseOne);
      client.framesSent++;
      sentTo++;
    }
    this.pool.release(buffer);
    this.framesSentTotal += sentTo;
    if (sentTo > 0) this.onFrameSent?.(frame.seq, sentAtMs);
  }

  /** Sends the device status (JSON) to all clients; a client that is behind gets only the latest. */
  publishStatus(status: unknown): void {
    this.latestStatusText = JSON.stringify({ type: 'status', status } satisfies KioskServerMessage);
    for (const client of this.clients) client.statusPending = true;
    this.flushPendingStatus();
  }

  /**
   * Sends one frame's findings (JSON, a few hundred bytes) to every client. A client that is
   * behind skips them: findings belong to a frame and are worthless late (counted).
   */
  publishFindings(findings: KioskFindings): void {
    this.findingsPublished++;
    const text = JSON.stringify({ type: 'findings', findings } satisfies KioskServerMessage);
    for (const client of this.clients) {
      if (client.ws.readyState !== WebSocket.OPEN) continue;
      if (client.ws.bufferedAmount > TEXT_BACKPRESSURE_BYTES) {
        this.findingsDropped++;
        continue;
      }
      client.ws.send(text);
    }
  }

  stats(): KioskServerStats {
    return {
      clients: this.clients.size,
      framesPublished: this.framesPublished,
      framesSent: this.framesSentTotal,
      framesDropped: this.framesDroppedTotal,
      findingsPublished: this.findingsPublished,
      findingsDropped: this.findingsDropped,
      perClient: [...this.clients].map((c) => ({
        id: c.id,
        remoteAddress: c.remoteAddress,
        framesSent: c.framesSent,
        framesDropped: c.framesDropped,
        bufferedBytes: c.ws.bufferedAmount,
      })),
    };
  }

  private async handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://kiosk.invalid');
    } catch {
      res.writeHead(400).end();
      return;
    }
    const pathname = url.pathname;
    const postRoute = this.postRoutes.get(pathname);
    if (req.method === 'POST' && postRoute) {
      await this.handlePost(req, res, pathname, postRoute, { query: url.searchParams, headers: req.headers });
      return;
    }
    if (req.method !== 'GET') {
      const allow = postRoute ? 'POST' : 'GET';
      res.writeHead(405, { Allow: allow, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`only ${allow} is supported\n`);
      return;
    }

    const route = this.routes.get(pathname);
    if (route) {
      await respondJson(res, pathname, () => route({ query: url.searchParams, headers: req.headers }));
      return;
    }

    const file = await loadStaticFile(this.staticRoots, pathname);
    if (!file) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('not found\n');
      return;
    }
    const headers: Record<string, string | number> = {
      'Content-Type': file.contentType,
      'Content-Length': file.body.length,
    };
    if (file.contentType.startsWith('text/html')) {
      // Everything the page needs is same-origin; 'self' covers ws:// to this host in Chromium.
      headers['Content-Security-Policy'] =
        "default-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
    }
    res.writeHead(200, headers);
    res.end(file.body);
  }

  private async handlePost(req: IncomingMessage, res: ServerResponse, pathname: string, route: KioskPostRoute, request: KioskRequest): Promise<void> {
    const fail = (status: number, message: string): void => {
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', Connection: 'close' });
      res.end(JSON.stringify({ error: message }));
    };
    // Another site's page in some browser must not drive the exam workflow.
    if (!sameOrigin(req)) return fail(403, 'cross-origin requests are refused');
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') return fail(415, `send the body as application/json (got "${type || 'nothing'}")`);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.maxBodyBytes) return fail(413, `body of ${declared} bytes is larger than the ${this.maxBodyBytes} bytes allowed`);
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > this.maxBodyBytes) return fail(413, `body is larger than the ${this.maxBodyBytes} bytes allowed`);
        chunks.push(chunk);
      }
    } catch {
      return; // the client went away
    }
    let body: unknown;
    try {
      body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    } catch (err) {
      return fail(400, `body is not valid JSON: ${errorMessage(err)}`);
    }
    await respondJson(res, pathname, () => route.run(body, request));
  }

  private handleUpgrade(wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    let pathname = '';
    try {
      pathname = new URL(req.url ?? '/', 'http://kiosk.invalid').pathname;
    } catch {
      // falls through to 404
    }
    if (pathname !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    if (!sameOrigin(req)) {
      // Another site's page in some browser must not drive the probe.
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => this.addClient(ws, req));
  }

  private addClient(ws: WebSocket, req: IncomingMessage): void {
    if (!this.server) {
      ws.terminate();
      return;
    }
    const client: KioskClient = {
      id: this.nextClientId++,
      ws,
      remoteAddress: `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`,
      framesSent: 0,
      framesDropped: 0,
      statusPending: this.latestStatusText !== undefined,
      alive: true,
    };
    this.clients.add(client);
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('message', (data, isBinary) => this.handleClientMessage(client, data, isBinary));
    // Oversized or invalid frames end up here; ws closes the connection itself.
    ws.on('error', () => ws.terminate());
    ws.on('close', () => this.clients.delete(client));
    this.flushPendingStatus();
  }

  private handleClientMessage(client: KioskClient, data: RawData, isBinary: boolean): void {
    if (isBinary) {
      this.sendText(client, { type: 'error', message: 'binary messages are not accepted; send JSON control commands' });
      return;
    }
    const result = parseControlMessage(rawDataToBuffer(data).toString('utf8'));
    if (!result.ok) {
      this.sendText(client, { type: 'error', message: `rejected control: ${result.error}` });
      return;
    }
    for (const handler of this.controlHandlers) {
      const onFailure = (err: unknown): void =>
        this.sendText(client, { type: 'error', message: `control "${result.control.type}" failed: ${errorMessage(err)}` });
      try {
        // Handlers are typed void, but an async one must not become an unhandled rejection.
        const returned: unknown = handler(result.control);
        if (returned instanceof Promise) returned.catch(onFailure);
      } catch (err) {
        onFailure(err);
      }
    }
  }

  private sendText(client: KioskClient, message: KioskServerMessage): void {
    if (client.ws.readyState !== WebSocket.OPEN) return;
    // A client that does not read must not make us queue replies without bound.
    if (client.ws.bufferedAmount > TEXT_BACKPRESSURE_BYTES) return;
    client.ws.send(JSON.stringify(message));
  }

  private flushPendingStatus(): void {
    const text = this.latestStatusText;
    if (text === undefined) return;
    let heldBack = false;
    for (const client of this.clients) {
      if (!client.statusPending || client.ws.readyState !== WebSocket.OPEN) continue;
      if (client.ws.bufferedAmount > TEXT_BACKPRESSURE_BYTES) {
        heldBack = true;
        continue;
      }
      client.ws.send(text);
      client.statusPending = false;
    }
    if (heldBack && this.statusRetry === undefined && this.server) {
      this.statusRetry = setTimeout(() => {
        this.statusRetry = undefined;
        this.flushPendingStatus();
      }, STATUS_RETRY_MS);
      this.statusRetry.unref();
    }
  }

  private checkHeartbeats(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      if (client.ws.readyState === WebSocket.OPEN) client.ws.ping();
    }
  }

  private urlFor(address: AddressInfo): string {
    let host = address.address;
    if (host === '0.0.0.0') host = '127.0.0.1';
    else if (host === '::') host = '[::1]';
    else if (address.family === 'IPv6') host = `[${host}]`;
    return `http://${host}:${address.port}/`;
  }
}

function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true; // Non-browser clients (device tools, tests) send none.
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

async function respondJson(res: ServerResponse, pathname: string, produce: () => unknown): Promise<void> {
  let body: string;
  try {
    const value = await produce();
    if (value instanceof TextResponse) {
      res.writeHead(200, { 'Content-Type': value.contentType });
      res.end(value.body);
      return;
    }
    if (value instanceof BinaryResponse) {
      res.writeHead(200, { 'Content-Type': value.contentType, 'Content-Length': value.body.byteLength, 'Cache-Control': 'no-store' });
      res.end(value.body);
      return;
    }
    body = JSON.stringify(value ?? null);
  } catch (err) {
    const status = httpStatusOf(err);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ error: status === 500 ? `route ${pathname} failed: ${errorMessage(err)}` : errorMessage(err) }));
    return;
  }
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(body);
}

/** A thrown error's own HTTP status (KioskHttpError, or any error with a 4xx/5xx `status`), else 500. */
function httpStatusOf(err: unknown): number {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599 ? status : 500;
}

function rawDataToBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
