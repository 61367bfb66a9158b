/**
 * The DICOMweb calls the outbox and the review poller make: STOW-RS of one instance, QIDO-RS
 * searches, and WADO-RS metadata. Plain fetch; each request is authorized by the destination's
 * {@link AuthProvider}, and a 401 is retried once with fresh credentials.
 */
import type { AuthProvider } from './auth.js';
import { jsonItems, jsonString, TAG, type DicomJsonDataset } from './dicom-json.js';
import { SyncError, SyncHttpError } from './errors.js';
import { multipartRelated } from './multipart.js';
import { pacedBody, TokenBucket } from './token-bucket.js';

export interface StowOutcome {
  /** The server lists the instance as stored (or already stored). */
  stored: boolean;
  /** Failure Reason (0008,1197) when the server lists it as failed. */
  failureReason: number | null;
}

export interface DicomWebOptions {
  /** Base URL of the DICOMweb service, e.g. http://127.0.0.1:8042/dicom-web */
  baseUrl: string;
  auth: AuthProvider;
  bucket: TokenBucket;
  /** Time allowed for a request beyond its upload at the bandwidth limit. */
  timeoutMs: number;
}

export class DicomWebClient {
  private readonly base: string;

  constructor(private readonly opts: DicomWebOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
  }

  /** STOW-RS one instance. Sending an instance the server already holds is harmless. */
  async stow(bytes: Uint8Array, sopUid: string): Promise<StowOutcome> {
    const body = multipartRelated([bytes]);
    const uploadMs = this.opts.bucket.unlimited ? 0 : (body.byteLength / this.opts.bucket.bytesPerSecond) * 1000;
    const res = await this.request('POST', '/studies', {
      headers: { 'Content-Type': body.contentType, Accept: 'application/dicom+json' },
      body: (done) => pacedBody(body.parts, this.opts.bucket, done),
      timeoutMs: this.opts.timeoutMs + uploadMs,
      okStatuses: [200, 202, 409],
    });
    const text = await res.text();
    let json: DicomJsonDataset = {};
    try {
      json = text ? (JSON.parse(text) as DicomJsonDataset) : {};
    } catch {
      throw new SyncError(`STOW-RS answered HTTP ${res.status} with a body that is not DICOM JSON`);
    }
    const referenced = jsonItems(json, TAG.ReferencedSOPSequence).some((i) => jsonString(i, TAG.ReferencedSOPInstanceUID) === sopUid);
    const failed = jsonItems(json, TAG.FailedSOPSequence).find((i) => jsonString(i, TAG.ReferencedSOPInstanceUID) === sopUid);
    const reason = failed ? Number(jsonString(failed, TAG.FailureReason) ?? NaN) : null;
    return { stored: referenced && !failed, failureReason: reason !== null && Number.isFinite(reason) ? reason : failed ? -1 : null };
  }

  /** QIDO-RS for one instance; null when the server does not have it. */
  async findInstance(studyUid: string, seriesUid: string, sopUid: string): Promise<DicomJsonDataset | null> {
    const q = new URLSearchParams({ SOPInstanceUID: sopUid, includefield: TAG.NumberOfFrames });
    const found = await this.search(`/studies/${studyUid}/series/${seriesUid}/instances?${q}`);
    return found.find((i) => jsonString(i, TAG.SOPInstanceUID) === sopUid) ?? null;
  }

  /** Series of a study, optionally of one modality (e.g. SR). */
  async searchSeries(studyUid: string, modality?: string): Promise<DicomJsonDataset[]> {
    const q = modality ? `?${new URLSearchParams({ Modality: modality })}` : '';
    return this.search(`/studies/${studyUid}/series${q}`);
  }

  async searchInstances(studyUid: string, seriesUid: string): Promise<DicomJsonDataset[]> {
    return this.search(`/studies/${studyUid}/series/${seriesUid}/instances`);
  }

  /** WADO-RS metadata of one instance (DICOM JSON, bulk data left out). */
  async metadata(studyUid: string, seriesUid: string, sopUid: string): Promise<DicomJsonDataset | null> {
    const res = await this.request('GET', `/studies/${studyUid}/series/${seriesUid}/instances/${sopUid}/metadata`, {
      headers: { Accept: 'application/dicom+json' },
      okStatuses: [200, 404],
    });
    if (res.status === 404) return null;
    const list = (await res.json()) as DicomJsonDataset[];
    return Array.isArray(list) && list[0] ? list[0] : null;
  }

  private async search(pathAndQuery: string): Promise<DicomJsonDataset[]> {
    const res = await this.request('GET', pathAndQuery, { headers: { Accept: 'application/dicom+json' }, okStatuses: [200, 204, 404] });
    if (res.status !== 200) return []; // 204: no matches; 404: some servers' "no such study"
    const text = await res.text();
    if (!text.trim()) return [];
    const json = JSON.parse(text) as unknown;
    return Array.isArray(json) ? (json as DicomJsonDataset[]) : [];
  }

  async request(
    method: string,
    pathAndQuery: string,
    o: { headers?: Record<string, string>; body?: (done: AbortSignal) => BodyInit; timeoutMs?: number; okStatuses: number[]; absoluteUrl?: string },
  ): Promise<Response> {
    const url = o.absoluteUrl ?? this.base + pathAndQuery;
    for (let attempt = 0; ; attempt++) {
      const authorization = await this.opts.auth.authorization();
      const done = new AbortController();
      let res: Response;
      try {
        const init: RequestInit & { duplex?: 'half' } = {
          method,
          headers: { ...o.headers, Authorization: authorization },
          signal: AbortSignal.timeout(Math.ceil(o.timeoutMs ?? this.opts.timeoutMs)),
        };
        if (o.body) {
          init.body = o.body(done.signal);
          init.duplex = 'half'; // a streamed (paced) request body
        }
        res = await fetch(url, init);
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        throw new SyncError(`${method} ${url} failed: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
      } finally {
        // The server has answered (or the request failed): stop feeding the upload.
        done.abort();
      }
      if (res.status === 401 && attempt === 0) {
        await res.body?.cancel();
        this.opts.auth.invalidate();
        continue;
      }
      if (!o.okStatuses.includes(res.status)) {
        const detail = (await res.text().catch(() => '')).slice(0, 200).replace(/\s+/g, ' ');
        throw new SyncHttpError(res.status, `${method} ${url} → HTTP ${res.status}${detail ? `: ${detail}` : ''}`);
      }
      return res;
    }
  }
}
