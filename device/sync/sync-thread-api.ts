/** Messages between the device app and the sync thread. */
import type { SyncConfig } from '../config/schema.js';
import type { DiskBudget } from '../store/disk-budget.js';
import type { SyncStatus } from './sync-status.js';

export interface SyncThreadOptions {
  dataDir: string;
  siteKeyFile: string;
  budget: DiskBudget;
  sync: SyncConfig;
}

export type SyncThreadRequest = { type: 'kick' } | { type: 'stop' };

export type SyncThreadReply =
  | { type: 'ready'; status: SyncStatus }
  | { type: 'status'; status: SyncStatus }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'fatal'; error: { name: string; message: string } }
  | { type: 'stopped' };
