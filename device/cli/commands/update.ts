/**
 * `pleura update …`: the release side of signed update bundles (docs/updates.md).
 *   keygen --out DIR                 an Ed25519 key pair (private key 0600) and its id
 *   trust --root K.pem[,K2.pem] --release PUB.json[,…] --out trust.json [--version N] [--expires ISO]
 *   build SOURCE_DIR --out FILE --kind software|models|firmware --version X.Y.Z --min-version X.Y.Z --hardware a,b
 *   sign FILE --key PRIVATE.pem [--out FILE]
 *   verify FILE --trust trust.json --hardware ID [--installed X.Y.Z]
 *   install FILE --root ROOT --trust trust.json [--hardware ID] [--data-dir DIR]   on the device
 *   status --root ROOT
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildBundle } from '../../update/build-bundle.js';
import { UpdateRefused } from '../../update/errors.js';
import { generateKeyPair, loadPrivateKey, publicEntryOf, writePrivateKey } from '../../update/keys.js';
import { signBundle } from '../../update/sign-bundle.js';
import { checkSelfSigned, newTrustBody, signTrust, type TrustDocument, type UpdateKind } from '../../update/trust.js';
import { verifyBundle } from '../../update/verify-bundle.js';
import { recover, rollback } from '../../update/installer.js';
import { ReleaseLayout } from '../../update/release-layout.js';
import { requestRestore } from '../../update/database-backup.js';
import { defaultHardwareId, examInProgressFromDatabase, UpdateService } from '../../update/update-service.js';
import { resolveDataDir } from '../../store/data-dir.js';
import type { CliValues } from '../config-from-flags.js';

const USAGE = `usage:
  pleura update keygen --out DIR
  pleura update trust --root KEY.pem[,KEY.pem] --release KEY.pub.json[,…] --out trust.json [--trust-version N] [--expires ISO]
  pleura update build SOURCE_DIR --out FILE --kind software|models|firmware --release-version X.Y.Z --min-version X.Y.Z --hardware ID[,ID]
  pleura update sign FILE --key KEY.pem [--out FILE]
  pleura update verify FILE --trust trust.json --hardware ID [--installed X.Y.Z]
  pleura update install FILE --root /opt/pleura --trust /etc/pleura/keys/trust.json [--hardware ID] [--data-dir DIR]
  pleura update status --root /opt/pleura
  pleura update boot-guard --root /opt/pleura [--data-dir DIR]
`;

function need(values: CliValues, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || !v) throw new UsageError(`--${name} is required`);
  return v;
}

class UsageError extends Error {}

export async function update({ positionals, values }: { positionals: string[]; values: CliValues }): Promise<number> {
  const [verb, arg] = positionals;
  try {
    switch (verb) {
      case 'keygen': {
        const dir = need(values, 'out');
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        const k = generateKeyPair();
        writePrivateKey(path.join(dir, `${k.keyId}.pem`), k.privateKeyPem);
        fs.writeFileSync(path.join(dir, `${k.keyId}.pub.json`), JSON.stringify({ keyId: k.keyId, publicKey: k.publicKey }, null, 2) + '\n');
        process.stdout.write(`key ${k.keyId}: private ${path.join(dir, `${k.keyId}.pem`)} (keep it offline), public ${path.join(dir, `${k.keyId}.pub.json`)}\n`);
        return 0;
      }
      case 'trust': {
        const roots = need(values, 'root').split(',').map((f) => loadPrivateKey(f));
        const releases = need(values, 'release').split(',').map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as { keyId: string; publicKey: string });
        const rootPublic = roots.map((r) => publicEntryOf(r.key));
        const body = newTrustBody(rootPublic, releases, {
          version: Number(values['trust-version'] ?? 1),
          expires: typeof values.expires === 'string' ? values.expires : new Date(Date.now() + 5 * 365 * 86_400_000).toISOString(),
        });
        const doc = signTrust(body, roots);
        checkSelfSigned(doc);
        fs.writeFileSync(need(values, 'out'), JSON.stringify(doc, null, 2) + '\n');
        process.stdout.write(`trust document v${body.version}: ${roots.length} root, ${releases.length} release keys → ${values.out}\n`);
        return 0;
      }
      case 'build': {
        if (!arg) throw new UsageError('SOURCE_DIR is required');
        const manifest = await buildBundle({
          sourceDir: arg,
          out: need(values, 'out'),
          kind: need(values, 'kind') as UpdateKind,
          name: typeof values.name === 'string' ? values.name : 'pleura',
          version: need(values, 'release-version'),
          minReplaceableVersion: need(values, 'min-version'),
          hardware: need(values, 'hardware').split(','),
        });
        process.stdout.write(`built ${manifest.kind} ${manifest.version} (${manifest.files.length} files) → ${values.out} (unsigned)\n`);
        return 0;
      }
      case 'sign': {
        if (!arg) throw new UsageError('FILE is required');
        const key = loadPrivateKey(need(values, 'key'));
        const out = typeof values.out === 'string' ? values.out : arg;
        await signBundle(arg, out, key);
        process.stdout.write(`signed ${out} with key ${key.keyId}\n`);
        return 0;
      }
      case 'verify': {
        if (!arg) throw new UsageError('FILE is required');
        const trust = JSON.parse(fs.readFileSync(need(values, 'trust'), 'utf8')) as TrustDocument;
        checkSelfSigned(trust);
        const v = await verifyBundle(arg, { trust, hardware: need(values, 'hardware'), installedVersion: typeof values.installed === 'string' ? values.installed : null });
        const m = v.header.manifest;
        process.stdout.write(`OK: ${m.kind} ${m.name} ${m.version} for ${m.hardware.join(', ')}, ${m.files.length} files, signed by ${v.signers.join(', ')}\n`);
        return 0;
      }
      case 'install': {
        // On the device, beside the running service: refuses while an exam is open, backs the
        // database up before the switch; the new release starts at the next service restart.
        if (!arg) throw new UsageError('FILE is required');
        const dataDir = resolveDataDir(typeof values['data-dir'] === 'string' ? values['data-dir'] : '');
        const service = new UpdateService({
          releaseRoot: need(values, 'root'),
          trustFile: need(values, 'trust'),
          hardware: typeof values.hardware === 'string' ? values.hardware : defaultHardwareId(),
          dataDir,
          examInProgress: examInProgressFromDatabase(dataDir),
        });
        const r = await service.install(arg);
        process.stdout.write(`installed ${r.version} (was ${r.previous ?? 'nothing'}) on trial${r.databaseBackup ? `; database backed up to ${r.databaseBackup}` : ''}; restart the service (systemctl restart pleura) to start it\n`);
        return 0;
      }
      case 'status': {
        const state = new ReleaseLayout(need(values, 'root')).readState();
        process.stdout.write(JSON.stringify(state, null, 2) + '\n');
        return 0;
      }
      case 'boot-guard': {
        // Before the service starts: finish an interrupted install, and roll back a trial that
        // is past its self-test deadline (the new release may never have got far enough to).
        const layout = new ReleaseLayout(need(values, 'root'));
        recover(layout);
        const state = layout.readState();
        if (state.trial && Date.now() > state.trial.deadlineMs) {
          const dataDir = typeof values['data-dir'] === 'string' ? values['data-dir'] : null;
          rollback(layout, state, 'the self-test deadline passed before the release confirmed itself', dataDir ? (backup) => requestRestore(dataDir, backup, 'rolled back by boot-guard') : undefined);
          process.stdout.write(`rolled back ${state.history.at(-1)?.version ?? ''} to ${state.current ?? 'nothing'}\n`);
        }
        return 0;
      }
      default:
        process.stderr.write(USAGE);
        return 2;
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`pleura update ${verb}: ${err.message}\n${USAGE}`);
      return 2;
    }
    if (err instanceof UpdateRefused) {
      process.stderr.write(`pleura update ${verb}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
