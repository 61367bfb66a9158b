/**
 * Runs the pipeline graph: one ManagedProcess per stage, telemetry collected from each, control
 * forwarded to the stage that owns it. The settings a control message changes are remembered in
 * the stage's spec, so a stage that crashes comes back with the user's depth, gain and freeze.
 */
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { PipelineGraph, StageSpec } from '../graph-builder.js';
import { STAGE_SPEC_ENV, type StageControl, type StageCounters, type StageToSupervisor } from '../stage-ipc.js';
import { ManagedProcess, type BackoffOptions, type ExitRecord, type ProcessState } from './managed-process.js';

export interface StageStatus {
  name: string;
  state: ProcessState;
  pid: number | undefined;
  restarts: number;
  lastExit: ExitRecord | null;
  counters: StageCounters | null;
  detail: Record<string, unknown>;
}

const STAGE_MAIN = fileURLToPath(new URL('../stage-main.js', import.meta.url));

export class Supervisor extends EventEmitter {
  private readonly stages = new Map<string, { spec: StageSpec; process: ManagedProcess; status: StageStatus }>();

  constructor(graph: PipelineGraph, opts: { backoff?: BackoffOptions } = {}) {
    super();
    for (const spec of graph.stages) {
      const proc = new ManagedProcess({
        name: `stage ${spec.name}`,
        modulePath: STAGE_MAIN,
        env: () => ({ ...process.env, [STAGE_SPEC_ENV]: JSON.stringify(spec) }),
        ...(opts.backoff ? { backoff: opts.backoff } : {}),
      });
      const status: StageStatus = { name: spec.name, state: 'stopped', pid: undefined, restarts: 0, lastExit: null, counters: null, detail: {} };
      proc.on('state', (state: ProcessState) => {
        status.state = state;
        status.pid = proc.pid;
        status.restarts = proc.restarts;
        status.lastExit = proc.lastExit;
        this.emit('stage-state', spec.name, state);
      });
      proc.on('log', (level: string, message: string) => this.emit('log', level, message));
      proc.on('message', (m: StageToSupervisor) => {
        if (m.type === 'telemetry') {
          status.counters = m.counters;
          status.detail = m.detail ?? {};
          this.emit('telemetry', spec.name, m);
        } else if (m.type === 'log') this.emit('log', m.level, m.message);
      });
      this.stages.set(spec.name, { spec, process: proc, status });
    }
  }

  /** Starts every stage and resolves when all report ready (or rejects after timeoutMs). */
  async start(timeoutMs = 15_000): Promise<void> {
    const ready = [...this.stages.values()].map(({ process: p }) => p.whenRunning(timeoutMs));
    for (const { process: p } of this.stages.values()) p.start();
    await Promise.all(ready);
  }

  control(stage: string, control: StageControl): boolean {
    const entry = this.stages.get(stage);
    if (!entry) throw new Error(`no pipeline stage "${stage}"`);
    const { type, ...fields } = control;
    if (type === 'freeze') entry.spec.settings.frozen = control.frozen;
    else if (type === 'settings') Object.assign(entry.spec.settings, control.settings);
    else Object.assign(entry.spec.settings, fields);
    return entry.process.send({ type: 'control', control });
  }

  status(): StageStatus[] {
    return [...this.stages.values()].map((s) => ({ ...s.status, pid: s.process.pid }));
  }

  /** True while any stage is not running: the kiosk shows the pipeline as degraded. */
  get degraded(): boolean {
    return [...this.stages.values()].some((s) => s.status.state !== 'running');
  }

  pid(stage: string): number | undefined {
    return this.stages.get(stage)?.process.pid;
  }

  /**
   * Stops one stage on purpose (no restart) until {@link resumeStage}: e.g. the acquire stage lets
   * go of the probe while the maintenance page flashes its firmware.
   */
  async pauseStage(stage: string): Promise<void> {
    const entry = this.stages.get(stage);
    if (!entry) throw new Error(`no pipeline stage "${stage}"`);
    await entry.process.stop();
  }

  /** Starts a paused stage again, with the settings it had; resolves once it reports ready. */
  async resumeStage(stage: string, timeoutMs = 15_000): Promise<void> {
    const entry = this.stages.get(stage);
    if (!entry) throw new Error(`no pipeline stage "${stage}"`);
    const ready = entry.process.whenRunning(timeoutMs);
    entry.process.start();
    await ready;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.stages.values()].map((s) => s.process.stop()));
  }
}
