import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium package, or the browser `CHROMIUM_PATH` names. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where the browser tests write their screenshots (git-ignored). */
export const SCREENSHOT_DIR = join('test-output', 'ui');

/**
 * A headless Chromium; throws at once, naming the fix, when the browser is missing (no download, no hang).
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: the browser tests need Debian's chromium package ` +
        '(apt-get install chromium; .ci/run installs it when missing) or CHROMIUM_PATH naming another Chromium',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, timeout: 30_000, args: ['--disable-gpu', '--disable-dev-shm-usage'] });
}

/** The path of screenshot `name`.png, creating the folder. */
export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return join(SCREENSHOT_DIR, `${name}.png`);
}
