// What every browser test shares: its screenshot directory, named steps that
// screenshot the page whatever happens and count passes and failures, text and
// <html lang> checks, Chromium's launch, and the ending (sanitizer reports,
// the summary line, the exit status).
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { BUILD_DIR, sanitizerReports, startAll, stopAll } from './services.mjs';

// A fresh $BUILD_DIR/<name>/ for the screenshots and the services' logs.
export function artifactsDir(name) {
  const dir = path.join(BUILD_DIR, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

// step(page, name, fn): runs fn, screenshots the page as NN-name.png, and
// counts the result; a failure is printed with its step's name and rethrown.
export function stepper(artifacts) {
  const s = { passed: 0, failed: 0, n: 0 };
  s.step = async (page, name, fn) => {
    s.n += 1;
    const shot = path.join(artifacts, `${String(s.n).padStart(2, '0')}-${name.replace(/\W+/g, '-')}.png`);
    try {
      await fn();
      s.passed += 1;
      console.log(`ok ${s.n} - ${name}`);
    } catch (e) {
      s.failed += 1;
      console.log(`not ok ${s.n} - ${name}\n  ${String(e.stack || e).split('\n').join('\n  ')}`);
      throw e;
    } finally {
      await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
    }
  };
  return s;
}

export async function expectText(page, text) {
  await page.getByText(text, { exact: false }).first().waitFor({ timeout: 10000 });
}

export async function expectLang(page, lang) {
  const got = await page.getAttribute('html', 'lang');
  if (got !== lang) throw new Error(`<html lang="${got}">, want ${lang}`);
}

export function launchChromium() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage'],
  });
}

// A page in a fresh context that notes every request outside base and every
// console error; pageClean() throws when it saw any. expectedErrors: URLs
// whose 4xx status (an error page a step asks for) the console may report.
export async function openPage(browser, base, { expectedErrors = [] } = {}) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const outside = [];
  const consoleErrors = [];
  page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:')) outside.push(r.url()); });
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (/^Failed to load resource: the server responded with a status of 4\d\d /.test(m.text()) &&
      expectedErrors.includes(m.location().url)) return;
    consoleErrors.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.pageClean = () => {
    if (outside.length) throw new Error(`requests outside the site: ${outside.join(', ')}`);
    if (consoleErrors.length) throw new Error(`console errors: ${consoleErrors.join(' | ')}`);
  };
  return page;
}

// Runs main (which stops the services itself), then reports and exits.
export async function finish(s, main) {
  try {
    await main();
    const reports = sanitizerReports();
    if (reports.length) {
      s.failed += 1;
      console.log(`not ok - sanitizer reports in ${reports.join(', ')}`);
    }
  } catch (e) {
    if (!s.failed) {
      s.failed += 1;
      console.log(`not ok - setup: ${e.stack || e}`);
    }
    await stopAll();
  }
  console.log(`${s.passed} passed, ${s.failed} failed`);
  process.exit(s.failed ? 1 : 0);
}

// For a walk that is one function: step() of the walk runWalk runs.
let current = null;
export const step = (page, name, fn) => current.step(page, name, fn);

// Starts the services (startAll's options) with $BUILD_DIR/<name>/ for the
// screenshots, runs walk(page, baseUrl, env) in a fresh browser, checks that
// nothing came from outside and no console error was seen, stops everything,
// and ends like finish().
export async function runWalk(name, options, walk) {
  const artifacts = artifactsDir(name);
  current = stepper(artifacts);
  await finish(current, async () => {
    const env = await startAll(artifacts, options);
    const browser = await launchChromium();
    try {
      const page = await openPage(browser, env.baseUrl);
      await walk(page, env.baseUrl, env);
      await step(page, 'nothing loaded from outside, no console errors', () => page.pageClean());
    } finally {
      await browser.close();
      await stopAll();
    }
  });
}
