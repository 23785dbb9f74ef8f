/**
 * Drives Debian's Chromium headless through playwright-core (no browser download): loads the page
 * of web/ from the loopback server with query options and returns the JSON it publishes.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Where Chromium is: `MANYWORLDS_CHROMIUM`, else Debian's path. */
export const CHROMIUM = process.env.MANYWORLDS_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or null when they can. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set MANYWORLDS_CHROMIUM)`;
}

/** Launches headless Chromium; `webgpu` adds --enable-unsafe-webgpu. */
export function launch(webgpu: boolean): Promise<Browser> {
  const args = ['--no-sandbox', ...(webgpu ? ['--enable-unsafe-webgpu'] : [])];
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args });
}

/** Opens `url` in a fresh page, waits for the page to finish and returns its published JSON. */
export async function runPage(browser: Browser, url: string, timeoutMs = 120_000): Promise<Record<string, unknown>> {
  const page = await browser.newPage();
  const console: string[] = [];
  page.on('console', (m) => console.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => console.push(`pageerror: ${e.message}`));
  try {
    await page.goto(url);
    await page.waitForFunction(() => (globalThis as unknown as { document: { title: string } }).document.title === 'done', undefined, { timeout: timeoutMs });
    const text = await page.locator('#out').textContent();
    const result = JSON.parse(text ?? '{}') as Record<string, unknown>;
    const view = await page.locator('#view').innerHTML();
    return { ...result, drawn: view.includes('<svg'), console };
  } finally {
    await page.close();
  }
}
