/**
 * A stand-in for the Delft Imaging cloud in tests: an OAuth2 token endpoint (client
 * credentials, short-lived tokens) and a DICOMweb endpoint that accepts only a valid, unexpired
 * bearer token and forwards to Orthanc. It records every token it saw so tests can check that
 * none was used after it expired. The contract it plays is in docs/sync.md.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OrthancServer } from './orthanc.js';

export interface CloudGateway {
  tokenUrl: string;
  dicomWebUrl: string;
  clientId: string;
  clientSecret: string;
  tokensIssued: number;
  /** Requests refused because their token had expired or was unknown. */
  refused: number;
  requests: number;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

export async function startCloudGateway(pacs: OrthancServer, tokenLifetimeS: number): Promise<CloudGateway> {
  const clientId = 'pleura-device-0007';
  const clientSecret = 'cs-' + Math.random().toString(36).slice(2);
  const tokens = new Map<string, number>(); // token → expires at (ms)
  const basic = 'Basic ' + Buffer.from(`${pacs.user}:${pacs.password}`).toString('base64');
  const state = { tokensIssued: 0, refused: 0, requests: 0 };
  const server = createServer((req, res) => {
    void (async () => {
      const payload = await body(req);
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/oauth/token' && req.method === 'POST') {
        const form = new URLSearchParams(payload.toString());
        const expected = 'Basic ' + Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64');
        if (form.get('grant_type') !== 'client_credentials' || req.headers.authorization !== expected) {
          res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'invalid_client' }));
          return;
        }
        const token = `at-${++state.tokensIssued}-${Math.random().toString(36).slice(2)}`;
        tokens.set(token, Date.now() + tokenLifetimeS * 1000);
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: tokenLifetimeS }));
        return;
      }
      if (url.pathname.startsWith('/dicom-web/')) {
        state.requests++;
        const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        const expiresAt = token ? tokens.get(token) : undefined;
        if (!expiresAt || expiresAt < Date.now()) {
          state.refused++;
          res.writeHead(401, { 'WWW-Authenticate': 'Bearer error="invalid_token"' }).end();
          return;
        }
        const headers: Record<string, string> = { Authorization: basic };
        for (const h of ['content-type', 'accept']) if (req.headers[h]) headers[h] = String(req.headers[h]);
        const upstream = await fetch(pacs.url + url.pathname + url.search, { method: req.method ?? 'GET', headers, ...(payload.length ? { body: new Uint8Array(payload) } : {}) });
        const out = Buffer.from(await upstream.arrayBuffer());
        res.writeHead(upstream.status, { 'Content-Type': upstream.headers.get('content-type') ?? 'application/octet-stream' }).end(out);
        return;
      }
      res.writeHead(404).end();
    })().catch(() => res.writeHead(502).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    tokenUrl: `${base}/oauth/token`,
    dicomWebUrl: `${base}/dicom-web`,
    clientId,
    clientSecret,
    get tokensIssued() {
      return state.tokensIssued;
    },
    get refused() {
      return state.refused;
    },
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
