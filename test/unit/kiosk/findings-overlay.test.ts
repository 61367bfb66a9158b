import test from 'ava';
import { findingsForFrame, MAX_SEQ_DISTANCE } from '../../../ui-kiosk/web/findings-overlay.js';
import type { KioskFindings } from '../../../ui-kiosk/web/protocol.js';
import { loadConfig } from '../../../device/config/load.js';
import { DEFAULT_FINDINGS_MANIFEST, findingsManifestPath } from '../../../device/config/models.js';

function findings(seq: number, width = 640, height = 480): KioskFindings {
  return {
    seq, width, height,
    quality: { usable: true, score: 0.9, reasons: [] },
    pleura: { present: true, yPx: 100, extentPx: [[10, 600]] },
    bLines: { count: 1, positionsPx: [300], confluent: false },
    aLines: false, sliding: 'present', consolidation: null, effusion: null, zone: null,
    model: { name: 'm', version: '1.0.0' },
  };
}

const frame = (seq: number, width = 640, height = 480) => ({ seq, width, height, mmPerPixel: 0.2, topDepthMm: 0 });

test('findings are drawn on their own frame or a near one, the nearest winning; never on a far or differently sized one', (t) => {
  const all = [findings(100), findings(103), findings(90, 320, 240)];
  t.is(findingsForFrame(frame(103), all)?.seq, 103);
  t.is(findingsForFrame(frame(105), all)?.seq, 103, 'findings arrive after their frame: the newest near one');
  t.is(findingsForFrame(frame(101), all)?.seq, 100);
  t.is(findingsForFrame(frame(103 + MAX_SEQ_DISTANCE + 1), all), undefined, 'too old: nothing drawn');
  t.is(findingsForFrame(frame(90), all), undefined, 'another image size (depth changed): nothing drawn');
  t.is(findingsForFrame(frame(90, 320, 240), all)?.seq, 90);
});

test('models.findings: on by default, the manifest resolved against the installation, flags and environment override', (t) => {
  const c = loadConfig({ env: {} });
  t.deepEqual(c.models.findings, { enabled: true, manifest: '', executionProviders: ['tensorrt', 'cuda', 'cpu'] });
  t.is(findingsManifestPath(c, '/opt/pleura/current'), `/opt/pleura/current/${DEFAULT_FINDINGS_MANIFEST}`);
  const off = loadConfig({ env: { PLEURA_FINDINGS: 'off', PLEURA_FINDINGS_MODEL: 'models/x/x.json' } });
  t.false(off.models.findings.enabled);
  t.is(findingsManifestPath(off, '/opt/p'), '/opt/p/models/x/x.json');
  t.is(findingsManifestPath(loadConfig({ env: {}, flags: { 'findings-model': '/abs/m.json' } }), '/opt/p'), '/abs/m.json');
  t.throws(() => loadConfig({ env: { PLEURA_FINDINGS: 'maybe' } }), { message: /models\.findings\.enabled/ });
});
