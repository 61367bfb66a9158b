/**
 * The device application: starts the probe (simulated when configured), the pipeline stages
 * under a supervisor, the display sink and the kiosk; answers /api/status; forwards the kiosk's
 * controls to the probe; and shuts all of it down in order.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DeviceConfig, TransportConfig } from './config/schema.js';
import { CineBuffer } from './capture/cine-buffer.js';
import { cineGetRoutes } from './capture/cine-review.js';
import { DisplaySink } from './display/display-sink.js';
import { FindingsSink } from './display/findings-sink.js';
import { findingsManifestPath } from './config/models.js';
import { checkGolden } from '../models/runtime/golden-output.js';
import { clipAggregatorFactory } from '../pipeline/infer/findings-engine-api.js';
import { ClipReview, clipReviewRoutes } from './exam/clip-review.js';
import { examGetRoutes, examPostRoutes } from './exam/exam-api.js';
import { SCAN_PRESETS, scanPreset } from './config/scan-presets.js';
import { ExamService, type CaptureContext } from './exam/exam-service.js';
import { simulatedProbe, type SimulatedProbeLink } from './probe/simulated-probe-process.js';
import { buildStatus, modelReports, type DeviceStatus, type ModelReport, type ProbeStatus } from './status.js';
import { BlobStore } from './store/blob-store.js';
import { DataDirLock, resolveDataDir } from './store/data-dir.js';
import { StoreClient } from './store/store-client.js';
import type { StorageStatus } from './store/store.js';
import { SyncClient } from './sync/sync-client.js';
import { readIdentity, type DeviceIdentity } from './provision/provisioning.js';
import { bootCheck } from './update/boot-check.js';
import { deviceSelfTest } from './update/device-self-test.js';
import { ReleaseLayout } from './update/release-layout.js';
import { compose } from '../pipeline/graph.js';
import { Supervisor } from '../pipeline/supervision/supervisor.js';
import { KioskServer, TextResponse, type KioskControl } from '../ui-kiosk/server/kiosk-server.js';
import { formatMetrics, statusSamples } from './metrics/prometheus.js';
import type { Logger } from './log.js';
import { createMaintenance } from './maintenance/maintenance-wiring.js';
import { RecentLog } from './maintenance/recent-log.js';
import { applyPendingRestore, requestRestore } from './update/database-backup.js';

export interface Settings {
  depthMm: number;
  gainDb: number;
  frozen: boolean;
  mode: 'rf' | 'bmode';
  /** The active scanning preset (device/config/scan-presets.ts, or a name the configuration gives). */
  preset: string;
}

export class DeviceApp {
  readonly settings: Settings;
  readonly runtimeDir: string;
  private readonly ownsRuntimeDir: boolean;
  supervisor!: Supervisor;
  sink!: DisplaySink;
  /** Findings from the infer stage; null when models.findings is off. */
  findings: FindingsSink | null = null;
  kiosk!: KioskServer;
  sim: SimulatedProbeLink | null = null;
  url = '';
  dataDir = '';
  store: StoreClient | null = null;
  cine!: CineBuffer;
  exams!: ExamService;
  /** Stored clips decoded for review (the most recent one only). */
  clipReview!: ClipReview;
  sync: SyncClient | null = null;
  private lock: DataDirLock | null = null;
  /** What `pleura provision` set; null on a development machine without provisioning. */
  identity: DeviceIdentity | null = null;
  private storage: StorageStatus | null = null;
  private storageTimer: NodeJS.Timeout | null = null;
  private statusTimer: NodeJS.Timeout | null = null;
  private readonly startedAtMs = Date.now();
  /** The latest log lines, for the maintenance page (start.ts tees the logger into it). */
  recentLog = new RecentLog();

  constructor(readonly config: DeviceConfig, private readonly log: Logger) {
    this.settings = { depthMm: config.probe.depthMm, gainDb: config.probe.gainDb, frozen: false, mode: config.probe.mode, preset: config.probe.preset };
    this.ownsRuntimeDir = !config.pipeline.runtimeDir;
    this.runtimeDir = config.pipeline.runtimeDir || fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-'));
    fs.mkdirSync(this.runtimeDir, { recursive: true });
  }

