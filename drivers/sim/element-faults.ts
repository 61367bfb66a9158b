/**
 * Faulty transducer elements for the simulated probe, so the maintenance page's element check
 * (device/maintenance/element-check.ts) can be tested: a dead element's channel is silent (a
 * broken connection), a weak one's is attenuated (delaminated or depolarised, here to 20 %).
 * Only RF channel data is affected; B-mode frames from the probe pass unchanged.
 *
 * @example
 * const source = withElementFaults(createPhysicsSource(…), { dead: [12, 57], weak: [90] });
 */
import type { FrameSource, SourceFrame } from './simulated-probe.js';

export interface ElementFaults {
  /** Element indices (0-based) whose channel is silent. */
  dead: readonly number[];
  /** Element indices whose channel is attenuated to `weakGain`. */
  weak: readonly number[];
  /** Amplitude factor of a weak element; default 0.2. */
  weakGain?: number;
}

export function withElementFaults(source: FrameSource, faults: ElementFaults): FrameSource {
  if (faults.dead.length === 0 && faults.weak.length === 0) return source;
  const weakGain = faults.weakGain ?? 0.2;
  const wrapped: FrameSource = {
    identity: source.identity,
    check: (config) => source.check(config),
    configure: (config) => source.configure(config),
    frame(timeS, frameIndex): SourceFrame | null {
      const f = source.frame(timeS, frameIndex);
      if (!f || f.type !== 'rf') return f;
      const { transmitCount, elementCount, sampleCount } = f.body;
      // A copy: a cached loop's frames are shared between ticks.
      const samples = new Int16Array(f.body.samples);
      for (let t = 0; t < transmitCount; t++) {
        for (const e of faults.dead) if (e < elementCount) samples.fill(0, (t * elementCount + e) * sampleCount, (t * elementCount + e + 1) * sampleCount);
        for (const e of faults.weak) {
          if (e >= elementCount) continue;
          const start = (t * elementCount + e) * sampleCount;
          for (let i = start; i < start + sampleCount; i++) samples[i] = Math.round(samples[i]! * weakGain);
        }
      }
      return { ...f, body: { ...f.body, samples } };
    },
  };
  if (source.close) wrapped.close = () => source.close!();
  return wrapped;
}

/** "3,17,40" → [3, 17, 40]; throws on anything else. */
export function parseElementList(text: string, flag: string): number[] {
  if (!text.trim()) return [];
  return text.split(',').map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n < 0 || n > 1023) throw new Error(`${flag} ${text}: element indices 0..1023, comma-separated`);
    return n;
  });
}
