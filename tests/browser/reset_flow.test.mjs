// The user's path in a real browser: register, log out, "Forgot Your
// Password?", the mail (read with `mailctl outbox`, from the mailer's
// MAIL_OUTBOX_DIR), mismatched then matching new passwords, log in with the
// new one, and the same link refused afterwards — in English, then once more
// in Chinese (zh-CN), chosen with the language switch. Each step is
// screenshotted under $BUILD_DIR/browser-artifacts/ (NN-step.png), and so is
// every page in both languages (<lang>-<page>.png, PAGES below, for a reader
// to review the texts); a failure names its step.
import fs from 'node:fs';
import path from 'node:path';
import { mailCount, mailctlOutbox, newestEml, startAll, stopAll, waitFor } from './services.mjs';
import { artifactsDir, expectLang, expectText, finish, launchChromium, openPage, stepper } from './steps.mjs';

const artifacts = artifactsDir('browser-artifacts');
const s = stepper(artifacts);
const { step } = s;

// What each language's pages say on the way (en: SPEC's texts, word for word).
const TEXTS = {
  en: {
    registered: 'Congratulations, you are now a registered user!',
    hi: (name) => `Hi, ${name}!`,
    loggedOut: 'You have been logged out.',
    forgot: 'Forgot Your Password?',
    resetIt: 'Click to Reset It',
    checkEmail: 'Check your email for the instructions to reset your password',
    resetTitle: 'Reset Your Password',
    mismatch: 'Passwords do not match.',
    wasReset: 'Your password has been reset.',
    invalidLink: 'The password reset link is invalid or has expired.',
  },
  'zh-CN': {
    registered: '恭喜，你已成为注册用户！',
    hi: (name) => `你好，${name}！`,
    loggedOut: '你已退出登录。',
    forgot: '忘记密码？',
    resetIt: '点击重置',
    checkEmail: '请查看你的电子邮件，按照说明重置密码',
    resetTitle: '重置你的密码',
    mismatch: '两次输入的密码不一致。',
    wasReset: '你的密码已重置。',
    invalidLink: '密码重置链接无效或已过期。',
  },
};

// Every page there is, screenshotted in each language as <lang>-<page>.png.
const PAGES = ['register', 'login', 'home', 'logout', 'reset-request', 'reset-form', 'not-found',
  'bad-request', 'too-many'];
const LANGS = ['en', 'zh-CN'];

async function shoot(page, lang, name) {
  if (!PAGES.includes(name)) throw new Error(`${name} is not in PAGES`);
  await expectLang(page, lang);
  await page.screenshot({ path: path.join(artifacts, `${lang}-${name}.png`), fullPage: true });
}

async function logIn(page, user, password, t, lang) {
  await page.fill('#username', user.name);
  await page.fill('#password', password);
  await page.click('input[type=submit]');
  await expectText(page, t.hi(user.name));
  await shoot(page, lang, 'home');
  // the page a typed /logout finds, and its button
  await page.goto(new URL('/logout', page.url()).href);
  await expectLang(page, lang);
  await shoot(page, lang, 'logout');
  await page.click('main input[type=submit]');
  await page.waitForURL(/\/login/);
  await expectText(page, t.loggedOut);
}

// The whole reset path in one language; the page starts on /register in it.
async function walk(page, base, env, lang, user) {
  const t = TEXTS[lang];
  const tag = lang === 'en' ? '' : `${lang}: `;
  await step(page, `${tag}register`, async () => {
    await shoot(page, lang, 'register');
    await page.fill('#username', user.name);
    await page.fill('#email', user.email);
    await page.fill('#password', user.old);
    await page.fill('#password2', user.old);
    await page.click('input[type=submit]');
    await page.waitForURL(`${base}/login`);
    await expectLang(page, lang);
    await expectText(page, t.registered);
    await shoot(page, lang, 'login');
  });
  await step(page, `${tag}log in and out`, () => logIn(page, user, user.old, t, lang));
  let before;
  await step(page, `${tag}forgot your password`, async () => {
    await expectText(page, t.forgot);
    await page.click(`text=${t.resetIt}`);
    await page.waitForURL(`${base}/reset_password_request`);
    await shoot(page, lang, 'reset-request');
    before = mailCount(env.maildir);
    await page.fill('#email', user.email);
    await page.click('input[type=submit]');
    await page.waitForURL(`${base}/login`);
    await expectText(page, t.checkEmail);
  });
  let link;
  await step(page, `${tag}the mail arrives, in its language; mailctl outbox shows it`, async () => {
    await waitFor(() => mailCount(env.maildir) > before, 'the reset mail', 20000);
    // the operator's way (README): the readable copy, then the link alone
    const text = mailctlOutbox(env.outbox, 'show', 'latest');
    const m = text.match(/^(https?:\/\/\S+\/reset_password\/[A-Za-z0-9_\-.]+)$/m);
    if (!m || !m[1].startsWith(`${base}/reset_password/`)) throw new Error(`no reset link in:\n${text}`);
    if (!text.includes(`To: ${user.email}\n`)) throw new Error(`not the mail to ${user.email}:\n${text}`);
    const links = mailctlOutbox(env.outbox, 'link', 'latest').split('\n').filter(Boolean);
    if (links[0] !== m[1]) throw new Error(`mailctl outbox link said ${links}, want ${m[1]}`);
    const raw = newestEml(env.maildir);
    if (!raw.includes(`<html lang=3D"${lang}">`) && !raw.includes(`<html lang="${lang}">`)) {
      throw new Error(`the newest mail is not the ${lang} reset mail`);
    }
    link = m[1];
  });
  await step(page, `${tag}mismatched passwords`, async () => {
    await page.goto(link);
    await expectLang(page, lang);
    await expectText(page, t.resetTitle);
    await shoot(page, lang, 'reset-form');
    await page.fill('#password', user.next);
    await page.fill('#password2', 'something else');
    await page.click('input[type=submit]');
    await expectText(page, t.mismatch);
  });
  await step(page, `${tag}set the new password`, async () => {
    await page.fill('#password', user.next);
    await page.fill('#password2', user.next);
    await page.click('input[type=submit]');
    await page.waitForURL(`${base}/login`);
    await expectText(page, t.wasReset);
  });
  await step(page, `${tag}log in with the new password`, () => logIn(page, user, user.next, t, lang));
  await step(page, `${tag}the used link is refused`, async () => {
    await page.goto(link);
    await page.waitForURL(`${base}/reset_password_request`);
    await expectText(page, t.invalidLink);
  });
}

