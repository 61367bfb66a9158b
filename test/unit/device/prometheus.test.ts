import test from 'ava';
import { formatMetrics, statusSamples } from '../../../device/metrics/prometheus.js';

const status: Parameters<typeof statusSamples>[0] = {
  uptimeS: 42,
  probe: { state: 'streaming', temperatureC: 31.5 },
  pipeline: {
    fps: 19,
    degraded: false,
    framesShown: 800,
    stages: { beamform: { state: 'running', restarts: 1, framesIn: 810, framesOut: 805, dropped: 5, malformed: 0, processMsP50: 71.2, processMsP99: 110, lastError: null } },
  },
  latencyMs: { p50: 98.3, p99: null, max: null, samples: 10 },
};

test('the status in Prometheus text format: HELP and TYPE per metric, labels, no NaN lines', (t) => {
  const text = formatMetrics(statusSamples(status));
  t.regex(text, /^# HELP pleura_uptime_seconds .+\n# TYPE pleura_uptime_seconds gauge\npleura_uptime_seconds 42\n/m);
  t.regex(text, /^pleura_stage_frames_dropped_total\{stage="beamform"\} 5$/m);
  t.regex(text, /^pleura_stage_processing_ms\{stage="beamform",quantile="0\.99"\} 110$/m);
  t.regex(text, /^pleura_probe_state\{state="streaming"\} 1$/m);
  t.regex(text, /^pleura_probe_state\{state="disconnected"\} 0$/m);
  t.regex(text, /^pleura_latency_ms\{quantile="0\.5"\} 98\.3$/m);
  t.notRegex(text, /NaN/);
  // Every sample line is name{labels} value.
  for (const line of text.trim().split('\n').filter((l) => !l.startsWith('#'))) t.regex(line, /^[a-z_]+(\{[a-z]+="[^"]*"(,[a-z]+="[^"]*")*\})? -?\d+(\.\d+)?$/);
});

test('label values are escaped', (t) => {
  const text = formatMetrics([{ name: 'x', help: 'h', type: 'gauge', values: [{ labels: { v: 'a"b\\c\nd' }, value: 1 }] }]);
  t.regex(text, /x\{v="a\\"b\\\\c\\nd"\} 1/);
  t.throws(() => formatMetrics([{ name: 'bad-name', help: '', type: 'gauge', values: [] }]));
});

test('served as text by the kiosk server, not as JSON', async (t) => {
  const { KioskServer, TextResponse } = await import('../../../ui-kiosk/server/kiosk-server.js');
  const server = new KioskServer({ host: '127.0.0.1', port: 0, routes: { '/metrics': () => new TextResponse('text/plain; version=0.0.4; charset=utf-8', formatMetrics(statusSamples(status))) } });
  const { url } = await server.start();
  try {
    const res = await fetch(new URL('/metrics', url));
    t.is(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    t.regex(await res.text(), /^pleura_frames_shown_total 800$/m);
  } finally {
    await server.stop();
  }
});

test('model versions and their execution provider are exported for the fleet', (t) => {
  const text = formatMetrics(
    statusSamples({
      ...status,
      models: [
        { name: 'lung-findings', version: '1.0.0', state: 'running', executionProvider: 'cpu', manifest: 'm.json', error: null, stage: 'infer', latencyMsP50: 2.5, latencyMsP99: 9.1, framesAnalyzed: 120, droppedFrames: 3, ratePerS: 29.5, findingsAgeMsP50: 6 },
      ],
    }),
  );
  t.regex(text, /^pleura_model_info\{model="lung-findings",version="1\.0\.0",execution_provider="cpu",state="running"\} 1$/m);
  t.regex(text, /^pleura_model_running\{model="lung-findings"\} 1$/m);
  t.regex(text, /^pleura_model_inference_ms\{model="lung-findings",quantile="0\.99"\} 9\.1$/m);
  t.regex(text, /^pleura_model_frames_skipped_total\{model="lung-findings"\} 3$/m);
});
