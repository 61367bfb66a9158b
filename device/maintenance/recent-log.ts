/** The last lines the device logged, for the maintenance page (the journal has them all). */
import type { Logger } from '../log.js';

export class RecentLog {
  private readonly lines: string[] = [];
  constructor(private readonly capacity = 500) {}

  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
  }

  tail(n: number): string[] {
    return this.lines.slice(-Math.max(0, n));
  }

  /** A sink for createLogger: keeps each line and passes it on. */
  tee(next: (line: string) => void): (line: string) => void {
    return (line) => {
      this.push(line);
      next(line);
    };
  }
}

/** Wraps a logger so that its lines are kept too (for a logger made elsewhere). */
export function keepRecent(log: Logger, recent: RecentLog): Logger {
  const at = (level: keyof Logger) => (msg: string) => {
    recent.push(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${msg}`);
    log[level](msg);
  };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}
