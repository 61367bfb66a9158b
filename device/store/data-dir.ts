/**
 * Where the device keeps exams: `store.dataDir`, else `$PLEURA_DATA_DIR`, else
 * `$XDG_DATA_HOME/pleura`, else `~/.local/share/pleura`. One running device owns a data
 * directory at a time (a lock file with its pid); a lock left by a process that died (kill -9,
 * power loss) is taken over.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataDirBusyError } from './errors.js';

export function resolveDataDir(configured: string, env: NodeJS.ProcessEnv = process.env): string {
  if (configured) return path.resolve(configured);
  if (env.PLEURA_DATA_DIR) return path.resolve(env.PLEURA_DATA_DIR);
  const base = env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'pleura');
}

export const LOCK_FILE = 'pleura.lock';

export class DataDirLock {
  private constructor(readonly file: string) {}

  /** Takes the lock or throws {@link DataDirBusyError} naming the process that holds it. */
  static acquire(dataDir: string): DataDirLock {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const file = path.join(dataDir, LOCK_FILE);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
        return new DataDirLock(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
      if (Number.isInteger(holder) && holder !== process.pid && processAlive(holder)) {
        throw new DataDirBusyError(
          `data directory ${dataDir} is in use by process ${holder} (another "pleura start"?); stop it or use --data-dir`,
        );
      }
      fs.rmSync(file, { force: true }); // stale: its process is gone
    }
    throw new DataDirBusyError(`could not lock data directory ${dataDir}; remove ${file} if no device is running`);
  }

  release(): void {
    try {
      if (Number.parseInt(fs.readFileSync(this.file, 'utf8'), 10) === process.pid) fs.rmSync(this.file, { force: true });
    } catch {
      // already gone
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