  async start(): Promise<void> {
    const { config } = this;
    this.identity = config.device.configDir ? readIdentity(config.device.configDir) : null;
    if (config.device.requireProvisioning && !this.identity) return this.startUnprovisioned();
    await this.startStore();
    let transport: TransportConfig = config.probe.transport;
    if (transport.kind === 'sim') {
      this.sim = simulatedProbe(this.runtimeDir, transport);
      this.sim.process.on('log', (level: 'info' | 'warn' | 'error', m: string) => this.log[level](m));
      this.sim.process.start();
      // The probe is up before the acquire stage looks for it (a real probe is plugged in first).
      await this.sim.process.whenRunning(15_000);
      transport = this.sim.transport;
    }

    const graph = compose(this.runtimeDir, {
      acquire: {
        transport,
        preset: config.probe.preset,
        mode: config.probe.mode,
        depthMm: config.probe.depthMm,
        gainDb: config.probe.gainDb,
        frameRateHz: config.probe.frameRateHz,
        transmits: config.probe.transmits,
        frozen: false,
      },
      // The active preset picks each stage's per-preset overrides (docs/imaging.md).
      beamform: { ...config.pipeline.beamform, preset: config.probe.preset },
      enhance: { ...config.pipeline.enhance, preset: config.probe.preset },
      // Beside the display path (docs/pipeline.md); off: no infer stage at all.
      ...(config.models.findings.enabled
        ? { infer: { manifest: findingsManifestPath(config), executionProviders: config.models.findings.executionProviders } }
        : {}),
    });
    this.supervisor = new Supervisor(graph);
    this.supervisor.on('log', (level: 'info' | 'warn' | 'error', m: string) => this.log[level](m));
    this.supervisor.on('stage-state', (name: string, state: string) => this.log.info(`stage ${name}: ${state}`));

    // Technician mode (docs/updates.md, "Maintenance page"): PIN-unlocked routes under /api/maintenance/.
    const maintenance = createMaintenance({
      config, log: this.log, recentLog: this.recentLog, dataDir: this.dataDir, identity: this.identity, store: this.store,
      supervisor: this.supervisor, probeTransport: transport, settings: this.settings, status: () => this.status(),
      examInProgress: async () => {
        const open = await this.exams.current();
        return open ? `exam ${open.id} (started ${open.startedAt} by ${open.operator}) is in progress` : null;
      },
      restart: () => process.kill(process.pid, 'SIGTERM'),
    }).routes;
    this.kiosk = new KioskServer({
      host: config.kiosk.host,
      port: config.kiosk.port,
      routes: {
        ...maintenance.routes,
        '/api/status': () => this.status(),
        // Prometheus text format, for fleet monitoring (docs/deployment.md); loopback like the rest.
        '/metrics': () => new TextResponse('text/plain; version=0.0.4; charset=utf-8', formatMetrics(statusSamples(this.status()))),
        ...examGetRoutes(this.exams),
        // Review (docs/api.md): the frozen cine buffer, and stored clips read back from their files.
        ...cineGetRoutes(this.cine, { frozen: () => this.settings.frozen }),
        ...clipReviewRoutes(this.clipReview),
      },
      postRoutes: {
        ...examPostRoutes(this.exams, {
          maxCaptureSeconds: config.capture.cineSeconds,
          defaultCaptureSeconds: config.capture.defaultSeconds,
        }),
        ...maintenance.postRoutes,
      },
      onFrameSent: (seq: number, sentAtMs: number) => this.sink.frameSent(seq, sentAtMs),
    });
    this.kiosk.onControl((c: KioskControl) => this.control(c));

    this.sink = new DisplaySink(graph.appInputs, (image) => {
      // Into the cine buffer first (a copy): captures come from there, never from the display path.
      this.cine.push({
        seq: image.seq,
        timeMs: image.header.frameCompleteMs,
        width: image.width,
        height: image.height,
        mmPerPixel: image.mmPerPixel,
        topDepthMm: image.topDepthMm,
        probeId: image.header.probeId,
        pixels: image.pixels,
      });
      this.kiosk.publishFrame({
        seq: image.seq,
        width: image.width,
        height: image.height,
        pixels: image.pixels,
        mmPerPixel: image.mmPerPixel,
        topDepthMm: image.topDepthMm,
        latencyMs: image.pipelineLatencyMs,
        fps: this.sink.fps(),
      });
    });

    const findingsInputs = graph.appPorts.findings;
    if (findingsInputs) {
      this.findings = new FindingsSink(findingsInputs, {
        newAggregator: clipAggregatorFactory(),
        model: () => {
          const m = this.modelStatuses()[0];
          return { name: m?.name ?? 'lung-findings', version: m?.version ?? null };
        },
        // Into the cine buffer beside its frame: a capture stores the clip's aggregate finding.
        onFrameFindings: (seq, frame, model) => {
          this.cine.attachAnalysis(seq, { model: { name: model.name, version: model.version ?? 'unknown' }, frame });
        },
      }, (f) => this.kiosk.publishFindings(f));
    }

    await this.supervisor.start();
    this.sink.start();
    this.findings?.start();
    const { url } = await this.kiosk.start();
    this.url = url;
    this.statusTimer = setInterval(() => this.kiosk.publishStatus(this.status()), 500);
    this.log.info(`kiosk at ${url} (probe: ${describeTransport(config.probe.transport)}, mode ${config.probe.mode})`);
    if (process.env.PLEURA_RELEASE_ROOT) void this.checkRelease(process.env.PLEURA_RELEASE_ROOT);
  }

