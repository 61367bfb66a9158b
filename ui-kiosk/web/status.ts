import type { ProbeState } from './protocol.js';

/** What the page needs from a device status, after tolerant parsing: absent means "not known". */
export interface StatusView {
  probe: {
    state: ProbeState | 'unknown';
    model?: string;
    temperatureC?: number;
    batteryPercent?: number;
  };
  /** pipeline.degraded, or any stage reporting state "restarting". */
  degraded: boolean;
  restartingStages: string[];
  settings: { depthMm?: number; gainDb?: number; frozen?: boolean; preset?: string };
  /** Preset names the device offers, in order (empty when it says none). */
  presets: string[];
  /** False only when the device says it must be provisioned before use. */
  provisioned: boolean;
  /** The store refuses new captures for lack of disk. */
  lowDisk: boolean;
  /** The probe reports over-temperature (STATUS flag) or above 41 °C. */
  overTemperature: boolean;
  /** Bytes the store can still fill with clips: free disk above the reserve, within the data budget. */
  storageLeftBytes?: number;
  /** The length of a capture when none is asked for (`capture.defaultSeconds`). */
  captureSeconds?: number;
  /** Finished exams not yet at every destination, and whether any destination answers (undefined: none configured). */
  sync?: { unsyncedExams: number; online: boolean | undefined; destinations: number };
  /** The findings model (status `models[]`, the infer stage's); undefined when AI findings are off. */
  findingsModel?: { state: 'loading' | 'running' | 'missing' | 'refused' | 'failed'; executionProvider?: string };
}

const MODEL_STATES: readonly string[] = ['loading', 'running', 'missing', 'refused', 'failed'];

/** The probe's STATUS over-temperature flag (docs/probe-protocol.md). */
const OVER_TEMPERATURE_FLAG = 1;
/** Surface temperature above which a probe must rest (IEC 60601-2-37 allows 43 °C on skin). */
const OVER_TEMPERATURE_C = 41;

const PROBE_STATES: readonly string[] = ['disconnected', 'connecting', 'identifying', 'ready', 'streaming', 'incompatible'];

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Never throws: a malformed or partial status renders as "unknown" parts, not a blank page. */
export function readStatus(raw: unknown): StatusView {
  const status = record(raw);
  const probe = record(status['probe']);
  const pipeline = record(status['pipeline']);
  const settings = record(status['settings']);

  const state = probe['state'];
  const restartingStages = Object.entries(record(pipeline['stages']))
    .filter(([, stage]) => record(stage)['state'] === 'restarting')
    .map(([name]) => name);

  const view: StatusView = {
    probe: { state: typeof state === 'string' && PROBE_STATES.includes(state) ? (state as ProbeState) : 'unknown' },
    degraded: pipeline['degraded'] === true || restartingStages.length > 0,
    restartingStages,
    settings: {},
    presets: Array.isArray(status['presets'])
      ? (status['presets'] as unknown[]).map((p) => record(p)['name']).filter((n): n is string => typeof n === 'string')
      : [],
    provisioned: record(status['device'])['provisioned'] !== false,
    lowDisk: record(status['storage'])['lowDisk'] === true,
    overTemperature: ((finite(probe['errorFlags']) ?? 0) & OVER_TEMPERATURE_FLAG) !== 0 || (finite(probe['temperatureC']) ?? 0) > OVER_TEMPERATURE_C,
  };
  if (typeof probe['model'] === 'string') view.probe.model = probe['model'];
  const temperatureC = finite(probe['temperatureC']);
  if (temperatureC !== undefined) view.probe.temperatureC = temperatureC;
  const batteryPercent = finite(probe['batteryPercent']);
  if (batteryPercent !== undefined) view.probe.batteryPercent = batteryPercent;

  const storage = record(status['storage']);
  const freeBytes = finite(storage['freeBytes']);
  if (freeBytes !== undefined) {
    let left = freeBytes - (finite(storage['reserveBytes']) ?? 0);
    const maxData = finite(storage['maxDataBytes']) ?? 0;
    if (maxData > 0) left = Math.min(left, maxData - (finite(storage['usedBytes']) ?? 0));
    view.storageLeftBytes = Math.max(0, left);
  }
  const captureSeconds = finite(record(status['capture'])['defaultSeconds']);
  if (captureSeconds !== undefined && captureSeconds > 0) view.captureSeconds = captureSeconds;
  const unsynced = finite(storage['unsyncedExams']);
  if (unsynced !== undefined) {
    const destinations = Array.isArray(record(status['sync'])['destinations']) ? (record(status['sync'])['destinations'] as unknown[]).map(record) : [];
    // A destination's `online` is null until it has been tried: offline only when every one failed.
    const online = destinations.some((d) => d['online'] === true) ? true
      : destinations.length > 0 && destinations.every((d) => d['online'] === false) ? false : undefined;
    view.sync = { unsyncedExams: unsynced, online, destinations: destinations.length };
  }

  const models = Array.isArray(status['models']) ? (status['models'] as unknown[]).map(record) : [];
  const findings = models.find((m) => m['stage'] === 'infer') ?? models[0];
  if (findings) {
    const state = findings['state'];
    view.findingsModel = { state: typeof state === 'string' && MODEL_STATES.includes(state) ? (state as NonNullable<StatusView['findingsModel']>['state']) : 'failed' };
    if (typeof findings['executionProvider'] === 'string') view.findingsModel.executionProvider = findings['executionProvider'];
  }

  const depthMm = finite(settings['depthMm']);
  if (depthMm !== undefined && depthMm > 0) view.settings.depthMm = depthMm;
  const gainDb = finite(settings['gainDb']);
  if (gainDb !== undefined) view.settings.gainDb = gainDb;
  if (typeof settings['frozen'] === 'boolean') view.settings.frozen = settings['frozen'];
  if (typeof settings['preset'] === 'string') view.settings.preset = settings['preset'];
  return view;
}
