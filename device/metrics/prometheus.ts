/**
 * The device's status in the Prometheus text exposition format (version 0.0.4), for fleet
 * monitoring: frames, drops, latency, stage restarts, probe state and temperature, uptime, and
 * whatever the other parts of the device add (disk, sync backlog, model versions) as gauges.
 * Served on loopback only; docs/deployment.md says how to ship it.
 */
import type { DeviceStatus } from '../status.js';

export interface Sample {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  values: Array<{ labels?: Record<string, string>; value: number }>;
}

const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

export function formatMetrics(samples: Sample[]): string {
  const lines: string[] = [];
  for (const s of samples) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(s.name)) throw new RangeError(`metric name ${s.name} is not valid`);
    lines.push(`# HELP ${s.name} ${s.help.replace(/\n/g, ' ')}`, `# TYPE ${s.name} ${s.type}`);
    for (const v of s.values) {
      if (!Number.isFinite(v.value)) continue;
      const labels = v.labels && Object.keys(v.labels).length ? `{${Object.entries(v.labels).map(([k, val]) => `${k}="${escape(val)}"`).join(',')}}` : '';
      lines.push(`${s.name}${labels} ${v.value}`);
    }
  }
  return lines.join('\n') + '\n';
}

const PROBE_STATES = ['disconnected', 'connecting', 'identifying', 'ready', 'streaming', 'incompatible'];

export function statusSamples(status: Pick<DeviceStatus, 'uptimeS' | 'probe' | 'pipeline' | 'latencyMs'> & Partial<Pick<DeviceStatus, 'storage' | 'sync' | 'models'>>): Sample[] {
  return [...pipelineSamples(status), ...storageSamples(status), ...modelSamples(status)];
}

/** Which model version runs where (an "info" gauge, 1 per model), and its inference cost. */
function modelSamples(status: Partial<Pick<DeviceStatus, 'models'>>): Sample[] {
  const models = status.models ?? [];
  if (!models.length) return [];
  const info = (m: (typeof models)[number]) => ({ model: m.name, version: m.version ?? '', execution_provider: m.executionProvider ?? '', state: m.state });
  return [
    { name: 'pleura_model_info', help: 'A loaded (or refused) model: version, execution provider and state as labels; value 1.', type: 'gauge', values: models.map((m) => ({ labels: info(m), value: 1 })) },
    { name: 'pleura_model_running', help: '1 while the model runs on live frames.', type: 'gauge', values: models.map((m) => ({ labels: { model: m.name }, value: m.state === 'running' ? 1 : 0 })) },
    { name: 'pleura_model_inference_ms', help: 'Per-frame inference in the infer stage, ms.', type: 'gauge', values: models.flatMap((m) => [{ labels: { model: m.name, quantile: '0.5' }, value: m.latencyMsP50 ?? NaN }, { labels: { model: m.name, quantile: '0.99' }, value: m.latencyMsP99 ?? NaN }]) },
    { name: 'pleura_model_frames_analyzed_total', help: 'Frames the model analysed.', type: 'counter', values: models.map((m) => ({ labels: { model: m.name }, value: m.framesAnalyzed })) },
    { name: 'pleura_model_frames_skipped_total', help: 'Display frames the infer stage had no time for (newest frame wins).', type: 'counter', values: models.map((m) => ({ labels: { model: m.name }, value: m.droppedFrames })) },
  ];
}

