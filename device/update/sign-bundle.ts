/**
 * Release side: adds a signature over the manifest to a bundle. The payload is checked against
 * the manifest first, so nobody signs a bundle whose files do not match what it declares.
 */
import fs from 'node:fs';
import { open } from 'node:fs/promises';
import { bundlePrefix, readBundleHeader } from './bundle-format.js';
import { signBytes, type loadPrivateKey } from './keys.js';
import { checkPayload } from './payload.js';

export async function signBundle(input: string, output: string, signer: ReturnType<typeof loadPrivateKey>): Promise<void> {
  const fh = await open(input, 'r');
  try {
    const header = await readBundleHeader(fh);
    await checkPayload(fh, header);
    const signatures = header.signatures.filter((s) => s.keyId !== signer.keyId);
    signatures.push({ keyId: signer.keyId, sig: signBytes(signer.key, header.manifestBytes) });
    const tmp = `${output}.tmp-${process.pid}`;
    const out = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(out, bundlePrefix(header.manifestBytes, signatures));
      const chunk = Buffer.alloc(1 << 20);
      for (let pos = header.payloadOffset; pos < header.totalBytes; ) {
        const { bytesRead } = await fh.read(chunk, 0, Math.min(chunk.length, header.totalBytes - pos), pos);
        fs.writeSync(out, chunk, 0, bytesRead);
        pos += bytesRead;
      }
      fs.fsyncSync(out);
    } finally {
      fs.closeSync(out);
    }
    fs.renameSync(tmp, output);
  } finally {
    await fh.close();
  }
}
