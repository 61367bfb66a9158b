/**
 * Temporal persistence: a first-order recursive average of successive envelopes,
 *   out_n = α · out_{n-1} + (1 - α) · in_n,
 * which averages out uncorrelated noise over ~(1+α)/(1-α) frames at the cost of smearing
 * motion. Starts over when the image size or geometry changes.
 *
 * @example
 *   const persist = new Persistence({ alpha: 0.5 });
 *   const shown = persist.apply(envelope, geometryKey);
 */

export interface PersistenceOptions {
  /** Weight of the previous output, 0 (off) .. < 1. */
  alpha: number;
}

export const PERSISTENCE_DEFAULTS: PersistenceOptions = { alpha: 0.5 };

export class Persistence {
  private state: Float32Array | null = null;
  private key = '';

  constructor(readonly options: PersistenceOptions = PERSISTENCE_DEFAULTS) {
    if (!(options.alpha >= 0 && options.alpha < 1)) throw new RangeError(`persistence alpha must be in [0, 1), got ${options.alpha}`);
  }

  reset(): void {
    this.state = null;
  }

  /** Returns the persisted image (an internal buffer: copy it to keep it past the next call). */
  apply(envelope: Float32Array, key = ''): Float32Array {
    const a = this.options.alpha;
    if (!this.state || this.state.length !== envelope.length || key !== this.key) {
      this.state = Float32Array.from(envelope);
      this.key = key;
      return this.state;
    }
    const s = this.state;
    for (let i = 0; i < s.length; i++) s[i] = a * s[i]! + (1 - a) * envelope[i]!;
    return s;
  }
}
