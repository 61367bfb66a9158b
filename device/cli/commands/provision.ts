/**
 * `pleura provision`: set a device's identity, keys, technician PIN and sync destination, once.
 * The PIN and the sync secret are read from stdin or a file, never from the command line (which
 * other users and the shell history can see). Prints a summary without secrets.
 */
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { provision, ProvisioningError, summary, type ProvisionRequest } from '../../provision/provisioning.js';
import type { CliValues } from '../config-from-flags.js';

const USAGE = `usage: pleura provision --serial SN --site NAME (--pin-stdin | --pin-file FILE) [--config-dir /etc/pleura]
         [--sync-url URL --sync-auth basic|oauth2 [--sync-user U | --sync-client-id ID --sync-token-url URL] --sync-secret-file FILE]
         [--owner pleura] [--force]
`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function provisionCommand({ values }: { values: CliValues }): Promise<number> {
  const s = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const serial = s('serial');
  const site = s('site');
  if (!serial || !site || (!values['pin-stdin'] && !s('pin-file'))) {
    process.stderr.write(USAGE);
    return 2;
  }
  const configDir = s('config-dir') ?? (process.env.PLEURA_CONFIG ? path.dirname(process.env.PLEURA_CONFIG) : '/etc/pleura');
  const pin = (values['pin-stdin'] ? await readStdin() : fs.readFileSync(s('pin-file')!, 'utf8')).trim();
  const req: ProvisionRequest = { configDir, serial, site, pin, force: values.force === true };
  const syncUrl = s('sync-url');
  if (syncUrl) {
    const auth = s('sync-auth');
    const secretFile = s('sync-secret-file');
    if ((auth !== 'basic' && auth !== 'oauth2') || !secretFile) {
      process.stderr.write(`pleura provision: --sync-url needs --sync-auth basic|oauth2 and --sync-secret-file\n${USAGE}`);
      return 2;
    }
    req.sync = { url: syncUrl, auth, secret: fs.readFileSync(secretFile, 'utf8').trim() };
    const user = s('sync-user');
    const clientId = s('sync-client-id');
    const tokenUrl = s('sync-token-url');
    if (user) req.sync.username = user;
    if (clientId) req.sync.clientId = clientId;
    if (tokenUrl) req.sync.tokenUrl = tokenUrl;
  }
  const owner = s('owner');
  if (owner) req.owner = { uid: Number(execFileSync('id', ['-u', owner]).toString()), gid: Number(execFileSync('id', ['-g', owner]).toString()) };
  try {
    process.stdout.write(summary(provision(req), configDir) + '\n');
    return 0;
  } catch (err) {
    if (err instanceof ProvisioningError || err instanceof RangeError) {
      process.stderr.write(`pleura provision: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
