import test from 'ava';
import { GraphBuilder } from '../../../pipeline/graph-builder.js';
import { compose } from '../../../pipeline/graph.js';

test('the device graph: RF through the beamformer, probe B-mode around it, display to the app', (t) => {
  const g = compose('/run/pleura', { acquire: { a: 1 }, beamform: {}, enhance: {} });
  const byName = Object.fromEntries(g.stages.map((s) => [s.name, s]));
  t.deepEqual(Object.keys(byName), ['acquire', 'beamform', 'enhance']);
  t.deepEqual(byName.acquire!.outputs, { rf: 'ipc:///run/pleura/acquire.rf', bmode: 'ipc:///run/pleura/acquire.bmode' });
  t.deepEqual(byName.beamform!.inputs, ['ipc:///run/pleura/acquire.rf']);
  t.deepEqual(byName.enhance!.inputs, ['ipc:///run/pleura/acquire.bmode', 'ipc:///run/pleura/beamform.bmode']);
  t.deepEqual(g.appInputs, ['ipc:///run/pleura/enhance.image']);
  t.deepEqual(byName.acquire!.settings, { a: 1 });
});

test('mistakes in a graph declaration are caught when it is built', (t) => {
  const g = new GraphBuilder('/tmp');
  const a = g.stage('a', 'a.js');
  t.throws(() => g.stage('a', 'a.js'), { message: /declared twice/ });
  t.throws(() => g.flow({ stage: 'nope', port: 'out' }, a.in()), { message: /undeclared stage "nope"/ });
  t.throws(() => g.flow(a.out('x'), { stage: 'ghost', port: 'in' }), { message: /undeclared stage "ghost"/ });
});

test('with findings on, enhance\'s image fans out to the app and the infer stage, whose findings go to an app port of their own', (t) => {
  const g = compose('/run/pleura', { acquire: {}, beamform: {}, enhance: {}, infer: { manifest: '/m.json' } });
  const byName = Object.fromEntries(g.stages.map((s) => [s.name, s]));
  t.deepEqual(Object.keys(byName), ['acquire', 'beamform', 'enhance', 'infer']);
  t.deepEqual(byName.enhance!.outputs, { image: 'ipc:///run/pleura/enhance.image' }, 'one bound output for both consumers');
  t.deepEqual(byName.infer!.inputs, ['ipc:///run/pleura/enhance.image']);
  t.deepEqual(g.appInputs, ['ipc:///run/pleura/enhance.image'], 'the display path is unchanged');
  t.deepEqual(g.appPorts, { in: ['ipc:///run/pleura/enhance.image'], findings: ['ipc:///run/pleura/infer.findings'] });
  t.deepEqual(byName.infer!.settings, { manifest: '/m.json' });
  t.false('infer' in Object.fromEntries(compose('/r', { acquire: {}, beamform: {}, enhance: {} }).stages.map((s) => [s.name, s])), 'findings off: no infer stage');
});

test('GraphBuilder: one output to two stages binds once and connects both', (t) => {
  const g = new GraphBuilder('/rt');
  const a = g.stage('a', 'a.js');
  const b = g.stage('b', 'b.js');
  const c = g.stage('c', 'c.js');
  g.flow(a.out('x'), b.in()).flow(a.out('x'), c.in()).flow(a.out('x'), g.app());
  const built = g.build();
  const byName = Object.fromEntries(built.stages.map((s) => [s.name, s]));
  t.deepEqual(byName.a!.outputs, { x: 'ipc:///rt/a.x' });
  t.deepEqual(byName.b!.inputs, ['ipc:///rt/a.x']);
  t.deepEqual(byName.c!.inputs, ['ipc:///rt/a.x']);
  t.deepEqual(built.appInputs, ['ipc:///rt/a.x']);
});
