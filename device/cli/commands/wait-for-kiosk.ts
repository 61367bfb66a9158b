/**
 * `pleura wait-for-kiosk [--timeout-s N]`: waits until the device's kiosk server answers on
 * loopback, so the kiosk browser (pleura-kiosk.service) never opens on an error page.
 */
import { configFromFlags, type CliValues } from '../config-from-flags.js';

export async function waitForKiosk({ values }: { values: CliValues }): Promise<number> {
  const config = configFromFlags('wait-for-kiosk', values);
  const timeoutS = Number(values['timeout-s'] ?? 60);
  const url = `http://${config.kiosk.host}:${config.kiosk.port}/api/status`;
  const deadline = Date.now() + timeoutS * 1000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return 0;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  process.stderr.write(`pleura wait-for-kiosk: ${url} did not answer within ${timeoutS} s\n`);
  return 1;
}
