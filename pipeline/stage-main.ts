/**
 * Entry point of every stage process. The supervisor forks this file with the stage's spec in
 * the environment; it binds the stage's outputs, connects its input, runs the stage, reports
 * telemetry twice a second, and exits when asked to stop or when the app's IPC channel closes.
 */
import { FrameReceiver } from './bus/frame-receiver.js';
import { FrameSender } from './bus/frame-sender.js';
import type { StageSpec } from './graph-builder.js';
import { STAGE_SPEC_ENV, type StageToSupervisor, type SupervisorToStage } from './stage-ipc.js';
import { StageContext, type StageModule } from './stage-context.js';

const TELEMETRY_INTERVAL_MS = 500;

function send(msg: StageToSupervisor): void {
  if (process.connected) process.send?.(msg);
}

async function main(): Promise<void> {
  const raw = process.env[STAGE_SPEC_ENV];
  if (!raw) throw new Error(`${STAGE_SPEC_ENV} is not set: stage processes are started by the device app's supervisor`);
  const spec = JSON.parse(raw) as StageSpec;
  const outputs: Record<string, FrameSender> = {};
  for (const [port, endpoint] of Object.entries(spec.outputs)) {
    outputs[port] = new FrameSender(endpoint);
    await outputs[port]!.bind();
  }
  const input = spec.inputs.length > 0 ? new FrameReceiver(spec.inputs, spec.name) : null;
  const ctx = new StageContext(spec, outputs, input, send);
  const mod = (await import(`./stages/${spec.module}`)) as StageModule;
  const stage = await mod.createStage(ctx);

  let stopping = false;
  const stop = async (code: number): Promise<never> => {
    if (stopping) process.exit(code);
    stopping = true;
    clearInterval(telemetry);
    try {
      await stage.stop();
    } finally {
      input?.close();
      for (const o of Object.values(outputs)) o.close();
      process.exit(code);
    }
  };
  process.on('message', (m: SupervisorToStage) => {
    if (m.type === 'stop') void stop(0);
    else if (m.type === 'control') {
      // New settings (e.g. the active preset) are what ctx.setting answers from now on, as they
      // are what a restart of this stage starts with (the supervisor keeps them in the spec).
      if (m.control.type === 'settings') Object.assign(ctx.spec.settings, m.control.settings);
      Promise.resolve(stage.onControl?.(m.control)).catch((err: Error) => ctx.log('error', `control ${m.control.type} failed: ${err.message}`));
    }
  });
  // The app died or closed the channel: a stage never outlives it.
  process.on('disconnect', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => void stop(0));

  const telemetry = setInterval(() => send({ type: 'telemetry', counters: ctx.counters(), detail: ctx.detail }), TELEMETRY_INTERVAL_MS);
  send({ type: 'ready' });

  if (input && stage.onFrame) {
    input.connect();
    for await (const frame of input) {
      const t0 = performance.now();
      try {
        await stage.onFrame(frame);
      } catch (err) {
        ctx.fail(err as Error, frame.header.seq);
      }
      ctx.processing.add(performance.now() - t0);
    }
  } else if (stage.run) {
    await stage.run();
  }
  // Otherwise the process idles (IPC and telemetry keep it alive) until it is told to stop.
}

main().catch((err: Error) => {
  console.error(`[stage] fatal: ${err.stack ?? err.message}`);
  process.exit(1);
});
