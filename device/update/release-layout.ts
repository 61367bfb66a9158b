/**
 * Where releases live on a device (the layout the installer of issue "On the device" creates):
 *
 *   ROOT/releases/<version>/   one folder per installed release (A/B and more: old ones are pruned)
 *   ROOT/current -> releases/<version>   what the service runs; switched with one rename
 *   ROOT/update-state.json     the installer's state machine, written atomically
 *
 * Stored exams and the outbox live in the data directory, never under ROOT/releases: an update
 * never touches them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../fs/atomic-file.js';

export interface Trial {
  version: string;
  previous: string | null;
  switchedAt: string;
  /** Epoch ms by which the new version must have passed its self-test. */
  deadlineMs: number;
  /** Database backup taken before the switch, restored on rollback. */
  dbBackup: string | null;
}

export interface UpdateEvent {
  at: string;
  event: 'staged' | 'switched' | 'confirmed' | 'rolled-back' | 'refused' | 'recovered';
  version: string;
  detail?: string;
}

export interface UpdateState {
  format: 1;
  /** The confirmed version (what `current` points to when no trial runs). */
  current: string | null;
  trial: Trial | null;
  /** Versions that failed their self-test: never installed again. */
  bad: string[];
  history: UpdateEvent[];
}

export class ReleaseLayout {
  constructor(readonly root: string) {}

  get releasesDir(): string {
    return path.join(this.root, 'releases');
  }
  get currentLink(): string {
    return path.join(this.root, 'current');
  }
  get stateFile(): string {
    return path.join(this.root, 'update-state.json');
  }
  releaseDir(version: string): string {
    return path.join(this.releasesDir, version);
  }

  /** The version `current` points to, or null. */
  linkedVersion(): string | null {
    try {
      return path.basename(fs.readlinkSync(this.currentLink));
    } catch {
      return null;
    }
  }

  readState(): UpdateState {
    try {
      return JSON.parse(fs.readFileSync(this.stateFile, 'utf8')) as UpdateState;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`update state ${this.stateFile} is unreadable: ${(err as Error).message}`);
      return { format: 1, current: this.linkedVersion(), trial: null, bad: [], history: [] };
    }
  }

  writeState(state: UpdateState, event?: Omit<UpdateEvent, 'at'>): void {
    if (event) state.history = [...state.history, { at: new Date().toISOString(), ...event }].slice(-100);
    fs.mkdirSync(this.root, { recursive: true });
    writeFileAtomic(this.stateFile, JSON.stringify(state, null, 2) + '\n');
  }
}
