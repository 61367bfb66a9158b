/**
 * Starts the real device (`pleura start`, compiled) as a child process for integration tests,
 * on a free port, and stops it the way an operator would (SIGTERM).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeviceStatus } from '../../device/status.js';

export const CLI = fileURLToPath(new URL('../../device/cli/main.js', import.meta.url));

export interface RunningDevice {
  url: string;
  child: ChildProcess;
  log: () => string;
  status(): Promise<DeviceStatus>;
  /** Polls the status until `predicate` holds; rejects with the last status after timeoutMs. */
  until(predicate: (s: DeviceStatus) => boolean, timeoutMs: number, what: string): Promise<DeviceStatus>;
  stop(): Promise<number | null>;
}

export async function startDevice(args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<RunningDevice> {
  // A device stores exams: unless the test names a data directory, it gets a fresh one, never
  // the user's real store (and parallel tests never share one).
  const ownDataDir = args.includes('--data-dir') || env.PLEURA_DATA_DIR ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-data-'));
  const childEnv = { ...process.env, ...(ownDataDir ? { PLEURA_DATA_DIR: ownDataDir } : {}), ...env };
  const child = spawn(process.execPath, [CLI, 'start', '--port', '0', ...args], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  if (ownDataDir) void exited.then(() => fs.rmSync(ownDataDir, { recursive: true, force: true }));
  const url = await new Promise<string>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`device did not start within 20 s:\n${output}`)), 20_000);
    const check = setInterval(() => {
      const m = /kiosk at (http:\/\/[^\s]+)/.exec(output);
      if (m) {
        clearInterval(check);
        clearTimeout(deadline);
        resolve(m[1]!.replace(/\/$/, ''));
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(check);
      clearTimeout(deadline);
      reject(new Error(`device exited with ${code} before starting:\n${output}`));
    });
  });
  const status = async (): Promise<DeviceStatus> => (await (await fetch(`${url}/api/status`)).json()) as DeviceStatus;
  return {
    url,
    child,
    log: () => output,
    status,
    async until(predicate, timeoutMs, what) {
      const deadline = Date.now() + timeoutMs;
      let last: DeviceStatus | null = null;
      while (Date.now() < deadline) {
        try {
          last = await status();
          if (predicate(last)) return last;
        } catch {
          // The server may be restarting its listener; try again.
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last status: ${JSON.stringify(last)}`);
    },
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts `pleura sim ARGS…` as its own process and resolves once it says where the probe is. */
export async function startSimulator(args: string[], timeoutMs = 15_000): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI, 'sim', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => (out += d));
  const deadline = Date.now() + timeoutMs;
  while (!out.includes('probe at')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`pleura sim ${args.join(' ')} did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return child;
}
