/**
 * The pipeline as real processes on real ZeroMQ sockets: frames flow from the simulated probe
 * to the app; a stage killed with SIGKILL is restarted and frames resume within 2 s; the app's
 * death or shutdown leaves no process behind.
 */
import fs from 'node:fs';
import test from 'ava';
import { alive, startDevice, type RunningDevice } from '../helpers/device.js';

async function streaming(device: RunningDevice): Promise<void> {
  await device.until((s) => s.pipeline.framesShown >= 3 && !s.pipeline.degraded, 30_000, 'frames to reach the app');
}

for (const stage of ['beamform', 'enhance', 'acquire'] as const) {
  test.serial(`kill -9 of the ${stage} stage: it is restarted and frames resume within 2 s`, async (t) => {
    const device = await startDevice();
    try {
      await streaming(device);
      const before = await device.status();
      const pid = before.pipeline.stages[stage]!.pid!;
      t.true(alive(pid));
      process.kill(pid, 'SIGKILL');
      const killedAt = Date.now();
      // The app reports the pipeline as degraded while the stage is down.
      const degraded = await device.until((s) => s.pipeline.degraded || s.pipeline.stages[stage]!.restarts > 0, 2000, `${stage} to be reported down`);
      t.true(degraded.pipeline.stages[stage]!.pid !== pid || degraded.pipeline.degraded);
      const shownAtKill = (await device.status()).pipeline.framesShown;
      const resumed = await device.until(
        (s) => s.pipeline.stages[stage]!.restarts === 1 && s.pipeline.stages[stage]!.state === 'running' && s.pipeline.framesShown > shownAtKill + 1,
        2000 + 500,
        `frames to resume after killing ${stage}`,
      );
      const resumedAfterMs = Date.now() - killedAt;
      t.log(`${stage}: frames resumed ${resumedAfterMs} ms after SIGKILL`);
      t.true(resumedAfterMs <= 2000 + 200, `frames resumed after ${resumedAfterMs} ms`);
      t.false(resumed.pipeline.degraded);
      t.not(resumed.pipeline.stages[stage]!.pid, pid);
      t.false(alive(pid));
    } finally {
      await device.stop();
    }
  });
}

test.serial('the probe is unplugged (simulator killed): the link notices, reconnects by itself, and frames resume', async (t) => {
  const device = await startDevice();
  try {
    await streaming(device);
    const before = await device.status();
    process.kill(before.simulator!.pid!, 'SIGKILL');
    // The simulator is back within ~100 ms and the link re-handshakes at once, faster than the
    // status's half-second telemetry: the loss shows in the link counters.
    const lost = await device.until((s) => (s.probe.link?.linkLosses ?? 0) >= 1, 5000, 'the probe link to notice the unplug');
    // The last error is the loss itself, or a reconnect attempt made while the simulator restarts.
    t.regex(lost.probe.lastError ?? '', /probe link lost|cannot connect to the probe/);
    const shownAtLoss = lost.pipeline.framesShown;
    const back = await device.until(
      (s) => s.probe.state === 'streaming' && s.pipeline.framesShown > shownAtLoss + 2,
      15_000,
      'the probe to be back and streaming',
    );
    t.is(back.simulator!.restarts, 1);
    t.true((back.probe.link?.connects ?? 0) >= 2, 'a second handshake');
    t.is(back.settings.depthMm, before.settings.depthMm);
  } finally {
    await device.stop();
  }
});

test.serial('SIGTERM shuts everything down cleanly: exit 0, no stage or simulator left, runtime folder removed', async (t) => {
  const device = await startDevice();
  await streaming(device);
  const s = await device.status();
  const pids = [...Object.entries(s.pipeline.stages).filter(([n]) => n !== 'app').map(([, v]) => v.pid!), s.simulator!.pid!];
  const runtimeDir = /listening on unix:(\S+)\/probe\.sock/.exec(device.log())?.[1];
  t.truthy(runtimeDir, 'the simulator logged its socket in the runtime folder');
  t.is(await device.stop(), 0);
  t.regex(device.log(), /stopped cleanly/);
  await new Promise((r) => setTimeout(r, 200));
  for (const pid of pids) t.false(alive(pid), `stage process ${pid} is gone`);
  t.false(fs.existsSync(runtimeDir!), 'runtime folder removed');
});

test.serial('when the app is killed outright, its stages and simulator exit by themselves', async (t) => {
  const device = await startDevice();
  await streaming(device);
  const s = await device.status();
  const pids = [...Object.entries(s.pipeline.stages).filter(([n]) => n !== 'app').map(([, v]) => v.pid!), s.simulator!.pid!];
  // acquire, beamform, enhance, infer (lung findings, on by default) and the simulator.
  t.is(pids.length, 5);
  device.child.kill('SIGKILL');
  const deadline = Date.now() + 5000;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  t.deepEqual(pids.filter(alive), [], 'no orphaned stage or simulator processes');
});
