/** `pleura start`: run the device until SIGINT/SIGTERM, then shut everything down in order. */
import { DeviceApp } from '../../app.js';
import { configFromFlags } from '../config-from-flags.js';
import { createLogger } from '../../log.js';
import { serviceNotifier } from '../../systemd/notify.js';
import { RecentLog } from '../../maintenance/recent-log.js';

export async function start({ values }: { values: Record<string, string | boolean | undefined> }): Promise<number> {
  const config = configFromFlags('start', values);
  // The latest lines are kept for the kiosk's maintenance page.
  const recent = new RecentLog();
  const log = createLogger(config.logLevel, recent.tee((l) => process.stderr.write(l + '\n')));
  const app = new DeviceApp(config, log);
  app.recentLog = recent;
  const systemd = serviceNotifier();
  let stopping: Promise<void> | null = null;
  const shutdown = (signal: string) => {
    if (stopping) return;
    log.info(`${signal}: shutting down`);
    systemd.stopping();
    systemd.stop();
    stopping = app.stop().then(
      () => log.info('stopped cleanly'),
      (err: Error) => log.error(`shutdown failed: ${err.message}`),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  try {
    await app.start();
    systemd.ready(`kiosk at ${app.url}`);
  } catch (err) {
    log.error(`start failed: ${(err as Error).message}`);
    await app.stop().catch(() => undefined);
    return 1;
  }
  // Wait for a signal.
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (stopping) {
        clearInterval(check);
        void stopping.then(resolve);
      }
    }, 100);
  });
  return 0;
}
