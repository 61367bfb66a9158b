import test from 'ava';
import { backoffDelayMs } from '../../../device/sync/backoff.js';
import { pacedBody, TokenBucket } from '../../../device/sync/token-bucket.js';

test('back-off doubles from the initial delay up to the cap, with jitter in the upper half', (t) => {
  const p = { initialMs: 1000, maxMs: 8000 };
  t.deepEqual([1, 2, 3, 4, 5, 10].map((n) => backoffDelayMs(n, p, () => 1)), [1000, 2000, 4000, 8000, 8000, 8000]);
  t.deepEqual([1, 2, 3].map((n) => backoffDelayMs(n, p, () => 0)), [500, 1000, 2000]);
  const samples = Array.from({ length: 200 }, () => backoffDelayMs(3, p));
  t.true(samples.every((d) => d >= 2000 && d <= 4000));
  t.true(new Set(samples).size > 50, 'jittered');
  t.is(backoffDelayMs(1000, p, () => 1), 8000, 'no overflow for huge attempt counts');
});

test('the bandwidth limit paces a body: 300 kB at 100 kB/s takes about 2 s after the first second’s burst', async (t) => {
  const bucket = new TokenBucket(100_000);
  const started = performance.now();
  let bytes = 0;
  const reader = pacedBody([new Uint8Array(150_000), new Uint8Array(150_000)], bucket).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    t.true(value.byteLength <= 12_500, 'small chunks under a low limit');
  }
  const s = (performance.now() - started) / 1000;
  t.is(bytes, 300_000);
  t.true(s > 1.7 && s < 3, `${s.toFixed(2)} s`);
});

test('no limit: the body streams at once', async (t) => {
  const reader = pacedBody([new Uint8Array(1_000_000)], new TokenBucket(0)).getReader();
  const started = performance.now();
  while (!(await reader.read()).done);
  t.true(performance.now() - started < 500);
});
