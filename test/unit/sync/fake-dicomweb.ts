/**
 * A small in-process DICOMweb server for sync tests: STOW-RS (keeps instances by SOP Instance
 * UID, like a PACS that ignores duplicates), QIDO-RS instance search, and switches to misbehave
 * (fail with a status, store but drop the connection before answering, require a bearer token).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readPart10 } from '../../../device/dicom/part10.js';

export interface FakeDicomWeb {
  url: string;
  /** SOP Instance UID → bytes stored. */
  instances: Map<string, Buffer>;
  stowRequests: number;
  qidoRequests: number;
  /** Answer the next N STOW requests with this status. */
  failNext(n: number, status: number): void;
  /** Store the next N STOW bodies, then drop the connection without answering (a lost acknowledgement). */
  dropAfterStore(n: number): void;
  /** QIDO finds nothing for the next N searches (an index that lags). */
  hideNext(n: number): void;
  /** Every request's raw body, for byte scans. */
  bodies: Buffer[];
  close(): Promise<void>;
}

function extractParts(body: Buffer, contentType: string): Buffer[] {
  const boundary = /boundary=("?)([^";]+)\1/.exec(contentType)?.[2];
  if (!boundary) return [];
  const parts: Buffer[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const next = body.indexOf(delimiter, at + delimiter.length);
    if (next < 0) break;
    const part = body.subarray(at + delimiter.length + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd >= 0) parts.push(part.subarray(headerEnd + 4));
    at = next;
  }
  return parts;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

export async function startFakeDicomWeb(o: { bearer?: () => string | null } = {}): Promise<FakeDicomWeb> {
  let failCount = 0;
  let failStatus = 503;
  let dropCount = 0;
  let hideCount = 0;
  const fake: Omit<FakeDicomWeb, 'url' | 'close'> = {
    instances: new Map(),
    stowRequests: 0,
    qidoRequests: 0,
    bodies: [],
    failNext(n, status) {
      failCount = n;
      failStatus = status;
    },
    dropAfterStore(n) {
      dropCount = n;
    },
    hideNext(n) {
      hideCount = n;
    },
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      fake.bodies.push(Buffer.concat([Buffer.from(`${req.method} ${req.url}\n${JSON.stringify(req.headers)}\n`), body]));
      const expected = o.bearer?.();
      if (expected !== undefined && req.headers.authorization !== `Bearer ${expected}`) {
        res.writeHead(401).end();
        return;
      }
      const url = new URL(req.url ?? '/', 'http://x');
      if (req.method === 'POST' && url.pathname === '/dicom-web/studies') {
        fake.stowRequests++;
        if (failCount > 0) {
          failCount--;
          res.writeHead(failStatus).end('busy');
          return;
        }
        const referenced: unknown[] = [];
        for (const part of extractParts(body, String(req.headers['content-type']))) {
          const ds = readPart10(part);
          const sop = String(ds.SOPInstanceUID);
          if (!fake.instances.has(sop)) fake.instances.set(sop, Buffer.from(part));
          referenced.push({ '00081150': { vr: 'UI', Value: [ds.SOPClassUID] }, '00081155': { vr: 'UI', Value: [sop] } });
        }
        if (dropCount > 0) {
          dropCount--;
          req.socket.destroy();
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/dicom+json' });
        res.end(JSON.stringify({ '00081199': { vr: 'SQ', Value: referenced } }));
        return;
      }
      const m = /^\/dicom-web\/studies\/([\d.]+)\/series\/([\d.]+)\/instances$/.exec(url.pathname);
      if (req.method === 'GET' && m) {
        fake.qidoRequests++;
        const sop = url.searchParams.get('SOPInstanceUID');
        const hide = hideCount > 0;
        if (hide) hideCount--;
        const hits = [...fake.instances.entries()]
          .filter(([uid, bytes]) => !hide && (!sop || uid === sop) && readPart10(bytes).SeriesInstanceUID === m[2])
          .map(([uid]) => ({ '00080018': { vr: 'UI', Value: [uid] } }));
        res.writeHead(200, { 'Content-Type': 'application/dicom+json' });
        res.end(JSON.stringify(hits));
        return;
      }
      res.writeHead(404).end();
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    ...fake,
    get stowRequests() {
      return fake.stowRequests;
    },
    get qidoRequests() {
      return fake.qidoRequests;
    },
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