  /**
   * The local store (store thread, after its recovery pass), the cine buffer, the exam workflow
   * and, when destinations are configured, the sync thread.
   */
  private async startStore(): Promise<void> {
    const { config } = this;
    this.dataDir = resolveDataDir(config.store.dataDir);
    this.lock = DataDirLock.acquire(this.dataDir);
    const budget = { reserveBytes: config.store.reserveMb * 1e6, maxDataBytes: config.store.maxDataMb * 1e6 };
    // The provisioned site key, so that pseudonyms are the device's own from its first exam.
    const provisionedKey = this.identity ? path.join(config.device.configDir, 'keys', 'site-key.bin') : null;
    const siteKeyFile = config.store.siteKeyFile || provisionedKey || path.join(this.dataDir, 'keys', 'site.key');
    const frameBytes = config.pipeline.enhance.displayWidth * config.pipeline.enhance.displayHeight;
    // A rollback asked for the pre-update database (docs/updates.md): restored before the store opens.
    const restore = applyPendingRestore(this.dataDir);
    if (restore) this.log[restore.restored ? 'warn' : 'info'](`update rollback: ${restore.detail}`);
    this.store = await StoreClient.start({
      dataDir: this.dataDir,
      budget,
      siteKeyFile,
      destinations: config.sync.destinations.map((d) => d.name),
      // Low-disk mode starts while the longest capture would still fit: warn before refusing.
      typicalClipBytes: Math.ceil(config.capture.cineSeconds * config.probe.frameRateHz * 1.25) * frameBytes,
    });
    const r = this.store.recovery;
    this.log.info(
      `store at ${this.dataDir}: ${this.store.migrations.map((m) => `migrated v${m.from}→v${m.to}`).join(', ') || 'schema current'}; ` +
        `recovery removed ${r.tempFilesRemoved} temp and ${r.orphanFilesRemoved} orphan files, finished ${r.examsFinished.length} exams` +
        (r.damagedClips.length ? `, DAMAGED clips: ${r.damagedClips.join(', ')}` : ''),
    );
    this.cine = new CineBuffer({ seconds: config.capture.cineSeconds, maxFrameRateHz: config.probe.frameRateHz, maxBytes: config.capture.maxCineMb * 1e6 });
    this.exams = new ExamService(this.store, this.cine, () => this.captureContext(), () => {
      this.sync?.kick();
      void this.refreshStorage();
    });
    // Reads only: the store thread still writes every file (BlobStore's constructor only makes sure its folders exist).
    const blobs = new BlobStore(this.dataDir);
    this.clipReview = new ClipReview({ clip: (id) => this.exams.clip(id), dicomPath: (sha256) => blobs.pathOf(sha256) });
    if (config.sync.destinations.length > 0) {
      try {
        this.sync = await SyncClient.start({ dataDir: this.dataDir, siteKeyFile, budget, sync: config.sync }, (level, m) => this.log[level](m));
        this.log.info(`sync to ${config.sync.destinations.map((d) => `${d.name} (${d.kind})`).join(', ')}`);
      } catch (err) {
        // Capturing must not depend on the network side: exams wait in the outbox meanwhile.
        this.log.error(`sync not started: ${(err as Error).message}; exams are stored and wait in the outbox`);
      }
    } else {
      this.log.info('no sync destination configured: finished exams wait in the outbox (docs/sync.md)');
    }
    await this.refreshStorage();
    this.storageTimer = setInterval(() => void this.refreshStorage(), 2000);
    this.storageTimer.unref();
  }

