/**
 * One child process that is kept alive: forked with an IPC channel, restarted with exponential
 * back-off when it dies unexpectedly, stopped politely (a stop message, then SIGTERM, then
 * SIGKILL) when its owner shuts down. The back-off resets once the process has stayed up for a
 * while, so a stage that crashes once an hour restarts at once, and one that crashes at start-up
 * does not spin.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';

export type ProcessState = 'starting' | 'running' | 'restarting' | 'stopping' | 'stopped';

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Uptime after which the next crash restarts with the initial delay again. */
  stableAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 100, maxMs: 5000, stableAfterMs: 10_000 };

export interface ManagedProcessOptions {
  name: string;
  modulePath: string;
  args?: string[];
  env?: () => NodeJS.ProcessEnv;
  backoff?: BackoffOptions;
  stopTimeoutMs?: number;
  /** Where the child's stdout/stderr go; 'inherit' by default. */
  stdio?: 'inherit' | 'ignore';
}

export interface ExitRecord {
  code: number | null;
  signal: NodeJS.Signals | null;
  atMs: number;
}

export class ManagedProcess extends EventEmitter {
  state: ProcessState = 'stopped';
  restarts = 0;
  lastExit: ExitRecord | null = null;
  private child: ChildProcess | null = null;
  private startedAtMs = 0;
  private delayMs: number;
  private restartTimer: NodeJS.Timeout | null = null;
  private readonly backoff: BackoffOptions;

  constructor(private readonly opts: ManagedProcessOptions) {
    super();
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.delayMs = this.backoff.initialMs;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.child) return;
    this.setState(this.restarts === 0 ? 'starting' : 'restarting');
    const child = fork(this.opts.modulePath, this.opts.args ?? [], {
      env: this.opts.env ? this.opts.env() : process.env,
      stdio: this.opts.stdio === 'ignore' ? ['ignore', 'ignore', 'ignore', 'ipc'] : ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
    });
    this.child = child;
    this.startedAtMs = Date.now();
    child.on('message', (m) => {
      if ((m as { type?: string }).type === 'ready') this.setState('running');
      this.emit('message', m);
    });
    child.on('error', (err) => this.emit('log', 'error', `${this.opts.name}: ${err.message}`));
    child.on('exit', (code, signal) => this.onExit(child, code, signal));
  }

  /** Resolves when the process has reported ready (rejects after timeoutMs). */
  whenRunning(timeoutMs: number): Promise<void> {
    if (this.state === 'running') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('state', onState);
        reject(new Error(`${this.opts.name} did not report ready within ${timeoutMs} ms`));
      }, timeoutMs);
      const onState = (state: ProcessState) => {
        if (state !== 'running') return;
        clearTimeout(timer);
        this.off('state', onState);
        resolve();
      };
      this.on('state', onState);
    });
  }

  send(message: unknown): boolean {
    if (!this.child?.connected) return false;
    this.child.send(message as object);
    return true;
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = null;
    this.lastExit = { code, signal, atMs: Date.now() };
    if (this.state === 'stopping' || this.state === 'stopped') {
      this.setState('stopped');
      return;
    }
    const uptime = Date.now() - this.startedAtMs;
    if (uptime >= this.backoff.stableAfterMs) this.delayMs = this.backoff.initialMs;
    const delay = this.delayMs;
    this.delayMs = Math.min(this.backoff.maxMs, this.delayMs * 2);
    this.restarts++;
    this.emit('log', 'warn', `${this.opts.name} exited (${signal ?? `code ${code}`}) after ${uptime} ms; restarting in ${delay} ms`);
    this.setState('restarting');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.start();
    }, delay);
  }

  async stop(): Promise<void> {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const child = this.child;
    this.setState('stopping');
    if (!child) {
      this.setState('stopped');
      return;
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (child.connected) child.send({ type: 'stop' });
    else child.kill('SIGTERM');
    const timeoutMs = this.opts.stopTimeoutMs ?? 3000;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const term = setTimeout(() => child.kill('SIGTERM'), timeoutMs / 2);
    await exited;
    clearTimeout(timer);
    clearTimeout(term);
    this.setState('stopped');
  }

  private setState(state: ProcessState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', state);
  }
}
