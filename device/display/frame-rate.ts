/** Frames per second over a sliding one-second window. */
export class FrameRateMeter {
  private readonly times: number[] = [];

  tick(nowMs: number): void {
    this.times.push(nowMs);
    while (this.times.length > 0 && nowMs - this.times[0]! > 1000) this.times.shift();
  }

  fps(nowMs: number): number {
    while (this.times.length > 0 && nowMs - this.times[0]! > 1000) this.times.shift();
    return this.times.length;
  }
}