  private async refreshStorage(): Promise<void> {
    try {
      this.storage = (await this.store?.call('storage')) ?? null;
    } catch (err) {
      this.log.warn(`storage status: ${(err as Error).message}`);
    }
  }

  private captureContext(): CaptureContext {
    const acquire = this.supervisor?.status().find((s) => s.name === 'acquire');
    const probe = acquire?.detail.probe as ProbeStatus | undefined;
    return {
      probe: { model: probe?.model ?? 'unknown', serial: probe?.serial ?? '' },
      preset: this.settings.preset,
      depthMm: this.settings.depthMm,
      gainDb: this.settings.gainDb,
      frameRateHz: this.config.probe.frameRateHz,
    };
  }

  control(c: KioskControl): void {
    switch (c.type) {
      case 'freeze':
        this.settings.frozen = c.frozen;
        this.supervisor.control('acquire', { type: 'freeze', frozen: c.frozen });
        break;
      case 'depth':
        this.settings.depthMm = c.depthMm;
        // A new depth is a new view: the zone score starts again.
        this.findings?.resetZone();
        this.supervisor.control('acquire', { type: 'configure', depthMm: c.depthMm });
        break;
      case 'gain':
        this.settings.gainDb = c.gainDb;
        this.supervisor.control('acquire', { type: 'configure', gainDb: c.gainDb });
        break;
      case 'preset': {
        const preset = scanPreset(c.preset);
        if (!preset) {
          this.log.warn(`control: unknown preset "${c.preset}" ignored; known: ${SCAN_PRESETS.map((p) => p.name).join(', ')}`);
          return;
        }
        Object.assign(this.settings, { preset: preset.name, depthMm: preset.depthMm, gainDb: preset.gainDb });
        this.findings?.resetZone();
        this.supervisor.control('acquire', { type: 'configure', depthMm: preset.depthMm, gainDb: preset.gainDb });
        // The beamformer's and the enhancement's per-preset overrides (docs/imaging.md).
        for (const stage of ['beamform', 'enhance']) {
          if (this.supervisor.status().some((s) => s.name === stage)) this.supervisor.control(stage, { type: 'settings', settings: { preset: preset.name } });
        }
        break;
      }
    }
    this.log.info(`control: ${JSON.stringify(c)}`);
  }