// The error pages, in the language the page is in: 404, the CSRF 400 (a
// forged token in the login form), and the registration limit's 429.
async function errorPages(page, base, lang) {
  const tag = lang === 'en' ? '' : `${lang}: `;
  await step(page, `${tag}a page that does not exist`, async () => {
    const r = await page.goto(`${base}/no-such-page`);
    if (r.status() !== 404) throw new Error(`status ${r.status()}`);
    await shoot(page, lang, 'not-found');
  });
  await step(page, `${tag}a forged CSRF token`, async () => {
    await page.goto(`${base}/login`);
    await page.fill('#username', 'nobody');
    await page.fill('#password', 'whatever it is');
    await page.$eval('main input[name=csrf_token]', (e) => { e.value = 'forged'; });
    const [r] = await Promise.all([page.waitForResponse((x) => x.request().method() === 'POST'),
      page.click('main input[type=submit]')]);
    if (r.status() !== 400) throw new Error(`status ${r.status()}`);
    await page.waitForLoadState();
    await shoot(page, lang, 'bad-request');
  });
  // Spends the registration limit (AUTH_REGISTER_LIMIT_PER_IP, 10 an hour):
  // keep it after every step that registers. Each try is a new account (a
  // taken username is refused before the limit is counted).
  await step(page, `${tag}too many registrations`, async () => {
    for (let i = 0; i < 12; i += 1) {
      await page.goto(`${base}/register`);
      await page.fill('#username', `flood-${lang}-${i}`);
      await page.fill('#email', `flood-${lang}-${i}@example.com`);
      await page.fill('#password', 'a long password 5');
      await page.fill('#password2', 'a long password 5');
      const [r] = await Promise.all([page.waitForResponse((x) => x.request().method() === 'POST'),
        page.click('main input[type=submit]')]);
      if (r.status() === 429) {
        await page.waitForLoadState();
        await shoot(page, lang, 'too-many');
        return;
      }
    }
    throw new Error('no 429 after 12 registrations');
  });
}

async function main() {
  const env = await startAll(artifacts, { outbox: true });
  const base = env.baseUrl;
  const browser = await launchChromium();
  try {
    // the error pages' own status is logged as a failed load: only those are expected
    const page = await openPage(browser, base, {
      expectedErrors: ['/no-such-page', '/login', '/register'].map((p) => `${base}${p}`),
    });

    await page.goto(`${base}/register`);
    await walk(page, base, env, 'en',
      { name: 'susan', email: 'susan@example.com', old: 'old password 1', next: 'new password 2' });
    await step(page, 'zh-CN: the language switch', async () => {
      await page.goto(`${base}/register`);
      await expectLang(page, 'en');
      await page.click('a[hreflang="zh-CN"]');
      await page.waitForURL(`${base}/register`);
      await expectLang(page, 'zh-CN');
      await expectText(page, '再次输入密码');
    });
    await walk(page, base, env, 'zh-CN',
      { name: 'lihua', email: 'lihua@example.com', old: 'old password 3', next: 'new password 4' });
    await errorPages(page, base, 'zh-CN');
    await page.goto(`${base}/lang/en?next=/login`);
    await errorPages(page, base, 'en');
    await step(page, 'every page screenshotted in both languages', async () => {
      const missing = LANGS.flatMap((l) => PAGES.map((p) => `${l}-${p}.png`))
        .filter((f) => !fs.existsSync(path.join(artifacts, f)));
      if (missing.length) throw new Error(`missing: ${missing.join(', ')}`);
    });
    await step(page, 'nothing loaded from outside, no console errors', () => page.pageClean());
  } finally {
    await browser.close();
    await stopAll();
  }
}

await finish(s, main);
