/**
 * A sync destination from its configuration profile: a DICOMweb client with the profile's
 * authentication, and how delivery is verified there.
 *
 * * `orthanc`: basic auth; verified by QIDO-RS and then Orthanc's own MD5 of the stored file
 *   (`/instances/{id}/attachments/dicom/md5`), which must equal the MD5 of the bytes sent.
 * * `dicomweb-oauth2` (Delft Imaging cloud): bearer token; verified by QIDO-RS finding the
 *   instance (the assumed contract, docs/sync.md, has no checksum endpoint).
 */
import fs from 'node:fs';
import type { DestinationConfig } from '../config/schema.js';
import type { OutboxObject } from '../store/outbox.js';
import { BasicAuth, ClientCredentialsAuth } from './auth.js';
import { DicomWebClient } from './dicomweb-client.js';
import { SyncError } from './errors.js';
import { TokenBucket } from './token-bucket.js';

export type Verification = { ok: true } | { ok: false; reason: string; resend: boolean };

export interface Destination {
  name: string;
  /** Whether reviewers' reports are looked for here. */
  review: boolean;
  client: DicomWebClient;
  verify(object: OutboxObject): Promise<Verification>;
}

/**
 * The destination's secret: inline in the configuration, or from `secretFile`, which holds
 * either `{"secret": "…"}` (as `pleura provision` writes keys/sync-credentials.json) or the bare
 * secret.
 */
export function destinationSecret(config: DestinationConfig): string {
  const inline = config.kind === 'orthanc' ? config.password : config.clientSecret;
  if (inline) return inline;
  if (!config.secretFile) throw new SyncError(`sync destination ${config.name} has no secret configured`, false);
  let text: string;
  try {
    text = fs.readFileSync(config.secretFile, 'utf8').trim();
  } catch (err) {
    throw new SyncError(`sync destination ${config.name}: cannot read its secret file ${config.secretFile} (${(err as Error).message})`, false);
  }
  try {
    const json = JSON.parse(text) as { secret?: unknown };
    if (typeof json.secret === 'string' && json.secret) return json.secret;
  } catch {
    // a bare secret
  }
  return text;
}

export function createDestination(config: DestinationConfig, bucket: TokenBucket, timeoutMs: number): Destination {
  const secret = destinationSecret(config);
  if (config.kind === 'orthanc') {
    const root = config.url.replace(/\/+$/, '');
    const auth = new BasicAuth(config.username, secret);
    const client = new DicomWebClient({ baseUrl: root + config.dicomWebPath, auth, bucket, timeoutMs });
    return {
      name: config.name,
      review: config.review,
      client,
      async verify(o) {
        const found = await client.findInstance(o.studyUid, o.seriesUid, o.sopUid);
        if (!found) return { ok: false, reason: `QIDO-RS does not find instance ${o.sopUid}`, resend: true };
        const lookup = await client.request('POST', '', {
          absoluteUrl: `${root}/tools/lookup`,
          headers: { 'Content-Type': 'text/plain' },
          body: () => o.sopUid,
          okStatuses: [200],
        });
        const hits = (await lookup.json()) as Array<{ Type?: string; ID?: string }>;
        const id = hits.find((h) => h.Type === 'Instance')?.ID;
        if (!id) return { ok: false, reason: `Orthanc's lookup does not find instance ${o.sopUid}`, resend: true };
        const res = await client.request('GET', '', { absoluteUrl: `${root}/instances/${id}/attachments/dicom/md5`, okStatuses: [200] });
        const md5 = (await res.text()).trim().toLowerCase();
        if (md5 !== o.md5) {
          // Orthanc keeps the first copy of a SOP instance; sending ours again cannot fix this.
          return { ok: false, reason: `Orthanc holds different bytes for ${o.sopUid}: MD5 ${md5}, ours ${o.md5}`, resend: false };
        }
        return { ok: true };
      },
    };
  }
  const auth = new ClientCredentialsAuth({
    tokenUrl: config.tokenUrl,
    clientId: config.clientId,
    clientSecret: secret,
    scope: config.scope,
    timeoutMs,
  });
  return qidoVerifiedDestination(config.name, new DicomWebClient({ baseUrl: config.dicomWebUrl, auth, bucket, timeoutMs }), config.review);
}

/** A DICOMweb destination whose delivery check is QIDO-RS finding the instance. */
export function qidoVerifiedDestination(name: string, client: DicomWebClient, review: boolean): Destination {
  return {
    name,
    review,
    client,
    async verify(o) {
      const found = await client.findInstance(o.studyUid, o.seriesUid, o.sopUid);
      return found ? { ok: true } : { ok: false, reason: `QIDO-RS does not find instance ${o.sopUid}`, resend: true };
    },
  };
}
