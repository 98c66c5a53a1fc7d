// What every browser walk shares: numbered steps, each screenshotted (a
// failure names its step); Chromium launched and watched for requests outside
// the site and for console errors; the services started and stopped; the
// closing tally, with the services' sanitizer reports, as the exit code.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { sanitizerReports, startAll, stopAll } from './services.mjs';

let passed = 0;
let failed = 0;
let stepNo = 0;
let artifactsDir = '';

export async function step(page, name, fn) {
  stepNo += 1;
  const shot = path.join(artifactsDir, `${String(stepNo).padStart(2, '0')}-${name.replace(/\W+/g, '-')}.png`);
  try {
    await fn();
    passed += 1;
    console.log(`ok ${stepNo} - ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`not ok ${stepNo} - ${name}\n  ${String(e.stack || e).split('\n').join('\n  ')}`);
    throw e;
  } finally {
    await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
  }
}

export async function expectText(page, text) {
  await page.getByText(text, { exact: false }).first().waitFor({ timeout: 10000 });
}

export async function expectLang(page, lang) {
  const got = await page.getAttribute('html', 'lang');
  if (got !== lang) throw new Error(`<html lang="${got}">, want ${lang}`);
}

async function inBrowser(env, walk) {
  const base = env.baseUrl;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage'],
  });
  const outside = [];
  const consoleErrors = [];
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:')) outside.push(r.url()); });
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await walk(page, base, env);
    await step(page, 'nothing loaded from outside, no console errors', async () => {
      if (outside.length) throw new Error(`requests outside the site: ${outside.join(', ')}`);
      if (consoleErrors.length) throw new Error(`console errors: ${consoleErrors.join(' | ')}`);
    });
  } finally {
    await browser.close();
  }
}

// Empties artifacts, starts the services (startAll's options), runs
// walk(page, baseUrl, env) in a fresh browser, stops everything, prints the
// tally and exits: 0 when every step passed and no sanitizer report was seen.
export async function runWalk(artifacts, options, walk) {
  artifactsDir = artifacts;
  fs.rmSync(artifacts, { recursive: true, force: true });
  fs.mkdirSync(artifacts, { recursive: true });
  try {
    const env = await startAll(artifacts, options);
    try {
      await inBrowser(env, walk);
    } finally {
      await stopAll();
    }
    const reports = sanitizerReports();
    if (reports.length) {
      failed += 1;
      console.log(`not ok - sanitizer reports in ${reports.join(', ')}`);
    }
  } catch (e) {
    if (!failed) {
      failed += 1;
      console.log(`not ok - setup: ${e.stack || e}`);
    }
    await stopAll();
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
