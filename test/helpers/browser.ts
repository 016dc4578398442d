/**
 * Headless Chromium for UI tests: the Debian build at /usr/bin/chromium,
 * driven by playwright-core, with the switches that keep the browser from
 * calling any host of its own (updates, sync, safe browsing).
 */
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM_PATH = process.env.SHOPFACE_CHROMIUM ?? '/usr/bin/chromium';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
}

/** Console errors, warnings and uncaught page errors, collected as they happen. */
export interface PageProblems {
  errors: string[];
  warnings: string[];
}

export function watchConsole(page: Page): PageProblems {
  const problems: PageProblems = { errors: [], warnings: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') problems.errors.push(message.text());
    if (message.type() === 'warning') problems.warnings.push(message.text());
  });
  page.on('pageerror', (error) => problems.errors.push(`uncaught: ${error.message}`));
  return problems;
}
