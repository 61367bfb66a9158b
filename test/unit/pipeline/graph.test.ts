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
