/**
 * Messages between the supervisor (device app) and a stage process, over the process's own IPC
 * channel. Frames travel on ZeroMQ; this channel carries what belongs to the process's life:
 * control, telemetry, and the stop request. It closes when either side dies, which is how a
 * stage notices that the app is gone and exits instead of becoming an orphan.
 */

export interface StageCounters {
  framesIn: number;
  framesOut: number;
  dropped: number;
  malformed: number;
  /** Median and 99th percentile of the stage's own processing time per frame, ms. */
  processMsP50: number;
  processMsP99: number;
  lastError: string | null;
  /** Per output port and consumer (by stage name): frames sent and frames that consumer skipped. */
  consumers?: Record<string, Record<string, { sent: number; dropped: number }>>;
}

export type StageControl =
  | { type: 'freeze'; frozen: boolean }
  | { type: 'configure'; depthMm?: number; gainDb?: number; mode?: 'rf' | 'bmode'; frameRateHz?: number }
  | { type: 'settings'; settings: Record<string, unknown> };

export type SupervisorToStage = { type: 'control'; control: StageControl } | { type: 'stop' };

export type StageToSupervisor =
  | { type: 'ready' }
  | { type: 'telemetry'; counters: StageCounters; detail?: Record<string, unknown> }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

export const STAGE_SPEC_ENV = 'PLEURA_STAGE_SPEC';
