// The user's path in a real browser: register, log out, "Forgot Your
// Password?", the mail, mismatched then matching new passwords, log in with
// the new one, and the same link refused afterwards — in English, then once
// more in Chinese (zh-CN), chosen with the language switch. Each step is
// screenshotted under $BUILD_DIR/browser-artifacts/; a failure names its step.
import path from 'node:path';
import { BUILD_DIR, mailCount, resetLinkFrom, waitFor } from './services.mjs';
import { expectLang, expectText, runWalk, step } from './steps.mjs';

// What each language's pages say on the way (en: SPEC's texts, word for word).
const TEXTS = {
  en: {
    registered: 'Congratulations, you are now a registered user!',
    hi: (name) => `Hi, ${name}!`,
    logout: 'Logout',
    forgot: 'Forgot Your Password?',
    resetIt: 'Click to Reset It',
    checkEmail: 'Check your email for the instructions to reset your password',
    resetTitle: 'Reset Your Password',
    mismatch: 'Field must be equal to password.',
    wasReset: 'Your password has been reset.',
    invalidLink: 'The password reset link is invalid or has expired.',
  },
  'zh-CN': {
    registered: '恭喜，你已成为注册用户！',
    hi: (name) => `你好，${name}！`,
    logout: '退出登录',
    forgot: '忘记密码？',
    resetIt: '点击重置',
    checkEmail: '请查看你的电子邮件，按照说明重置密码',
    resetTitle: '重置你的密码',
    mismatch: '两次输入的密码必须一致。',
    wasReset: '你的密码已重置。',
    invalidLink: '密码重置链接无效或已过期。',
  },
};

async function logIn(page, user, password, t) {
  await page.fill('#username', user.name);
  await page.fill('#password', password);
  await page.click('input[type=submit]');
  await expectText(page, t.hi(user.name));
  await page.click(`button:has-text("${t.logout}")`);
  await page.waitForURL(/\/login/);
}

// The whole reset path in one language; the page starts on /register in it.
async function walk(page, base, env, lang, user) {
  const t = TEXTS[lang];
  const tag = lang === 'en' ? '' : `${lang}: `;
  await step(page, `${tag}register`, async () => {
    await page.fill('#username', user.name);
    await page.fill('#email', user.email);
    await page.fill('#password', user.old);
    await page.fill('#password2', user.old);
    await page.click('input[type=submit]');
    await page.waitForURL(`${base}/login`);
    await expectLang(page, lang);
    await expectText(page, t.registered);
  });
  await step(page, `${tag}log in and out`, () => logIn(page, user, user.old, t));
  let before;
  await step(page, `${tag}forgot your password`, async () => {
    await expectText(page, t.forgot);
    await page.click(`text=${t.resetIt}`);
    await page.waitForURL(`${base}/reset_password_request`);
    before = mailCount(env.maildir);
    await page.fill('#email', user.email);
    await page.click('input[type=submit]');
    await page.waitForURL(`${base}/login`);
    await expectText(page, t.checkEmail);
  });
  let link;
  await step(page, `${tag}the mail arrives, in its language`, async () => {
    const mail = await waitFor(() => (mailCount(env.maildir) > before ? resetLinkFrom(env.maildir, true) : null),
      'the reset mail', 20000);
    if (!mail.link.startsWith(`${base}/reset_password/`)) throw new Error(`link ${mail.link}`);
    if (!mail.raw.includes(`<html lang=3D"${lang}">`) && !mail.raw.includes(`<html lang="${lang}">`)) {
      throw new Error(`the newest mail is not the ${lang} reset mail`);
    }
    link = mail.link;
  });
  await step(page, `${tag}mismatched passwords`, async () => {
    await page.goto(link);
    await expectLang(page, lang);
    await expectText(page, t.resetTitle);
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
  await step(page, `${tag}log in with the new password`, () => logIn(page, user, user.next, t));
  await step(page, `${tag}the used link is refused`, async () => {
    await page.goto(link);
    await page.waitForURL(`${base}/reset_password_request`);
    await expectText(page, t.invalidLink);
  });
}

await runWalk(path.join(BUILD_DIR, 'browser-artifacts'), {}, async (page, base, env) => {
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
});
