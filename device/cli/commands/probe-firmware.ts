/**
 * `pleura probe-firmware …`: signed probe firmware (docs/probe-protocol.md, "Bootloader").
 *   build --model M --fw-version X.Y.Z --body FILE --key KEY.pem --out IMAGE
 *   flash IMAGE --trust trust.json [--probe …] [--journal FILE]
 * Flashing is resumable: run the same command again after an interruption.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildFirmwareImage } from '../../../drivers/firmware/firmware-image.js';
import { FirmwareRefused, flashFirmware } from '../../../drivers/firmware/flasher.js';
import { checkSelfSigned, type TrustDocument } from '../../update/trust.js';
import { configFromFlags, type CliValues } from '../config-from-flags.js';

const USAGE = `usage:
  pleura probe-firmware build --model MODEL --fw-version X.Y.Z --body FILE --key KEY.pem --out IMAGE
  pleura probe-firmware flash IMAGE --trust trust.json [--probe socket:unix:PATH|serial:PATH|usb:VID:PID] [--journal FILE]
`;

export async function probeFirmware({ positionals, values }: { positionals: string[]; values: CliValues }): Promise<number> {
  const [verb, arg] = positionals;
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  if (verb === 'build') {
    const [model, version, body, key, out] = [str('model'), str('fw-version'), str('body'), str('key'), str('out')];
    if (!model || !version || !body || !key || !out) {
      process.stderr.write(USAGE);
      return 2;
    }
    fs.writeFileSync(out, buildFirmwareImage(model, version, fs.readFileSync(body), fs.readFileSync(key, 'utf8')));
    process.stdout.write(`firmware ${model} ${version} → ${out}\n`);
    return 0;
  }
  if (verb === 'flash' && arg && str('trust')) {
    const config = configFromFlags('probe-firmware', values);
    const transport = config.probe.transport;
    if (transport.kind === 'sim') {
      process.stderr.write('pleura probe-firmware flash: give the probe with --probe (e.g. socket:unix:/run/pleura/probe.sock for a running simulator)\n');
      return 2;
    }
    const trust = JSON.parse(fs.readFileSync(str('trust')!, 'utf8')) as TrustDocument;
    checkSelfSigned(trust);
    const trustedKeys = trust.body.releaseKeys.filter((k) => (k.scopes ?? []).includes('firmware') && !trust.body.revoked.includes(k.keyId));
    const journalFile = str('journal') ?? path.join(os.homedir(), '.pleura-firmware-journal.json');
    try {
      const r = await flashFirmware(fs.readFileSync(arg), {
        transport,
        journalFile,
        trustedKeys,
        log: (l) => process.stderr.write(`${l}\n`),
        onProgress: (done, total) => process.stderr.write(`\rwriting ${Math.round((100 * done) / total)} %`),
      });
      process.stdout.write(`\nprobe firmware ${r.from} → ${r.to}${r.resumedAt !== null ? ` (resumed at byte ${r.resumedAt})` : ''}\n`);
      return 0;
    } catch (err) {
      if (err instanceof FirmwareRefused) {
        process.stderr.write(`\npleura probe-firmware flash: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
  }
  process.stderr.write(USAGE);
  return 2;
}
