// Launches Debian's chromium (never a downloaded browser) for browser tests.
//
//   import { launchBrowser } from '../lib/browser.mjs';
//   const b = await launchBrowser();      // fresh profile in a temp dir
//   const page = await b.newPage();
//   ...
//   await b.close();                      // closes chromium, removes the profile
//
// Env: CHROMIUM_PATH overrides /usr/bin/chromium; HEADFUL=1 shows the window.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * Starts chromium with a fresh user-data-dir. Returns the persistent context
 * plus helpers: newPage() (with console errors and page errors collected in
 * `errors`), and close() which also deletes the profile.
 */
export async function launchBrowser(options = {}) {
  const profile = await mkdtemp(join(tmpdir(), 'tessera-chromium-'));
  const args = process.env.HEADFUL ? CHROMIUM_ARGS.filter((a) => a !== '--headless') : CHROMIUM_ARGS;
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: !process.env.HEADFUL,
    args,
    viewport: { width: 1280, height: 800 },
    locale: 'en-US',
    timezoneId: 'UTC',
    ...options,
  });
  context.setDefaultTimeout(10_000);
  const errors = [];

  function watch(page) {
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    return page;
  }
  context.pages().forEach(watch);
  context.on('page', watch);

  return {
    context,
    errors,
    async newPage() {
      const existing = context.pages().find((p) => p.url() === 'about:blank');
      return existing ?? (await context.newPage());
    },
    async close() {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}