function storageSamples(status: Partial<Pick<DeviceStatus, 'storage' | 'sync'>>): Sample[] {
  const out: Sample[] = [];
  const st = status.storage;
  if (st) {
    out.push(
      { name: 'pleura_disk_free_bytes', help: 'Free bytes on the data disk.', type: 'gauge', values: [{ value: st.freeBytes }] },
      { name: 'pleura_data_bytes', help: 'Bytes used by stored exams.', type: 'gauge', values: [{ value: st.usedBytes }] },
      { name: 'pleura_low_disk', help: '1 while new captures are refused for lack of disk.', type: 'gauge', values: [{ value: st.lowDisk ? 1 : 0 }] },
      { name: 'pleura_exams_unsynced', help: 'Exams not yet delivered to every destination.', type: 'gauge', values: [{ value: st.unsyncedExams }] },
      { name: 'pleura_sync_backlog_objects', help: 'DICOM objects waiting to be delivered and verified.', type: 'gauge', values: [{ value: st.pendingObjects }] },
    );
  }
  if (status.sync) {
    out.push({ name: 'pleura_sync_destination_online', help: '1 when the last request to the destination got through.', type: 'gauge', values: status.sync.destinations.map((d) => ({ labels: { destination: d.name }, value: d.online ? 1 : 0 })) });
    out.push({ name: 'pleura_sync_objects_verified_total', help: 'Objects verified at the destination.', type: 'counter', values: status.sync.destinations.map((d) => ({ labels: { destination: d.name }, value: d.objectsVerified })) });
  }
  return out;
}

function pipelineSamples(status: Pick<DeviceStatus, 'uptimeS' | 'probe' | 'pipeline' | 'latencyMs'>): Sample[] {
  const stages = Object.entries(status.pipeline.stages);
  const perStage = (pick: (s: DeviceStatus['pipeline']['stages'][string]) => number) => stages.map(([stage, s]) => ({ labels: { stage }, value: pick(s) }));
  return [
    { name: 'pleura_uptime_seconds', help: 'Seconds since the device app started.', type: 'gauge', values: [{ value: status.uptimeS }] },
    { name: 'pleura_display_frames_per_second', help: 'Frames shown per second over the last second.', type: 'gauge', values: [{ value: status.pipeline.fps }] },
    { name: 'pleura_frames_shown_total', help: 'Display frames handed to the kiosk.', type: 'counter', values: [{ value: status.pipeline.framesShown }] },
    { name: 'pleura_stage_frames_in_total', help: 'Frames received by each pipeline stage.', type: 'counter', values: perStage((s) => s.framesIn) },
    { name: 'pleura_stage_frames_out_total', help: 'Frames sent on by each pipeline stage.', type: 'counter', values: perStage((s) => s.framesOut) },
    { name: 'pleura_stage_frames_dropped_total', help: 'Frames dropped by each stage (newest frame wins).', type: 'counter', values: perStage((s) => s.dropped) },
    { name: 'pleura_stage_restarts_total', help: 'Restarts of each stage process by the supervisor.', type: 'counter', values: perStage((s) => s.restarts) },
    { name: 'pleura_stage_processing_ms', help: 'Per-frame processing time of each stage, ms.', type: 'gauge', values: stages.flatMap(([stage, s]) => [{ labels: { stage, quantile: '0.5' }, value: s.processMsP50 }, { labels: { stage, quantile: '0.99' }, value: s.processMsP99 }]) },
    { name: 'pleura_pipeline_degraded', help: '1 while a stage is being restarted.', type: 'gauge', values: [{ value: status.pipeline.degraded ? 1 : 0 }] },
    {
      name: 'pleura_latency_ms',
      help: 'Frame complete (acquire) to WebSocket sent, ms.',
      type: 'gauge',
      values: [
        { labels: { quantile: '0.5' }, value: status.latencyMs.p50 ?? NaN },
        { labels: { quantile: '0.99' }, value: status.latencyMs.p99 ?? NaN },
      ],
    },
    { name: 'pleura_probe_state', help: 'The probe link state (1 for the current one).', type: 'gauge', values: PROBE_STATES.map((state) => ({ labels: { state }, value: status.probe.state === state ? 1 : 0 })) },
    { name: 'pleura_probe_temperature_celsius', help: 'Probe temperature as it reports it.', type: 'gauge', values: [{ value: status.probe.temperatureC ?? NaN }] },
  ];
}
