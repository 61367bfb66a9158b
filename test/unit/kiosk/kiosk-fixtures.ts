import { request, type Agent } from 'node:http';
import type { ExecutionContext } from 'ava';
import { WebSocket, type ClientOptions } from 'ws';
import { KioskServer, type KioskServerOptions } from '../../../ui-kiosk/server/kiosk-server.js';
import type { KioskFrame } from '../../../ui-kiosk/web/protocol.js';

export interface RunningKiosk {
  server: KioskServer;
  url: string;
  port: number;
}

/** Starts a kiosk on a free loopback port and stops it when the test ends. */
export async function startKiosk(t: ExecutionContext, opts: Partial<KioskServerOptions> = {}): Promise<RunningKiosk> {
  const server = new KioskServer({ host: '127.0.0.1', port: 0, ...opts });
  const { url } = await server.start();
  t.teardown(() => server.stop());
  return { server, url, port: Number(new URL(url).port) };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** HTTP request with the path sent exactly as given (fetch would normalise "..", "%2e"). */
export function rawRequest(port: number, path: string, method = 'GET', agent: Agent | false = false): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A connected test client that records every text message it receives. */
export interface TestClient {
  ws: WebSocket;
  texts: unknown[];
  nextText(): Promise<unknown>;
}

export async function connectClient(t: ExecutionContext, url: string, options: ClientOptions = {}): Promise<TestClient> {
  const ws = new WebSocket(new URL('/ws', url).href.replace(/^http/, 'ws'), options);
  t.teardown(() => ws.terminate());
  const texts: unknown[] = [];
  const waiters: Array<(msg: unknown) => void> = [];
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const msg: unknown = JSON.parse(String(data));
    const waiter = waiters.shift();
    if (waiter) waiter(msg);
    else texts.push(msg);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    texts,
    nextText: () => texts.length > 0
      ? Promise.resolve(texts.shift())
      : new Promise((resolve) => waiters.push(resolve)),
  };
}

/** Grayscale test frame: a ramp shifted by seq, so consecutive frames differ. */
export function rampFrame(seq: number, width = 64, height = 48): KioskFrame {
  const pixels = new Uint8Array(width * height);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i + seq) & 0xff;
  return { seq, width, height, pixels, mmPerPixel: 0.25, latencyMs: 12.5, fps: 30 };
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `condition` holds, failing after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(10);
  }
}
