/**
 * A bounded queue behind one async iterator. The probe keeps streaming whatever the consumer
 * does, so when the consumer falls behind the oldest entries are dropped (and counted) rather
 * than buffering multi-MB frames without limit.
 */
export class MessageQueue<T> implements AsyncIterableIterator<T> {
  readonly #items: T[] = [];
  #waiting: ((r: IteratorResult<T>) => void) | null = null;
  #done = false;
  dropped = 0;

  constructor(
    readonly maxQueued: number,
    /** Called once when the consumer stops iterating (break/return) or the queue is ended. */
    private readonly onEnd: () => void = () => undefined,
  ) {}

  offer(item: T): void {
    if (this.#done) return;
    if (this.#waiting) {
      const w = this.#waiting;
      this.#waiting = null;
      w({ value: item, done: false });
      return;
    }
    this.#items.push(item);
    if (this.#items.length > this.maxQueued) {
      this.#items.shift();
      this.dropped++;
    }
  }

  /** No more items: the iterator finishes after what is queued. */
  end(): void {
    if (this.#done) return;
    this.#done = true;
    this.onEnd();
    if (this.#waiting && this.#items.length === 0) {
      const w = this.#waiting;
      this.#waiting = null;
      w({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.#items.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.#waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.#items.length = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
