/**
 * A throw-away machine with systemd as PID 1 (test/helpers/systemd-machine.sh: PID, mount,
 * network and UTS namespaces, overlays over /etc /opt /usr /var, everything else read-only),
 * for testing the install, the units, restarts and the watchdog on a host whose own PID 1 is not
 * systemd. Needs root.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../../test/helpers/systemd-machine.sh', import.meta.url));

export class SystemdMachineUnavailableError extends Error {
  override readonly name = 'SystemdMachineUnavailableError';
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface SystemdMachine {
  /** systemd's PID on the host. */
  readonly pid: number;
  /** Runs a command inside the machine (as root). */
  run(argv: string[], opts?: { input?: string; timeoutMs?: number }): Promise<RunResult>;
  /** `sh -c script` inside; rejects with the output when it fails. */
  sh(script: string, timeoutMs?: number): Promise<string>;
  /** Kills everything in it and removes its state. */
  stop(): Promise<void>;
}

function which(cmd: string): boolean {
  return (process.env['PATH'] ?? '/usr/bin:/bin').split(':').some((d) => fs.existsSync(`${d}/${cmd}`));
}

/** Why a systemd machine cannot run here, or null when it can. */
export function systemdMachineUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not root (namespaces and overlay mounts need root)';
  if (!fs.existsSync('/lib/systemd/systemd')) return 'no /lib/systemd/systemd (apt-get install systemd)';
  for (const cmd of ['unshare', 'nsenter', 'ip']) if (!which(cmd)) return `no ${cmd} on the PATH (util-linux, iproute2)`;
  if (!fs.readFileSync('/proc/filesystems', 'utf8').includes('overlay')) return 'the kernel has no overlayfs';
  return null;
}

function children(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function comm(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

function runIn(pid: number, argv: string[], input?: string, timeoutMs = 120_000): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile('nsenter', ['-t', String(pid), '-m', '-p', '-n', '-u', '--', ...argv], { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    child.stdin?.on('error', () => undefined); // a command that exits without reading its input
    child.stdin?.end(input ?? '');
  });
}

export async function startSystemdMachine(stateDir: string): Promise<SystemdMachine> {
  const why = systemdMachineUnavailable();
  if (why) throw new SystemdMachineUnavailableError(why);
  let log = '';
  const child: ChildProcess = spawn(SCRIPT, [stateDir], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const deadline = Date.now() + 15_000;
  let pid = 0;
  while (!pid) {
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new SystemdMachineUnavailableError(`systemd did not start in its namespaces: ${log.trim() || `exit ${child.exitCode}`}`);
    }
    // The namespace's first process sets up the mounts, then execs systemd (same PID).
    const first = children(child.pid!)[0];
    if (first && comm(first) === 'systemd') pid = first;
    else await new Promise((r) => setTimeout(r, 50));
  }
  let stopped = false;
  const kill = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // SIGKILL to the namespace's PID 1: the kernel kills every process in it.
    for (const p of [pid, child.pid!]) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await new Promise((r) => setTimeout(r, 300));
    fs.rmSync(stateDir, { recursive: true, force: true });
  };
  // Boot finished (running, or degraded with some unit failed: the test looks at its own units).
  // Until systemd has opened its private socket, systemctl cannot connect: try again.
  let boot: RunResult = { code: 1, stdout: '', stderr: '' };
  const bootDeadline = Date.now() + 60_000;
  while (Date.now() < bootDeadline) {
    boot = await runIn(pid, ['systemctl', 'is-system-running', '--wait'], undefined, 60_000);
    if (/running|degraded/.test(boot.stdout)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!/running|degraded/.test(boot.stdout)) {
    await kill();
    throw new Error(`systemd started but did not finish booting: ${boot.stdout}${boot.stderr}${log}`);
  }
  return {
    pid,
    run: (argv, opts = {}) => runIn(pid, argv, opts.input, opts.timeoutMs),
    async sh(script, timeoutMs) {
      const r = await runIn(pid, ['sh', '-c', script], undefined, timeoutMs);
      if (r.code !== 0) throw new Error(`in the systemd machine, \`${script}\` failed (exit ${r.code}):\n${r.stdout}${r.stderr}`);
      return r.stdout;
    },
    stop: kill,
  };
}
