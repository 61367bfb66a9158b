/**
 * The disk budget: how much the store may use, and how much must stay free for the system.
 * Captures are refused while a new clip would cross either line, so the disk never fills up
 * under a capture; exams already stored are never deleted to make room unless they are synced.
 */
import fs from 'node:fs';
import { DiskBudgetError } from './errors.js';
import { mb } from './blob-store.js';

export interface DiskBudget {
  /** Free space on the data directory's filesystem that must remain after a write. */
  reserveBytes: number;
  /** Upper bound on the store's own size (database + files); 0 = no bound besides the reserve. */
  maxDataBytes: number;
}

export interface DiskState {
  freeBytes: number;
  usedBytes: number;
  reserveBytes: number;
  maxDataBytes: number;
  /** True while a clip of `typicalClipBytes` would be refused. */
  lowDisk: boolean;
}

export function freeBytesAt(dir: string): number {
  const s = fs.statfsSync(dir);
  return s.bavail * s.bsize;
}

/** Throws {@link DiskBudgetError} if writing `needBytes` more would break the budget. */
export function ensureRoom(dir: string, needBytes: number, usedBytes: number, budget: DiskBudget, what: string): void {
  const free = freeBytesAt(dir);
  if (free - needBytes < budget.reserveBytes) {
    throw new DiskBudgetError(
      `disk budget reached: ${mb(free)} free, ${what} needs ${mb(needBytes)} and ${mb(budget.reserveBytes)} must stay free; ` +
        'sync or delete synced exams before capturing',
    );
  }
  if (budget.maxDataBytes > 0 && usedBytes + needBytes > budget.maxDataBytes) {
    throw new DiskBudgetError(
      `disk budget reached: the store holds ${mb(usedBytes)} of its ${mb(budget.maxDataBytes)} budget and ${what} needs ${mb(needBytes)}; ` +
        'sync or delete synced exams before capturing',
    );
  }
}

export function diskState(dir: string, usedBytes: number, budget: DiskBudget, typicalClipBytes: number): DiskState {
  const freeBytes = freeBytesAt(dir);
  const lowDisk =
    freeBytes - typicalClipBytes < budget.reserveBytes || (budget.maxDataBytes > 0 && usedBytes + typicalClipBytes > budget.maxDataBytes);
  return { freeBytes, usedBytes, reserveBytes: budget.reserveBytes, maxDataBytes: budget.maxDataBytes, lowDisk };
}
