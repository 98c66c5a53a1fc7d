// The user's path in a real browser: register, log out, "Forgot Your
// Password?", the mail, mismatched then matching new passwords, log in with
// the new one, and the same link refused afterwards; then the same path once
// in Chinese (zh-CN), chosen with the language switch. Each step is
// screenshotted under $BUILD_DIR/browser-artifacts/; a failure names its step.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { BUILD_DIR, mailCount, resetLinkFrom, sanitizerReports, startAll, stopAll, waitFor } from './services.mjs';

const artifacts = path.join(BUILD_DIR, 'browser-artifacts');
fs.rmSync(artifacts, { recursive: true, force: true });
fs.mkdirSync(artifacts, { recursive: true });

let passed = 0;
let failed = 0;
let stepNo = 0;

async function step(page, name, fn) {
  stepNo += 1;
  const shot = path.join(artifacts, `${String(stepNo).padStart(2, '0')}-${name.replace(/\W+/g, '-')}.png`);
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

async function expectText(page, text) {
  await page.getByText(text, { exact: false }).first().waitFor({ timeout: 10000 });
}

async function expectLang(page, lang) {
  const got = await page.getAttribute('html', 'lang');
  if (got !== lang) throw new Error(`<html lang="${got}">, want ${lang}`);
}

// The reset path once in zh-CN: the switch sets the language, every page and
// flash on the way is Chinese, and so is the mail.
async function walkInChinese(context, base, env) {
  await context.clearCookies();
  const page = await context.newPage();
  const user = { name: 'lihua', email: 'lihua@example.com', old: 'old password 1', next: 'new password 2' };
  await step(page, 'zh-CN: the language switch', async () => {
    await page.goto(`${base}/register`);
    await expectLang(page, 'en');
    await page.click('a[hreflang="zh-CN"]');
    await page.waitForURL(`${base}/register`);
    await expectLang(page, 'zh-CN');
    await expectText(page, '再次输入密码');
  });
  await step(page, 'zh-CN: register', async () => {
    await page.fill('#username', user.name);
    await page.fill('#email', user.email);
    await page.fill('#password', user.old);
    await page.fill('#password2', user.old);
    await page.click('input[type=submit]');
    await page.waitForURL(`${base}/login`);
    await expectLang(page, 'zh-CN');
    await expectText(page, '恭喜，你已成为注册用户！');
  });
  let before;
  await step(page, 'zh-CN: forgot your password', async () => {
    await expectText(page, '忘记密码？');
    await page.click('text=点击重置');
    await page.waitForURL(`${base}/reset_password_request`);
    await expectText(page, '重置密码');
    before = mailCount(env.maildir);
    await page.fill('#email', user.email);
    await page.click('input[type=submit]');
    await page.waitForURL(`${base}/login`);
    await expectText(page, '请查看你的电子邮件，按照说明重置密码');
  });
  let link;
  await step(page, 'zh-CN: the mail arrives, in Chinese', async () => {
    const mail = await waitFor(() => (mailCount(env.maildir) > before ? resetLinkFrom(env.maildir, true) : null),
      'the zh-CN reset mail', 20000);
    if (!mail.raw.includes('<html lang=3D"zh-CN">') && !mail.raw.includes('<html lang="zh-CN">')) {
      throw new Error('the newest mail is not the Chinese one');
    }
    link = mail.link;
  });
  await step(page, 'zh-CN: mismatched passwords', async () => {
    await page.goto(link);
    await expectLang(page, 'zh-CN');
    await expectText(page, '重置你的密码');
    await page.fill('#password', user.next);
    await page.fill('#password2', 'something else');
    await page.click('input[type=submit]');
    await expectText(page, '两次输入的密码必须一致。');
  });
  await step(page, 'zh-CN: set the new password', async () => {
    await page.fill('#password', user.next);
    await page.fill('#password2', user.next);
    await page.click('input[type=submit]');
    await page.waitForURL(`${base}/login`);
    await expectText(page, '你的密码已重置。');
  });
  await step(page, 'zh-CN: log in with the new password', async () => {
    await page.fill('#username', user.name);
    await page.fill('#password', user.next);
    await page.click('input[type=submit]');
    await expectText(page, `你好，${user.name}！`);
    await expectLang(page, 'zh-CN');
  });
  await page.close();
}

async function main() {
  const env = await startAll(artifacts);
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
    const user = { name: 'susan', email: 'susan@example.com', old: 'old password 1', next: 'new password 2' };

    await step(page, 'register', async () => {
      await page.goto(`${base}/register`);
      await page.fill('#username', user.name);
      await page.fill('#email', user.email);
      await page.fill('#password', user.old);
      await page.fill('#password2', user.old);
      await page.click('input[type=submit]');
      await page.waitForURL(`${base}/login`);
      await expectText(page, 'Congratulations, you are now a registered user!');
    });
    await step(page, 'log in and out', async () => {
      await page.fill('#username', user.name);
      await page.fill('#password', user.old);
      await page.click('input[type=submit]');
      await expectText(page, `Hi, ${user.name}!`);
      await page.click('button:has-text("Logout")');
      await page.waitForURL(/\/login/);
    });
    await step(page, 'forgot your password', async () => {
      await expectText(page, 'Forgot Your Password?');
      await page.click('text=Click to Reset It');
      await page.waitForURL(`${base}/reset_password_request`);
      await page.fill('#email', user.email);
      await page.click('input[type=submit]');
      await page.waitForURL(`${base}/login`);
      await expectText(page, 'Check your email for the instructions to reset your password');
    });
    let link;
    await step(page, 'the mail arrives', async () => {
      link = await waitFor(() => resetLinkFrom(env.maildir), 'the reset mail', 20000);
      if (!link.startsWith(`${base}/reset_password/`)) throw new Error(`link ${link}`);
    });
    await step(page, 'mismatched passwords', async () => {
      await page.goto(link);
      await expectText(page, 'Reset Your Password');
      await page.fill('#password', user.next);
      await page.fill('#password2', 'something else');
      await page.click('input[type=submit]');
      await expectText(page, 'Field must be equal to password.');
    });
    await step(page, 'set the new password', async () => {
      await page.fill('#password', user.next);
      await page.fill('#password2', user.next);
      await page.click('input[type=submit]');
      await page.waitForURL(`${base}/login`);
      await expectText(page, 'Your password has been reset.');
    });
    await step(page, 'log in with the new password', async () => {
      await page.fill('#username', user.name);
      await page.fill('#password', user.next);
      await page.click('input[type=submit]');
      await expectText(page, `Hi, ${user.name}!`);
      await page.click('button:has-text("Logout")');
      await page.waitForURL(/\/login/);
    });
    await step(page, 'the used link is refused', async () => {
      await page.goto(link);
      await page.waitForURL(`${base}/reset_password_request`);
      await expectText(page, 'The password reset link is invalid or has expired.');
    });
    await walkInChinese(context, base, env);
    await step(page, 'nothing loaded from outside, no console errors', async () => {
      if (outside.length) throw new Error(`requests outside the site: ${outside.join(', ')}`);
      if (consoleErrors.length) throw new Error(`console errors: ${consoleErrors.join(' | ')}`);
    });
  } finally {
    await browser.close();
    await stopAll();
  }
  const reports = sanitizerReports();
  if (reports.length) {
    failed += 1;
    console.log(`not ok - sanitizer reports in ${reports.join(', ')}`);
  }
}

try {
  await main();
} catch (e) {
  if (!failed) {
    failed += 1;
    console.log(`not ok - setup: ${e.stack || e}`);
  }
  await stopAll();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
