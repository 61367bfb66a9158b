/**
 * GET /api/status: what the kiosk and a technician need to know about the device right now.
 * The shape is documented in docs/api.md.
 */
import type { DisplaySink } from './display/display-sink.js';
import type { FindingsSink } from './display/findings-sink.js';
import type { ModelStatus } from '../pipeline/infer/model-status.js';
import type { StageStatus } from '../pipeline/supervision/supervisor.js';
import type { ManagedProcess } from '../pipeline/supervision/managed-process.js';
import type { Settings } from './app.js';
import type { StorageStatus } from './store/store.js';
import { SCAN_PRESETS, type ScanPreset } from './config/scan-presets.js';
import type { SyncStatus } from './sync/sync-status.js';

export interface ProbeStatus {
  state: string;
  model?: string;
  serial?: string;
  firmwareVersion?: string;
  temperatureC?: number;
  supplyVoltageV?: number;
  batteryPercent?: number;
  errorFlags?: number;
  link?: Record<string, number>;
  lastError?: string | null;
}

export interface DeviceStatus {
  uptimeS: number;
  /** provisioned: true with identity on a provisioned device, null where provisioning is not used. */
  device: { provisioned: boolean | null; serial?: string; site?: string };
  probe: ProbeStatus;
  pipeline: {
    fps: number;
    degraded: boolean;
    framesShown: number;
    stages: Record<string, { state: string; pid?: number | undefined; restarts: number; framesIn: number; framesOut: number; dropped: number; malformed: number; processMsP50: number; processMsP99: number; lastError: string | null }>;
  };
  /** Frame complete at acquire → sent on the kiosk WebSocket, over the last frames. */
  latencyMs: { p50: number | null; p99: number | null; max: number | null; samples: number };
  settings: Settings;
  /** The scanning presets the kiosk offers (device/config/scan-presets.ts). */
  presets: readonly ScanPreset[];
  kiosk: Record<string, number>;
  simulator?: { state: string; restarts: number; pid: number | undefined };
  /** The local store: free disk, budget, low-disk mode, exams not yet synced (docs/storage.md). */
  storage: StorageStatus | null;
  /** Per-destination sync state; null when no destination is configured (docs/sync.md). */
  sync: SyncStatus | null;
  /** The cine buffer captures are taken from. */
  cine: { frames: number; capacityFrames: number; memoryBytes: number };
  /** Clip lengths (config `capture`): a capture's default seconds, and the most it may ask for. */
  capture?: { defaultSeconds: number; cineSeconds: number };
  /** Models the device runs, with the execution provider each runs on or why it does not run; empty when AI is off. */
  models: ModelReport[];
}

/** One model in /api/status (docs/api.md). */
export interface ModelReport extends ModelStatus {
  /** The stage that runs it. */
  stage: string;
  /** Inference per frame in the stage (decode, preprocess, model, findings), ms. */
  latencyMsP50: number | null;
  latencyMsP99: number | null;
  framesAnalyzed: number;
  /** Display frames the stage had no time for (skipped at enhance: newest frame wins). */
  droppedFrames: number;
  /** Findings per second arriving in the app. */
  ratePerS: number;
  /** Frame complete (acquire) → findings in the app, ms. */
  findingsAgeMsP50: number | null;
}

/** The infer stage's model report from its telemetry and enhance's per-consumer counts. */
export function modelReports(stages: StageStatus[], sink: FindingsSink): ModelReport[] {
  const infer = stages.find((s) => s.name === 'infer');
  if (!infer) return [];
  const enhance = stages.find((s) => s.name === 'enhance');
  const model = infer.detail.model as ModelStatus | undefined;
  const c = infer.counters;
  const analyzing = model?.state === 'running' && (c?.framesIn ?? 0) > 0;
  const r = (v: number) => (Number.isFinite(v) ? Math.round(v * 10) / 10 : null);
  return [
    {
      ...(model ?? { name: 'lung-findings', version: null, state: 'loading', executionProvider: null, manifest: '', error: null }),
      stage: 'infer',
      latencyMsP50: analyzing ? c!.processMsP50 : null,
      latencyMsP99: analyzing ? c!.processMsP99 : null,
      framesAnalyzed: c?.framesIn ?? 0,
      droppedFrames: enhance?.counters?.consumers?.image?.infer?.dropped ?? 0,
      ratePerS: sink.fps(),
      findingsAgeMsP50: sink.ageMs.size ? r(sink.ageMs.percentile(50)) : null,
    },
  ];
}

export function buildStatus(input: {
  device: DeviceStatus['device'];
  stages: StageStatus[];
  sink: DisplaySink;
  settings: Settings;
  uptimeS: number;
  probeProcess: ManagedProcess | null;
  kiosk: Record<string, number>;
  storage: StorageStatus | null;
  sync: SyncStatus | null;
  cine: DeviceStatus['cine'];
  capture?: DeviceStatus['capture'];
  models?: ModelReport[];
}): DeviceStatus {
  const stages: DeviceStatus['pipeline']['stages'] = {};
  for (const s of input.stages) {
    const c = s.counters;
    stages[s.name] = {
      state: s.state,
      pid: s.pid,
      restarts: s.restarts,
      framesIn: c?.framesIn ?? 0,
      framesOut: c?.framesOut ?? 0,
      dropped: c?.dropped ?? 0,
      malformed: c?.malformed ?? 0,
      processMsP50: c?.processMsP50 ?? 0,
      processMsP99: c?.processMsP99 ?? 0,
      lastError: c?.lastError ?? null,
    };
  }
  stages.app = {
    state: 'running',
    pid: process.pid,
    restarts: 0,
    framesIn: input.sink.receiver.received,
    framesOut: input.sink.framesShown,
    dropped: input.sink.receiver.dropped,
    malformed: input.sink.receiver.malformed,
    processMsP50: 0,
    processMsP99: 0,
    lastError: input.sink.receiver.lastError,
  };
  const acquire = input.stages.find((s) => s.name === 'acquire');
  const probe = (acquire?.detail.probe as ProbeStatus | undefined) ?? { state: 'disconnected' };
  const lat = input.sink.sentLatency;
  const r = (v: number) => (Number.isFinite(v) ? Math.round(v * 10) / 10 : null);
  return {
    uptimeS: Math.round(input.uptimeS),
    device: input.device,
    probe: acquire && acquire.state === 'running' ? probe : { ...probe, state: 'disconnected' },
    pipeline: {
      fps: input.sink.fps(),
      degraded: input.stages.some((s) => s.state !== 'running'),
      framesShown: input.sink.framesShown,
      stages,
    },
    latencyMs: { p50: r(lat.percentile(50)), p99: r(lat.percentile(99)), max: lat.size ? r(lat.max) : null, samples: lat.size },
    settings: { ...input.settings },
    presets: SCAN_PRESETS,
    kiosk: input.kiosk,
    storage: input.storage,
    sync: input.sync,
    cine: input.cine,
    ...(input.capture ? { capture: input.capture } : {}),
    models: input.models ?? [],
    ...(input.probeProcess ? { simulator: { state: input.probeProcess.state, restarts: input.probeProcess.restarts, pid: input.probeProcess.pid } } : {}),
  };
}
