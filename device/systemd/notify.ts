/**
 * sd_notify for a Node service: READY=1 once the device is up, WATCHDOG=1 every half watchdog
 * period while the event loop runs. Node cannot send Unix datagrams itself, so this runs
 * `systemd-notify` (the unit sets NotifyAccess=all). Outside systemd (no NOTIFY_SOCKET) it does
 * nothing.
 */
import { execFile } from 'node:child_process';

export interface ServiceNotifier {
  ready(status: string): void;
  status(status: string): void;
  stopping(): void;
  stop(): void;
}

function notify(env: NodeJS.ProcessEnv, ...assignments: string[]): void {
  execFile('systemd-notify', assignments, { env }, () => undefined);
}

export function serviceNotifier(env: NodeJS.ProcessEnv = process.env): ServiceNotifier {
  if (!env.NOTIFY_SOCKET) return { ready() {}, status() {}, stopping() {}, stop() {} };
  const watchdogUs = Number(env.WATCHDOG_USEC ?? 0);
  let timer: NodeJS.Timeout | null = null;
  if (watchdogUs > 0) {
    // Fed from the event loop itself: if the loop hangs, the pings stop and systemd restarts us.
    timer = setInterval(() => notify(env, 'WATCHDOG=1'), Math.max(1000, watchdogUs / 1000 / 2));
    timer.unref();
  }
  return {
    ready: (status) => notify(env, '--ready', `--status=${status}`),
    status: (status) => notify(env, `--status=${status}`),
    stopping: () => notify(env, 'STOPPING=1'),
    stop: () => {
      if (timer) clearInterval(timer);
    },
  };
}
