/** The STOW-RS request body: multipart/related; type="application/dicom" (PS3.18 10.5). */
import { randomUUID } from 'node:crypto';

export interface MultipartBody {
  parts: Uint8Array[];
  contentType: string;
  byteLength: number;
}

export function multipartRelated(objects: Uint8Array[]): MultipartBody {
  const boundary = `pleura-${randomUUID()}`;
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const o of objects) {
    parts.push(enc.encode(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), o, enc.encode('\r\n'));
  }
  parts.push(enc.encode(`--${boundary}--\r\n`));
  return {
    parts,
    contentType: `multipart/related; type="application/dicom"; boundary=${boundary}`,
    byteLength: parts.reduce((n, p) => n + p.byteLength, 0),
  };
}
