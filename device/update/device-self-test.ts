/**
 * The self-test a release on trial must pass before it is confirmed (docs/updates.md): the
 * database opened and migrated (the store started), the probe handshakes, and every installed
 * model reproduces its golden output. Run by the device app after it started.
 */
import type { SelfTest, SelfTestResult } from './boot-check.js';

export interface SelfTestSubject {
  storeOpen(): boolean;
  probeState(): string;
  /** Golden-output checks of installed models; empty when none is installed. */
  modelChecks(): Promise<Array<{ name: string; ok: boolean; detail: string }>>;
}

export function deviceSelfTest(subject: SelfTestSubject): SelfTest {
  return async (deadlineMs: number): Promise<SelfTestResult> => {
    const checks: SelfTestResult['checks'] = [];
    checks.push({ name: 'database', ok: subject.storeOpen(), detail: subject.storeOpen() ? 'opened and migrated' : 'the store did not start' });
    let state = subject.probeState();
    while (state !== 'ready' && state !== 'streaming' && Date.now() < deadlineMs - 500) {
      await new Promise((r) => setTimeout(r, 200));
      state = subject.probeState();
    }
    checks.push({ name: 'probe', ok: state === 'ready' || state === 'streaming', detail: `probe link ${state}` });
    const models = await subject.modelChecks();
    checks.push(...(models.length ? models : [{ name: 'models', ok: true, detail: 'none installed' }]));
    return { ok: checks.every((c) => c.ok), checks };
  };
}
