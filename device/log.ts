/** A minimal leveled logger to stderr: one line per event, ISO time first (journald-friendly). */
export type Level = 'error' | 'warn' | 'info' | 'debug';

export interface Logger {
  error(msg: string): void;
  warn(msg: string): void;
  info(msg: string): void;
  debug(msg: string): void;
}

const ORDER: Record<Level, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export function createLogger(level: Level, sink: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const at = (l: Level) => (msg: string) => {
    if (ORDER[l] <= ORDER[level]) sink(`${new Date().toISOString()} ${l.toUpperCase().padEnd(5)} ${msg}`);
  };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}
