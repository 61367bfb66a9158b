/**
 * Run when a release starts: if it is on trial, it must pass its self-test before the deadline,
 * or the previous release is restored (and this one marked bad). A release that is past its
 * deadline without having confirmed is rolled back even if it never got this far (the check also
 * runs before the app, from the service unit, see docs/updates.md).
 */
import { confirmTrial, recover, rollback } from './installer.js';
import type { ReleaseLayout } from './release-layout.js';

export interface SelfTestResult {
  ok: boolean;
  /** One line per check: "database: opened, schema 3", "model b-lines: golden output within 1e-5". */
  checks: Array<{ name: string; ok: boolean; detail: string }>;
}

export type SelfTest = (deadlineMs: number) => Promise<SelfTestResult>;

export type BootOutcome = 'no-trial' | 'confirmed' | 'rolled-back' | 'not-this-version';

export async function bootCheck(
  layout: ReleaseLayout,
  runningVersion: string,
  selfTest: SelfTest,
  opts: { now?: () => number; restoreDatabase?: (backup: string) => void } = {},
): Promise<{ outcome: BootOutcome; detail: string }> {
  const now = opts.now ?? Date.now;
  recover(layout);
  const state = layout.readState();
  const trial = state.trial;
  if (!trial) return { outcome: 'no-trial', detail: `running ${runningVersion}` };
  if (now() > trial.deadlineMs) {
    rollback(layout, state, 'the self-test deadline passed', opts.restoreDatabase);
    return { outcome: 'rolled-back', detail: `${trial.version} did not pass its self-test in time; back on ${trial.previous ?? 'nothing'}` };
  }
  if (trial.version !== runningVersion) return { outcome: 'not-this-version', detail: `trial of ${trial.version} pending; running ${runningVersion}` };
  let result: SelfTestResult;
  try {
    result = await withDeadline(selfTest(trial.deadlineMs), trial.deadlineMs - now());
  } catch (err) {
    result = { ok: false, checks: [{ name: 'self-test', ok: false, detail: (err as Error).message }] };
  }
  const summary = result.checks.map((c) => `${c.ok ? 'ok' : 'FAILED'} ${c.name}: ${c.detail}`).join('; ');
  if (result.ok) {
    confirmTrial(layout, state);
    return { outcome: 'confirmed', detail: summary };
  }
  rollback(layout, state, summary, opts.restoreDatabase);
  return { outcome: 'rolled-back', detail: summary };
}

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no result within ${Math.round(ms)} ms`)), Math.max(0, ms))))]).finally(() => clearTimeout(timer));
}
