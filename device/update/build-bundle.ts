/**
 * Release side: a bundle from a directory tree. Files are listed in sorted order with their
 * size and SHA-256; the result is unsigned until `signBundle` adds signatures.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { canonicalJson } from './canonical-json.js';
import { bundlePrefix, type BundleManifest } from './bundle-format.js';
import type { UpdateKind } from './trust.js';

export interface BuildOptions {
  sourceDir: string;
  out: string;
  kind: UpdateKind;
  name: string;
  version: string;
  minReplaceableVersion: string;
  hardware: string[];
  /** Validity of the bundle; default 365 days. */
  validDays?: number;
  now?: Date;
}

function listFiles(root: string, dir = ''): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(root, rel));
    else if (entry.isFile()) out.push(rel);
    else throw new Error(`${rel}: only regular files and folders go into a bundle (no links or devices)`);
  }
  return out;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

export async function buildBundle(opts: BuildOptions): Promise<BundleManifest> {
  const now = opts.now ?? new Date();
  const files = [];
  for (const rel of listFiles(opts.sourceDir)) {
    const full = path.join(opts.sourceDir, rel);
    const st = fs.statSync(full);
    files.push({ path: rel, size: st.size, sha256: await sha256File(full), mode: st.mode & 0o777 });
  }
  const manifest: BundleManifest = {
    format: 1,
    kind: opts.kind,
    name: opts.name,
    version: opts.version,
    minReplaceableVersion: opts.minReplaceableVersion,
    hardware: opts.hardware,
    created: now.toISOString(),
    expires: new Date(now.getTime() + (opts.validDays ?? 365) * 86_400_000).toISOString(),
    files,
  };
  const manifestBytes = Buffer.from(canonicalJson(manifest));
  const out = fs.createWriteStream(opts.out, { flags: 'w' });
  out.write(bundlePrefix(manifestBytes, []));
  for (const f of files) await pipeline(fs.createReadStream(path.join(opts.sourceDir, f.path)), out, { end: false });
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return manifest;
}
