import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { ConfigError, loadConfig } from '../../../device/config/load.js';

test('no configuration at all runs the simulated probe with the kiosk on loopback:8080', (t) => {
  const c = loadConfig({ env: {} });
  t.is(c.kiosk.host, '127.0.0.1');
  t.is(c.kiosk.port, 8080);
  t.deepEqual(c.probe.transport, { kind: 'sim', link: 'socket', probeModel: 'C5-2v', seed: 1, loopFrames: 0 });
  t.is(c.probe.mode, 'rf');
  t.deepEqual(c.probe.transmits.parameters, [-0.01, 0, 0.01]);
});

test('file < environment < flags', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-cfg-'));
  const file = path.join(dir, 'c.json');
  fs.writeFileSync(file, JSON.stringify({ kiosk: { port: 9000 }, probe: { depthMm: 80, gainDb: 3 } }));
  const c = loadConfig({ flags: { config: file, 'gain-db': '6' }, env: { PLEURA_DEPTH_MM: '100', PLEURA_GAIN_DB: '5' } });
  t.is(c.kiosk.port, 9000);
  t.is(c.probe.depthMm, 100);
  t.is(c.probe.gainDb, 6);
});

test('probe transports from a flag', (t) => {
  t.deepEqual(loadConfig({ env: {}, flags: { probe: 'serial:/dev/ttyACM0' } }).probe.transport, { kind: 'serial', path: '/dev/ttyACM0', baudRate: 3_000_000 });
  t.deepEqual(loadConfig({ env: {}, flags: { probe: 'sim:pty' } }).probe.transport, { kind: 'sim', link: 'pty', probeModel: 'C5-2v', seed: 1, loopFrames: 0 });
  t.is(loadConfig({ env: {}, flags: { probe: 'usb:1234:abcd' } }).probe.transport.kind, 'usb');
  t.throws(() => loadConfig({ env: {}, flags: { probe: 'bluetooth' } }), { instanceOf: ConfigError, message: /expected sim/ });
});

test('invalid values name the field', (t) => {
  t.throws(() => loadConfig({ env: { PLEURA_DEPTH_MM: '5' } }), { instanceOf: ConfigError, message: /depthMm/ });
  t.throws(() => loadConfig({ env: { PLEURA_MODE: 'doppler' } }), { instanceOf: ConfigError, message: /mode/ });
  t.throws(() => loadConfig({ env: {}, flags: { config: '/nonexistent/pleura.json' } }), { instanceOf: ConfigError, message: /cannot read/ });
});

test('--scene picks the simulated probe\'s lung scene; with a real probe it is refused', (t) => {
  const c = loadConfig({ env: {}, flags: { scene: 'b-lines-3' } });
  t.like(c.probe.transport, { kind: 'sim', scene: 'b-lines-3' });
  t.throws(() => loadConfig({ env: {}, flags: { scene: 'b-lines-3', probe: 'serial:/dev/ttyACM0' } }), { instanceOf: ConfigError });
});
