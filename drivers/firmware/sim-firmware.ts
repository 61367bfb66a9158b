/**
 * The simulated probe's firmware as manufactured: a flash folder with a golden image signed by a
 * factory key kept in that folder, and the keys the bootloader trusts (the factory key plus the
 * firmware release keys of a trust document, as a probe would be built with them).
 */
import fs from 'node:fs';
import path from 'node:path';
import { generateKeyPair, publicEntryOf } from '../../device/update/keys.js';
import type { TrustDocument } from '../../device/update/trust.js';
import { createPrivateKey } from 'node:crypto';
import { buildFirmwareImage } from './firmware-image.js';
import { SimFlash } from './sim-flash.js';

export function openSimFlash(dir: string, model: string, factoryVersion: string, trustFile: string | undefined, log: (line: string) => void): SimFlash {
  fs.mkdirSync(dir, { recursive: true });
  const keyFile = path.join(dir, 'factory-key.pem');
  if (!fs.existsSync(keyFile)) fs.writeFileSync(keyFile, generateKeyPair().privateKeyPem, { mode: 0o600 });
  const factoryPem = fs.readFileSync(keyFile, 'utf8');
  const trusted = [publicEntryOf(createPrivateKey(factoryPem))];
  if (trustFile) {
    const trust = JSON.parse(fs.readFileSync(trustFile, 'utf8')) as TrustDocument;
    for (const k of trust.body.releaseKeys) if ((k.scopes ?? []).includes('firmware') && !trust.body.revoked.includes(k.keyId)) trusted.push({ keyId: k.keyId, publicKey: k.publicKey });
  }
  const flash = new SimFlash(dir, model, trusted, log);
  if (!fs.existsSync(path.join(dir, 'golden.bin'))) {
    flash.provisionGolden(buildFirmwareImage(model, factoryVersion, Buffer.from(`${model} factory firmware ${factoryVersion}\n`.repeat(4096)), factoryPem));
    log(`firmware flash initialised in ${dir} with golden image ${factoryVersion}`);
  }
  flash.boot();
  return flash;
}
