/**
 * Whole-system images on a real device belong to RAUC (A/B root file systems, the bootloader's
 * fallback): this adapter builds a RAUC bundle from a system image whose SHA-256 a verified
 * Pleura bundle declared, checks a bundle with `rauc info` against the device's keyring, hands it
 * to `rauc install`, and reads the slots with `rauc status`. Commands run through `RaucRunner`,
 * so everything above the rauc binary is tested without one.
 *
 * @example
 * const rauc = new RaucAdapter();
 * const info = await rauc.verify('/media/usb/pleura-os-1.3.0.raucb', '/etc/rauc/keyring.pem');
 * await rauc.install('/media/usb/pleura-os-1.3.0.raucb');   // then reboot; RAUC marks good/bad
 * const status = await rauc.status();
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseRaucStatus, type RaucSystemStatus } from './rauc-status.js';

export interface RaucCommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `rauc ARGS…`; the default runs the binary, tests pass their own. */
export type RaucRunner = (args: string[], opts?: { timeoutMs?: number }) => Promise<RaucCommandResult>;

export class RaucError extends Error {
  override name = 'RaucError';
}

export const runRaucBinary: RaucRunner = (args, opts = {}) =>
  new Promise((resolve, reject) => {
    execFile('rauc', args, { timeout: opts.timeoutMs ?? 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: unknown }) | null;
      if (e && e.code === 'ENOENT') return reject(new RaucError('rauc is not installed (apt-get install rauc); whole-system images cannot be handled on this machine'));
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout, stderr });
    });
  });

export interface RaucBundleInfo {
  compatible: string;
  version: string;
  images: Array<{ slotClass: string; filename: string; sha256: string; size: number }>;
}

export interface RaucBundleRequest {
  /** The system image (e.g. rootfs.ext4) extracted from a verified Pleura bundle. */
  image: string;
  /** Its SHA-256 from the verified Pleura manifest: the RAUC bundle wraps exactly those bytes. */
  expectedSha256: string;
  /** RAUC slot class the image goes to (system.conf), default "rootfs". */
  slotClass?: string;
  /** Must equal the device's system.conf `compatible`, e.g. "pleura-jetson-orin-nano". */
  compatible: string;
  version: string;
  /** Signing certificate and key (PEM). */
  cert: string;
  key: string;
  out: string;
  /** Where the bundle's content folder is assembled (removed afterwards). */
  workDir: string;
}

export class RaucAdapter {
  constructor(private readonly run: RaucRunner = runRaucBinary) {}

  /** Builds a signed RAUC bundle (verity format) around one system image. */
  async bundle(req: RaucBundleRequest): Promise<void> {
    const hash = createHash('sha256');
    await pipeline(fs.createReadStream(req.image), hash);
    const actual = hash.digest('hex');
    if (actual !== req.expectedSha256) throw new RaucError(`system image ${req.image}: SHA-256 ${actual.slice(0, 12)}… is not the verified ${req.expectedSha256.slice(0, 12)}…; refusing to wrap it`);
    if (!/^[\w.+-]+$/.test(req.version)) throw new RaucError(`version "${req.version}": letters, digits, . + - _ only`);
    const content = path.join(req.workDir, 'rauc-content');
    fs.rmSync(content, { recursive: true, force: true });
    fs.mkdirSync(content, { recursive: true });
    const filename = path.basename(req.image);
    fs.copyFileSync(req.image, path.join(content, filename));
    const manifest = [
      '[update]',
      `compatible=${req.compatible}`,
      `version=${req.version}`,
      '',
      '[bundle]',
      'format=verity',
      '',
      `[image.${req.slotClass ?? 'rootfs'}]`,
      `filename=${filename}`,
      '',
    ].join('\n');
    fs.writeFileSync(path.join(content, 'manifest.raucm'), manifest);
    fs.rmSync(req.out, { force: true });
    try {
      const r = await this.run(['bundle', `--cert=${req.cert}`, `--key=${req.key}`, content, req.out], { timeoutMs: 600_000 });
      if (r.code !== 0) throw new RaucError(`rauc bundle failed (exit ${r.code}): ${lastLine(r.stderr)}`);
    } finally {
      fs.rmSync(content, { recursive: true, force: true });
    }
  }

  /** Checks the bundle's signature against `keyring` and reads its manifest; throws when it does not verify. */
  async verify(bundle: string, keyring: string): Promise<RaucBundleInfo> {
    const r = await this.run(['info', `--keyring=${keyring}`, '--output-format=json', bundle]);
    if (r.code !== 0) throw new RaucError(`rauc info refused ${path.basename(bundle)}: ${lastLine(r.stderr)}; the bundle is not signed by a key of ${keyring} or is damaged`);
    return parseRaucInfo(r.stdout);
  }

  /**
   * Hands a verified bundle to the RAUC service, which writes the inactive slot and makes it the
   * next boot; the device then reboots, and the new system must mark itself good
   * (`rauc status mark-good`) or the bootloader falls back.
   */
  async install(bundle: string): Promise<void> {
    const r = await this.run(['install', bundle], { timeoutMs: 3_600_000 });
    if (r.code !== 0) throw new RaucError(`rauc install failed (exit ${r.code}): ${lastLine(r.stderr)}`);
  }

  async status(): Promise<RaucSystemStatus> {
    const r = await this.run(['status', '--output-format=json']);
    if (r.code !== 0) throw new RaucError(`rauc status failed: ${lastLine(r.stderr)}`);
    return parseRaucStatus(r.stdout);
  }

  /** Marks the running system good (after its self-test) or bad (the bootloader falls back). */
  async mark(which: 'good' | 'bad'): Promise<void> {
    const r = await this.run(['status', `mark-${which}`]);
    if (r.code !== 0) throw new RaucError(`rauc status mark-${which} failed: ${lastLine(r.stderr)}`);
  }
}

export function parseRaucInfo(json: string): RaucBundleInfo {
  let doc: { compatible?: unknown; version?: unknown; images?: unknown };
  try {
    // rauc prints its messages on stderr; stdout is the JSON document.
    doc = JSON.parse(json) as typeof doc;
  } catch (err) {
    throw new RaucError(`rauc info did not print JSON: ${(err as Error).message}`);
  }
  if (typeof doc.compatible !== 'string' || typeof doc.version !== 'string' || !Array.isArray(doc.images)) throw new RaucError('rauc info JSON lacks compatible, version or images');
  const images: RaucBundleInfo['images'] = [];
  for (const entry of doc.images as Array<Record<string, { filename?: string; checksum?: string; size?: number }>>) {
    for (const [slotClass, img] of Object.entries(entry)) images.push({ slotClass, filename: img.filename ?? '', sha256: img.checksum ?? '', size: img.size ?? 0 });
  }
  return { compatible: doc.compatible, version: doc.version, images };
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n').filter((l) => l.trim());
  return lines.at(-1) ?? 'no message';
}
