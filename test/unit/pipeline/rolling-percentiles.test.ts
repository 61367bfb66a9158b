import test from 'ava';
import { RollingPercentiles } from '../../../pipeline/stats/rolling-percentiles.js';

test('percentiles by nearest rank over the last N samples', (t) => {
  const p = new RollingPercentiles(100);
  t.true(Number.isNaN(p.percentile(50)));
  for (let i = 1; i <= 100; i++) p.add(i);
  t.is(p.percentile(50), 50);
  t.is(p.percentile(99), 99);
  t.is(p.percentile(100), 100);
  for (let i = 0; i < 100; i++) p.add(1000);
  t.is(p.percentile(50), 1000);
  t.is(p.max, 1000);
});
