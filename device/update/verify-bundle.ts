/**
 * Device side: everything about a bundle is checked before anything is installed — the format,
 * a valid signature by a release key that the device trusts for this kind of update (not
 * revoked, not expired), the bundle's own expiry, the hardware, the version (never a downgrade,
 * never onto a version older than the bundle may replace), and every file's size and hash.
 * Each failure is an UpdateRefused with its own code and an actionable message.
 */
import { open } from 'node:fs/promises';
import { readBundleHeader, type BundleHeader } from './bundle-format.js';
import { UpdateRefused } from './errors.js';
import { verifyBytes } from './keys.js';
import { checkPayload } from './payload.js';
import type { TrustDocument } from './trust.js';
import { compareVersions } from './version.js';

export interface DevicePolicy {
  trust: TrustDocument;
  /** This device's hardware id, e.g. `jetson-orin-nano` or `x86_64-dev`. */
  hardware: string;
  /** The installed version of this kind of update; null when none is installed yet. */
  installedVersion: string | null;
  now?: Date;
}

export interface VerifiedBundle {
  header: BundleHeader;
  signers: string[];
}

function checkSignatures(header: BundleHeader, policy: DevicePolicy, now: Date): string[] {
  const { manifest, manifestBytes, signatures } = header;
  if (signatures.length === 0) throw new UpdateRefused('unsigned', `${manifest.name} ${manifest.version} carries no signature; sign it with a release key (pleura update sign)`);
  const trust = policy.trust.body;
  const problems: UpdateRefused[] = [];
  const signers: string[] = [];
  for (const s of signatures) {
    const key = trust.releaseKeys.find((k) => k.keyId === s.keyId);
    if (!key) {
      problems.push(new UpdateRefused('unknown-key', `signed by key ${s.keyId.slice(0, 12)}…, which this device does not trust`));
    } else if (trust.revoked.includes(s.keyId)) {
      problems.push(new UpdateRefused('revoked-key', `signed by key ${s.keyId.slice(0, 12)}…, which was revoked (trust document v${trust.version})`));
    } else if (key.notAfter && new Date(key.notAfter) < now) {
      problems.push(new UpdateRefused('expired-key', `signed by key ${s.keyId.slice(0, 12)}…, which expired on ${key.notAfter}`));
    } else if (!(key.scopes ?? []).includes(manifest.kind)) {
      problems.push(new UpdateRefused('key-scope', `key ${s.keyId.slice(0, 12)}… may not sign ${manifest.kind} updates`));
    } else if (!verifyBytes(key.publicKey, manifestBytes, s.sig)) {
      problems.push(new UpdateRefused('bad-signature', `the signature by key ${s.keyId.slice(0, 12)}… does not match the manifest: the bundle was altered or the signature forged`));
    } else {
      signers.push(s.keyId);
    }
  }
  if (signers.length === 0) throw problems.find((p) => p.code === 'bad-signature') ?? problems[0]!;
  return signers;
}

export async function verifyBundle(file: string, policy: DevicePolicy, opts: { extractTo?: string } = {}): Promise<VerifiedBundle> {
  const now = policy.now ?? new Date();
  const fh = await open(file, 'r').catch((err: Error) => {
    throw new UpdateRefused('not-a-bundle', `cannot open ${file}: ${err.message}`);
  });
  try {
    const header = await readBundleHeader(fh);
    const m = header.manifest;
    const signers = checkSignatures(header, policy, now);
    if (new Date(m.expires) < now) throw new UpdateRefused('expired-bundle', `${m.name} ${m.version} expired on ${m.expires}; ask for a current release`);
    if (!m.hardware.includes(policy.hardware)) {
      throw new UpdateRefused('wrong-hardware', `${m.name} ${m.version} is for ${m.hardware.join(', ')}, this device is ${policy.hardware}`);
    }
    if (policy.installedVersion !== null) {
      if (compareVersions(m.version, policy.installedVersion) <= 0) {
        throw new UpdateRefused('downgrade', `${m.name} ${m.version} is not newer than the installed ${policy.installedVersion}; downgrades are refused`);
      }
      if (compareVersions(policy.installedVersion, m.minReplaceableVersion) < 0) {
        throw new UpdateRefused('too-old-to-replace', `${m.name} ${m.version} can only replace ${m.minReplaceableVersion} or later; install the intermediate release first (installed: ${policy.installedVersion})`);
      }
    }
    await checkPayload(fh, header, opts.extractTo);
    return { header, signers };
  } finally {
    await fh.close();
  }
}