  /**
   * A release on trial confirms itself here once its self-test passes, or is rolled back (and the
   * app exits so that the service manager starts the previous release). Outside an installed
   * layout (no PLEURA_RELEASE_ROOT) nothing happens.
   */
  private async checkRelease(root: string): Promise<void> {
    const version = (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    const result = await bootCheck(new ReleaseLayout(root), version, deviceSelfTest({
      storeOpen: () => this.store !== null,
      probeState: () => this.status().probe.state,
      // The findings model, when configured, must reproduce its golden output (on this
      // machine's execution provider); a release that cannot load it fails its trial.
      modelChecks: async () => (this.config.models.findings.enabled ? [await checkGolden(findingsManifestPath(this.config), { providers: this.config.models.findings.executionProviders, intraOpThreads: 1 })] : []),
    }), { restoreDatabase: (backup) => requestRestore(this.dataDir, backup, `release ${version} failed its trial`) });
    if (result.outcome === 'rolled-back') {
      this.log.error(`release ${version} failed its trial and was rolled back: ${result.detail}; restarting into the previous release`);
      process.kill(process.pid, 'SIGTERM');
    } else if (result.outcome === 'confirmed') {
      this.log.info(`release ${version} passed its self-test and is confirmed: ${result.detail}`);
    }
  }

  /**
   * Not provisioned: no probe, no store, no scanning — only the kiosk, saying what to do. A device
   * without its keys must not take patient data it could not pseudonymize or send.
   */
  private async startUnprovisioned(): Promise<void> {
    const dir = this.config.device.configDir;
    this.log.warn(`not provisioned: ${path.join(dir, 'device.json')} is missing; scanning is disabled until a technician runs pleura provision`);
    const status = () => ({ uptimeS: Math.round((Date.now() - this.startedAtMs) / 1000), device: { provisioned: false, configDir: dir }, probe: { state: 'disconnected' }, pipeline: { fps: 0, degraded: false, framesShown: 0, stages: {} } });
    this.kiosk = new KioskServer({ host: this.config.kiosk.host, port: this.config.kiosk.port, routes: { '/api/status': status } });
    this.url = (await this.kiosk.start()).url;
    this.statusTimer = setInterval(() => this.kiosk.publishStatus(status()), 1000);
    this.log.info(`kiosk at ${this.url} (not provisioned)`);
  }

  status(): DeviceStatus {
    return buildStatus({
      device: this.identity ? { provisioned: true, serial: this.identity.serial, site: this.identity.site } : { provisioned: null },
      stages: this.supervisor.status(),
      sink: this.sink,
      settings: this.settings,
      uptimeS: (Date.now() - this.startedAtMs) / 1000,
      probeProcess: this.sim?.process ?? null,
      kiosk: kioskCounters(this.kiosk),
      storage: this.storage,
      sync: this.sync?.status ?? null,
      cine: { frames: this.cine.size, capacityFrames: this.cine.capacityFrames, memoryBytes: this.cine.memoryBytes() },
      capture: { defaultSeconds: this.config.capture.defaultSeconds, cineSeconds: this.config.capture.cineSeconds },
      models: this.modelStatuses(),
    });
  }

  /** The models the device runs (today the findings model in the infer stage), as /api/status reports them. */
  modelStatuses(): ModelReport[] {
    return this.supervisor && this.findings ? modelReports(this.supervisor.status(), this.findings) : [];
  }

  async stop(): Promise<void> {
    if (this.statusTimer) clearInterval(this.statusTimer);
    await this.kiosk?.stop();
    this.sink?.stop();
    this.findings?.stop();
    await this.supervisor?.stop();
    await this.sim?.process.stop();
    if (this.storageTimer) clearInterval(this.storageTimer);
    await this.sync?.stop();
    await this.store?.close();
    this.lock?.release();
    if (this.ownsRuntimeDir) fs.rmSync(this.runtimeDir, { recursive: true, force: true });
  }
}

function kioskCounters(k: KioskServer): Record<string, number> {
  const { clients, framesPublished, framesSent, framesDropped } = k.stats();
  return { clients, framesPublished, framesSent, framesDropped };
}

export function describeTransport(t: TransportConfig): string {
  switch (t.kind) {
    case 'sim':
      return `simulated ${t.probeModel} over ${t.link}`;
    case 'serial':
      return `serial ${t.path}`;
    case 'socket':
      return `socket ${t.address}`;
    case 'usb':
      return `usb ${t.vendorId.toString(16)}:${t.productId.toString(16)}`;
  }
}
