import { access, constants } from 'node:fs/promises';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * This machine has no network: without these flags Chromium keeps trying to reach Google
 * services (QUIC, sync, component updates) and floods the log with refused connections.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export class ChromiumMissingError extends Error {
  override readonly name = 'ChromiumMissingError';
  constructor() {
    super(`${CHROMIUM_PATH} not found: run \`apt-get install chromium\` (Debian package) and retry`);
  }
}

/** Headless system Chromium for browser tests; the caller closes it. */
export async function launchChromium(): Promise<Browser> {
  try {
    await access(CHROMIUM_PATH, constants.X_OK);
  } catch {
    throw new ChromiumMissingError();
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], headless: true });
}
