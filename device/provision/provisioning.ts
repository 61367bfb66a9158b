/**
 * Provisioning: what makes a machine a particular device, set once by a technician.
 *   CONFDIR/device.json           serial, site, when, key ids — no secrets (0644)
 *   CONFDIR/keys/ (0700)
 *     site-key.bin                32 random bytes: the pseudonymization key (HMAC); never leaves the device
 *     device-key.pem              the device's Ed25519 key (signing what it sends)
 *     technician-pin.json         scrypt hash of the technician PIN
 *     sync-credentials.json       the sync destination's secret (password or OAuth2 client secret)
 * Every secret file is 0600 and owned by the service user; the summary never prints a secret.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { generateKeyPair } from '../update/keys.js';
import { hashPin } from './technician-pin.js';

export interface DeviceIdentity {
  serial: string;
  site: string;
  provisionedAt: string;
  deviceKeyId: string;
  sync: { url: string; auth: 'none' | 'basic' | 'oauth2'; username?: string; clientId?: string; tokenUrl?: string } | null;
}

export interface ProvisionRequest {
  configDir: string;
  serial: string;
  site: string;
  pin: string;
  sync?: { url: string; auth: 'basic' | 'oauth2'; username?: string; clientId?: string; tokenUrl?: string; secret: string };
  /** Re-provision a provisioned device (keeps its site key: pseudonyms must stay stable). */
  force?: boolean;
  /** Owner for the keys (the service user) when running as root. */
  owner?: { uid: number; gid: number };
}

export class ProvisioningError extends Error {
  override name = 'ProvisioningError';
}

export function identityFile(configDir: string): string {
  return path.join(configDir, 'device.json');
}

export function readIdentity(configDir: string): DeviceIdentity | null {
  try {
    return JSON.parse(fs.readFileSync(identityFile(configDir), 'utf8')) as DeviceIdentity;
  } catch {
    return null;
  }
}

function writeSecret(file: string, data: string | Buffer, owner?: { uid: number; gid: number }): void {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, data, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  if (owner) fs.chownSync(tmp, owner.uid, owner.gid);
  fs.renameSync(tmp, file);
}

export function provision(req: ProvisionRequest): DeviceIdentity {
  if (!/^[A-Za-z0-9-]{3,32}$/.test(req.serial)) throw new ProvisioningError(`serial "${req.serial}": 3 to 32 letters, digits or dashes`);
  if (!req.site.trim()) throw new ProvisioningError('the site name is required');
  if (readIdentity(req.configDir) && !req.force) throw new ProvisioningError(`${req.configDir} is already provisioned (${readIdentity(req.configDir)!.serial}); use --force to re-provision`);
  const keys = path.join(req.configDir, 'keys');
  fs.mkdirSync(keys, { recursive: true, mode: 0o700 });
  fs.chmodSync(keys, 0o700);
  if (req.owner) fs.chownSync(keys, req.owner.uid, req.owner.gid);

  const siteKey = path.join(keys, 'site-key.bin');
  if (!fs.existsSync(siteKey)) writeSecret(siteKey, randomBytes(32), req.owner);
  const device = generateKeyPair();
  writeSecret(path.join(keys, 'device-key.pem'), device.privateKeyPem, req.owner);
  writeSecret(path.join(keys, 'technician-pin.json'), JSON.stringify(hashPin(req.pin)), req.owner);
  if (req.sync) writeSecret(path.join(keys, 'sync-credentials.json'), JSON.stringify({ secret: req.sync.secret }), req.owner);
  else fs.rmSync(path.join(keys, 'sync-credentials.json'), { force: true });

  const identity: DeviceIdentity = {
    serial: req.serial,
    site: req.site,
    provisionedAt: new Date().toISOString(),
    deviceKeyId: device.keyId,
    sync: req.sync ? { url: req.sync.url, auth: req.sync.auth, ...(req.sync.username ? { username: req.sync.username } : {}), ...(req.sync.clientId ? { clientId: req.sync.clientId } : {}), ...(req.sync.tokenUrl ? { tokenUrl: req.sync.tokenUrl } : {}) } : null,
  };
  fs.writeFileSync(identityFile(req.configDir), JSON.stringify(identity, null, 2) + '\n', { mode: 0o644 });
  return identity;
}

/** What `pleura provision` prints: everything a technician checks, no secret. */
export function summary(identity: DeviceIdentity, configDir: string): string {
  return [
    `device ${identity.serial} at ${identity.site}, provisioned ${identity.provisionedAt}`,
    `device key ${identity.deviceKeyId}`,
    `pseudonymization site key: set (${path.join(configDir, 'keys/site-key.bin')}, mode 0600)`,
    `technician PIN: set (scrypt hash)`,
    identity.sync ? `sync: ${identity.sync.url} (${identity.sync.auth}${identity.sync.username ? `, user ${identity.sync.username}` : ''}${identity.sync.clientId ? `, client ${identity.sync.clientId}` : ''}); secret stored, mode 0600` : 'sync: no destination (exams stay on the device)',
  ].join('\n');
}
