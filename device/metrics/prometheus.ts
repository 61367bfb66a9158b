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

export function statusSamples(status: Pick<DeviceStatus, 'uptimeS' | 'probe' | 'pipeline' | 'latencyMs'>): Sample[] {
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
