// Accounts people expect, in a real browser, in English and then in Chinese
// (zh-CN, chosen with the language switch): register as a lower-case name, log
// in as a phone would type it (capitalised, a trailing space), the home page
// with the account's address, the change-password page (a wrong current
// password first), the notice mail in the page's language, log out, the old
// password refused and the new one working. Each step is screenshotted under
// $BUILD_DIR/browser-artifacts-account/ (a directory of its own: the reset
// flow test empties browser-artifacts/ when it starts); a failure names its step.
import fs from 'node:fs';
import path from 'node:path';
import { mailCount, startAll, stopAll, waitFor } from './services.mjs';
import { artifactsDir, expectLang, expectText, finish, launchChromium, openPage, stepper } from './steps.mjs';

const artifacts = artifactsDir('browser-artifacts-account');
const s = stepper(artifacts);
const { step } = s;

const TEXTS = {
  en: {
    registered: 'Congratulations, you are now a registered user!',
    hi: (name) => `Hi, ${name}!`,
    account: 'Your account',
    changeLink: 'Change your password',
    changeTitle: 'Change Password',
    wrongCurrent: 'Your current password is not correct.',
    changed: 'Your password has been changed.',
    logout: 'Logout',
    invalid: 'Invalid username or password',
  },
  'zh-CN': {
    registered: '恭喜，你已成为注册用户！',
    hi: (name) => `你好，${name}！`,
    account: '你的账户',
    changeLink: '修改密码',
    changeTitle: '修改密码',
    wrongCurrent: '当前密码不正确。',
    changed: '你的密码已修改。',
    logout: '退出登录',
    invalid: '用户名或密码无效',
  },
};

// The newest message in the maildir, as written.
function newestMail(maildir) {
  const files = fs.readdirSync(maildir).filter((f) => f.endsWith('.eml')).sort((a, b) => parseInt(a) - parseInt(b));
  return files.length ? fs.readFileSync(path.join(maildir, files[files.length - 1]), 'latin1') : null;
}

async function typeLogin(page, base, typed, password) {
  await page.goto(`${base}/login`);
  const cap = await page.getAttribute('#username', 'autocapitalize');
  if (cap !== 'none') throw new Error(`username autocapitalize="${cap}"`);
  await page.fill('#username', typed);
  await page.fill('#password', password);
  await page.click('input[type=submit]');
}

async function walk(page, base, env, lang, user) {
  const t = TEXTS[lang];
  const tag = lang === 'en' ? '' : `${lang}: `;
  await step(page, `${tag}register in lower case`, async () => {
    await page.goto(`${base}/register`);
    await expectLang(page, lang);
    await page.fill('#username', user.name);
    await page.fill('#email', user.email);
    await page.fill('#password', user.old);
    await page.fill('#password2', user.old);
    await page.click('input[type=submit]');
    await page.waitForURL(`${base}/login`);
    await expectText(page, t.registered);
  });
  await step(page, `${tag}log in as a phone types it`, async () => {
    await typeLogin(page, base, user.typed, user.old);
    await page.waitForURL(`${base}/`);
    await expectText(page, t.hi(user.name));
  });
  await step(page, `${tag}the home page shows the address`, async () => {
    await expectText(page, t.account);
    const shown = await page.textContent('#account-email');
    if (shown !== user.email) throw new Error(`address shown: ${shown}`);
  });
  await step(page, `${tag}a wrong current password`, async () => {
    await page.click(`a[href="/change_password"]`);
    await page.waitForURL(`${base}/change_password`);
    await expectLang(page, lang);
    await expectText(page, t.changeTitle);
    await page.fill('#current_password', 'not my password');
    await page.fill('#password', user.next);
    await page.fill('#password2', user.next);
    await page.click('input[type=submit]');
    await expectText(page, t.wrongCurrent);
  });
  let before;
  await step(page, `${tag}change the password`, async () => {
    before = mailCount(env.maildir);
    await page.fill('#current_password', user.old);
    await page.fill('#password', user.next);
    await page.fill('#password2', user.next);
    await page.click('input[type=submit]');
    await page.waitForURL(`${base}/`);
    await expectText(page, t.changed);
    await expectText(page, t.hi(user.name));
  });
  await step(page, `${tag}the notice arrives, in its language`, async () => {
    const raw = await waitFor(() => (mailCount(env.maildir) > before ? newestMail(env.maildir) : null),
      'the password_changed mail', 20000);
    if (!raw.includes(`<html lang=3D"${lang}">`) && !raw.includes(`<html lang="${lang}">`)) {
      throw new Error(`the newest mail is not in ${lang}`);
    }
    if (!raw.includes(user.email)) throw new Error('the mail is not to the account\'s address');
  });
  await step(page, `${tag}log out`, async () => {
    await page.click(`header button:has-text("${t.logout}")`);
    await page.waitForURL(/\/login/);
  });
  await step(page, `${tag}the old password is refused`, async () => {
    await typeLogin(page, base, user.name, user.old);
    await page.waitForURL(`${base}/login`);
    await expectText(page, t.invalid);
  });
  await step(page, `${tag}log in with the new password`, async () => {
    await typeLogin(page, base, user.typed, user.next);
    await page.waitForURL(`${base}/`);
    await expectText(page, t.hi(user.name));
    await page.click(`header button:has-text("${t.logout}")`);
    await page.waitForURL(/\/login/);
  });
}

async function main() {
  const env = await startAll(artifacts);
  const base = env.baseUrl;
  const browser = await launchChromium();
  try {
    const page = await openPage(browser, base);

    await walk(page, base, env, 'en', { name: 'bob', typed: 'Bob ', email: 'bob@example.com',
      old: 'old password 1', next: 'new password 2' });
    await step(page, 'zh-CN: the language switch', async () => {
      await page.goto(`${base}/login`);
      await page.click('a[hreflang="zh-CN"]');
      await page.waitForURL(`${base}/login`);
      await expectLang(page, 'zh-CN');
    });
    await walk(page, base, env, 'zh-CN', { name: 'lihua', typed: 'Lihua ', email: 'lihua@example.com',
      old: 'old password 3', next: 'new password 4' });
    await step(page, 'nothing loaded from outside, no console errors', () => page.pageClean());
  } finally {
    await browser.close();
    await stopAll();
  }
}

await finish(s, main);
