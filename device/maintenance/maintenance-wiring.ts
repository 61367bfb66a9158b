/**
 * Builds technician mode for the device app from its configuration: where the PIN hash, the trust
 * document and the release folders are, how the probe is borrowed from imaging, where actions are
 * audited. Kept out of app.ts so that the app only mounts the routes.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DeviceConfig } from '../config/schema.js';
import type { TransportConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { DeviceStatus } from '../status.js';
import type { StoreClient } from '../store/store-client.js';
import type { DeviceIdentity } from '../provision/provisioning.js';
import { checkSelfSigned, type TrustDocument } from '../update/trust.js';
import { defaultHardwareId, UpdateService } from '../update/update-service.js';
import type { Supervisor } from '../../pipeline/supervision/supervisor.js';
import type { TransportSpec } from '../../drivers/transports/transport.js';
import { maintenanceRoutes } from './maintenance-routes.js';
import { ACTOR, MaintenanceService, type DeviceInfo } from './maintenance-service.js';
import type { RecentLog } from './recent-log.js';
import { TechnicianAuth } from './technician-session.js';

export interface MaintenanceHost {
  config: DeviceConfig;
  log: Logger;
  recentLog: RecentLog;
  dataDir: string;
  identity: DeviceIdentity | null;
  store: StoreClient | null;
  supervisor: Supervisor;
  /** The transport the acquire stage opens (the simulated probe's socket when simulated). */
  probeTransport: TransportConfig;
  settings: { depthMm: number; gainDb: number };
  status(): DeviceStatus;
  examInProgress(): Promise<string | null>;
  /** Exits so that the service manager starts the release now behind `current`. */
  restart(): void;
}

export function softwareVersion(): string {
  return (JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export function trustFileOf(config: DeviceConfig): string {
  return config.maintenance.trustFile || (config.device.configDir ? path.join(config.device.configDir, 'keys', 'trust.json') : '');
}

export function createMaintenance(host: MaintenanceHost): { service: MaintenanceService; routes: ReturnType<typeof maintenanceRoutes> } {
  const { config } = host;
  const m = config.maintenance;
  const releaseRoot = m.releaseRoot || process.env.PLEURA_RELEASE_ROOT || null;
  const trustFile = trustFileOf(config);
  const updates = new UpdateService({ releaseRoot, trustFile, hardware: m.hardware || defaultHardwareId(), dataDir: host.dataDir, examInProgress: () => host.examInProgress() });
  const version = softwareVersion();
  const deviceInfo = (): DeviceInfo => {
    const s = host.status();
    const state = updates.state();
    return {
      serial: host.identity?.serial ?? null,
      site: host.identity?.site ?? null,
      software: { version, release: state ? { current: state.current, trial: state.trial?.version ?? null, bad: state.bad } : null },
      // No lung model is installed yet (issue "Lung AI"); the infer stage will list its manifests here.
      models: [],
      probe: { state: s.probe.state, model: s.probe.model ?? null, serial: s.probe.serial ?? null, firmwareVersion: s.probe.firmwareVersion ?? null },
      uptimeS: Math.round(s.uptimeS),
    };
  };
  const service = new MaintenanceService({
    auth: new TechnicianAuth({ pinFile: config.device.configDir ? path.join(config.device.configDir, 'keys', 'technician-pin.json') : null, sessionMs: m.sessionMinutes * 60_000 }),
    updates,
    audit: async (action, detail) => {
      await host.store?.call('auditEvent', ACTOR, action, detail);
    },
    auditTrail: async (limit) => (await host.store?.call('auditTrail', limit, 'maintenance.')) ?? [],
    deviceInfo,
    examInProgress: () => host.examInProgress(),
    logs: host.recentLog,
    log: host.log,
    mediaDirs: m.mediaDirs,
    probe: {
      transport: () => host.probeTransport as TransportSpec,
      settings: () => ({ preset: config.probe.preset, depthM: host.settings.depthMm / 1000, gainDb: host.settings.gainDb, frameRateHz: config.probe.frameRateHz, transmits: config.probe.transmits }),
      borrow: async () => {
        host.log.info('maintenance: imaging lets go of the probe');
        await host.supervisor.pauseStage('acquire');
        return async () => {
          await host.supervisor.resumeStage('acquire');
          host.log.info('maintenance: imaging has the probe again');
        };
      },
    },
    firmwareKeys: () => {
      const trust = JSON.parse(fs.readFileSync(trustFile, 'utf8')) as TrustDocument;
      checkSelfSigned(trust);
      return trust.body.releaseKeys.filter((k) => (k.scopes ?? []).includes('firmware') && !trust.body.revoked.includes(k.keyId));
    },
    firmwareJournal: path.join(host.dataDir, 'probe-firmware-journal.json'),
    weakElementFraction: m.weakElementFraction,
    afterInstall: (v) => {
      if (!m.restartAfterInstall) return;
      host.log.info(`maintenance: restarting into release ${v} in 3 s`);
      setTimeout(() => host.restart(), 3000).unref();
    },
  });
  return { service, routes: maintenanceRoutes(service) };
}
