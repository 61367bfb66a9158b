/**
 * The device application: starts the probe (simulated when configured), the pipeline stages
 * under a supervisor, the display sink and the kiosk; answers /api/status; forwards the kiosk's
 * controls to the probe; and shuts all of it down in order.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DeviceConfig, TransportConfig } from './config/schema.js';
import { DisplaySink } from './display/display-sink.js';
import { simulatedProbe, type SimulatedProbeLink } from './probe/simulated-probe-process.js';
import { buildStatus, type DeviceStatus } from './status.js';
import { compose } from '../pipeline/graph.js';
import { Supervisor } from '../pipeline/supervision/supervisor.js';
import { KioskServer, type KioskControl } from '../ui-kiosk/server/kiosk-server.js';
import type { Logger } from './log.js';

export interface Settings {
  depthMm: number;
  gainDb: number;
  frozen: boolean;
  mode: 'rf' | 'bmode';
}

export class DeviceApp {
  readonly settings: Settings;
  readonly runtimeDir: string;
  private readonly ownsRuntimeDir: boolean;
  supervisor!: Supervisor;
  sink!: DisplaySink;
  kiosk!: KioskServer;
  sim: SimulatedProbeLink | null = null;
  url = '';
  private statusTimer: NodeJS.Timeout | null = null;
  private readonly startedAtMs = Date.now();

  constructor(readonly config: DeviceConfig, private readonly log: Logger) {
    this.settings = { depthMm: config.probe.depthMm, gainDb: config.probe.gainDb, frozen: false, mode: config.probe.mode };
    this.ownsRuntimeDir = !config.pipeline.runtimeDir;
    this.runtimeDir = config.pipeline.runtimeDir || fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-'));
    fs.mkdirSync(this.runtimeDir, { recursive: true });
  }

  async start(): Promise<void> {
    const { config } = this;
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
      beamform: { ...config.pipeline.beamform },
      enhance: { ...config.pipeline.enhance },
    });
    this.supervisor = new Supervisor(graph);
    this.supervisor.on('log', (level: 'info' | 'warn' | 'error', m: string) => this.log[level](m));
    this.supervisor.on('stage-state', (name: string, state: string) => this.log.info(`stage ${name}: ${state}`));

    this.kiosk = new KioskServer({
      host: config.kiosk.host,
      port: config.kiosk.port,
      routes: { '/api/status': () => this.status() },
      onFrameSent: (seq: number, sentAtMs: number) => this.sink.frameSent(seq, sentAtMs),
    });
    this.kiosk.onControl((c: KioskControl) => this.control(c));

    this.sink = new DisplaySink(graph.appInputs, (image) =>
      this.kiosk.publishFrame({
        seq: image.seq,
        width: image.width,
        height: image.height,
        pixels: image.pixels,
        mmPerPixel: image.mmPerPixel,
        topDepthMm: image.topDepthMm,
        latencyMs: image.pipelineLatencyMs,
        fps: this.sink.fps(),
      }),
    );

    await this.supervisor.start();
    this.sink.start();
    const { url } = await this.kiosk.start();
    this.url = url;
    this.statusTimer = setInterval(() => this.kiosk.publishStatus(this.status()), 500);
    this.log.info(`kiosk at ${url} (probe: ${describeTransport(config.probe.transport)}, mode ${config.probe.mode})`);
  }

  control(c: KioskControl): void {
    switch (c.type) {
      case 'freeze':
        this.settings.frozen = c.frozen;
        this.supervisor.control('acquire', { type: 'freeze', frozen: c.frozen });
        break;
      case 'depth':
        this.settings.depthMm = c.depthMm;
        this.supervisor.control('acquire', { type: 'configure', depthMm: c.depthMm });
        break;
      case 'gain':
        this.settings.gainDb = c.gainDb;
        this.supervisor.control('acquire', { type: 'configure', gainDb: c.gainDb });
        break;
    }
    this.log.info(`control: ${JSON.stringify(c)}`);
  }

  status(): DeviceStatus {
    return buildStatus({
      stages: this.supervisor.status(),
      sink: this.sink,
      settings: this.settings,
      uptimeS: (Date.now() - this.startedAtMs) / 1000,
      probeProcess: this.sim?.process ?? null,
      kiosk: kioskCounters(this.kiosk),
    });
  }

  async stop(): Promise<void> {
    if (this.statusTimer) clearInterval(this.statusTimer);
    await this.kiosk?.stop();
    this.sink?.stop();
    await this.supervisor?.stop();
    await this.sim?.process.stop();
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
