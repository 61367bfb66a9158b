/** What a stage implementation gets from the stage process: its outputs, counters and a log. */
import type { DecodedFrame, BusMessage } from './bus/frame-message.js';
import type { FrameReceiver } from './bus/frame-receiver.js';
import type { FrameSender } from './bus/frame-sender.js';
import type { StageSpec } from './graph-builder.js';
import type { StageControl, StageCounters, StageToSupervisor } from './stage-ipc.js';
import { RollingPercentiles } from './stats/rolling-percentiles.js';

export interface Stage {
  /**
   * Sink/filter stages: one input frame (the newest; older ones were dropped and counted). A stage
   * with an input but no onFrame (e.g. infer without its model) never asks for frames; it runs
   * `run()` if it has one, else idles until stopped.
   */
  onFrame?(frame: DecodedFrame): Promise<void> | void;
  /** Source stages (acquire): runs until stop(). */
  run?(): Promise<void>;
  onControl?(control: StageControl): Promise<void> | void;
  stop(): Promise<void>;
}

export interface StageModule {
  createStage(ctx: StageContext): Stage | Promise<Stage>;
}

export class StageContext {
  readonly processing = new RollingPercentiles(256);
  framesIn = 0;
  failures = 0;
  lastError: string | null = null;
  detail: Record<string, unknown> = {};

  constructor(
    readonly spec: StageSpec,
    readonly outputs: Record<string, FrameSender>,
    readonly input: FrameReceiver | null,
    private readonly sendToSupervisor: (msg: StageToSupervisor) => void,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  setting<T>(key: string, fallback: T): T {
    const v = this.spec.settings[key];
    return v === undefined ? fallback : (v as T);
  }

  /**
   * Hands a frame to an output port if the graph connects it. It is sent now if the consumer is
   * waiting for one, otherwise kept as the port's newest frame (see bus/frame-sender.ts).
   */
  async emit(port: string, message: BusMessage): Promise<void> {
    await this.outputs[port]?.send(message);
  }

  fail(err: Error, seq?: number): void {
    this.failures++;
    this.lastError = seq === undefined ? err.message : `frame ${seq}: ${err.message}`;
    this.log('error', this.lastError);
  }

  log(level: 'info' | 'warn' | 'error', message: string): void {
    this.sendToSupervisor({ type: 'log', level, message: `[${this.name}] ${message}` });
  }

  counters(): StageCounters {
    const outputs = Object.values(this.outputs);
    const sendDrops = outputs.reduce((n, o) => n + o.dropped, 0);
    return {
      framesIn: this.input ? this.input.received : this.framesIn,
      framesOut: outputs.reduce((n, o) => n + o.sent, 0),
      dropped: sendDrops + (this.input?.dropped ?? 0),
      malformed: (this.input?.malformed ?? 0) + this.failures,
      processMsP50: round(this.processing.percentile(50)),
      processMsP99: round(this.processing.percentile(99)),
      lastError: this.lastError ?? this.input?.lastError ?? null,
      consumers: Object.fromEntries(Object.entries(this.outputs).map(([port, o]) => [port, o.consumers()])),
    };
  }
}

function round(v: number): number {
  return Number.isFinite(v) ? Math.round(v * 100) / 100 : 0;
}
