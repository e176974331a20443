import { afterAll, beforeAll } from 'vitest';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Debian's Chromium, headless. The background-networking flags keep it from calling Google's services:
 * the test machines have no internet, and those attempts would only slow the start.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install it (apt-get install -y chromium; .ci/run does) or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** Where the browser tests write the README's screenshots: `UPDATE_SCREENSHOTS=1 npm test -- test/browser`. */
export const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : undefined;

/** One Chromium for a test file: launched before its tests, closed after them; call the getter inside a test. */
export function useChromium(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('Chromium is not launched yet: call the getter inside a test');
    return browser;
  };
}
