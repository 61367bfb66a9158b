/** Reconnect delays: doubling from `initialMs` up to `maxMs`, back to the start after a success. */
export class Backoff {
  #nextMs: number;

  constructor(
    readonly initialMs = 250,
    readonly maxMs = 2000,
  ) {
    this.#nextMs = initialMs;
  }

  next(): number {
    const delay = this.#nextMs;
    this.#nextMs = Math.min(this.#nextMs * 2, this.maxMs);
    return delay;
  }

  reset(): void {
    this.#nextMs = this.initialMs;
  }
}
