// Address confirmation in a real browser, with auth started with
// AUTH_REQUIRE_CONFIRMATION=true: register, the login refused until the
// address is confirmed (with its "send the link again" link), a new link asked
// for, the mail, the confirmation page (a GET that only shows a button), the
// button, the login — in English, then in Chinese (zh-CN) chosen with the
// switch; then a registration of the taken address, answered as a new one.
// Each step is screenshotted under $BUILD_DIR/browser-artifacts-confirm/ (a
// directory of its own: reset_flow empties browser-artifacts/ when it starts,
// and ctest -j may run the two at once).
import { linkFrom, mailCount, waitFor } from './services.mjs';
import { expectLang, expectText, runWalk, step } from './steps.mjs';

const TEXTS = {
  en: {
    sent: 'Check your email: we have sent a link to confirm your address. Follow it, then log in.',
    unconfirmed: 'Your email address is not confirmed yet.',
    sendAgain: 'Send the confirmation link again',
    resent: 'If an account with that address is waiting for confirmation, we have sent it a new link.',
    title: 'Confirm Your Email Address',
    button: 'Confirm my address',
    confirmed: 'Your email address is confirmed. You can now log in.',
    hi: (name) => `Hi, ${name}!`,
    logout: 'Logout',
    mailButton: 'Confirm my address',
  },
  'zh-CN': {
    sent: '请查看你的电子邮件：我们已发送一个确认地址的链接。打开链接确认后即可登录。',
    unconfirmed: '你的电子邮件地址尚未确认。',
    sendAgain: '重新发送确认链接',
    resent: '如果有使用该地址、尚待确认的账户，我们已向它发送新的链接。',
    title: '确认你的电子邮件地址',
    button: '确认我的地址',
    confirmed: '你的电子邮件地址已确认，现在可以登录了。',
    hi: (name) => `你好，${name}！`,
    logout: '退出登录',
    mailButton: '确认我的地址',
  },
};

async function fillRegistration(page, user) {
  await page.fill('#username', user.name);
  await page.fill('#email', user.email);
  await page.fill('#password', user.password);
  await page.fill('#password2', user.password);
  await page.click('input[type=submit]');
}

async function newMail(env, before) {
  return waitFor(() => (mailCount(env.maildir) > before ? linkFrom(env.maildir, 'confirm_email', true) : null),
    'the confirmation mail', 20000);
}

// The whole path in one language; the page starts on /register in it.
async function walk(page, base, env, lang, user) {
  const t = TEXTS[lang];
  const tag = lang === 'en' ? '' : `${lang}: `;
  let before = mailCount(env.maildir);
  await step(page, `${tag}register`, async () => {
    await fillRegistration(page, user);
    await page.waitForURL(`${base}/login`);
    await expectLang(page, lang);
    await expectText(page, t.sent);
  });
  let first;
  await step(page, `${tag}the first mail arrives`, async () => {
    first = await newMail(env, before);
  });
  await step(page, `${tag}login refused until confirmed`, async () => {
    await page.fill('#username', user.name);
    await page.fill('#password', user.password);
    await page.click('input[type=submit]');
    await expectText(page, t.unconfirmed);
    await expectText(page, t.sendAgain);
  });
  await step(page, `${tag}send the link again`, async () => {
    await page.click(`a:has-text("${t.sendAgain}")`);
    await page.waitForURL(`${base}/confirm_email_request`);
    await expectLang(page, lang);
    await expectText(page, t.title);
    before = mailCount(env.maildir);
    await page.fill('#email', user.email);
    await page.click('input[type=submit]');
    await page.waitForURL(`${base}/login`);
    await expectText(page, t.resent);
  });
  let link;
  await step(page, `${tag}the new mail, in its language`, async () => {
    const mail = await newMail(env, before);
    if (!mail.link.startsWith(`${base}/confirm_email/`)) throw new Error(`link ${mail.link}`);
    if (mail.link === first.link) throw new Error('the same link twice');
    if (!mail.raw.includes(`<html lang=3D"${lang}">`) && !mail.raw.includes(`<html lang="${lang}">`)) {
      throw new Error(`the newest mail is not the ${lang} confirmation mail`);
    }
    link = mail.link;
  });
  await step(page, `${tag}the link shows a button and confirms nothing`, async () => {
    await page.goto(link);
    await expectLang(page, lang);
    await expectText(page, t.title);
    await expectText(page, user.email);
    await page.goto(link); // a second GET (a mail scanner's) changes nothing either
    await expectText(page, t.title);
  });
  await step(page, `${tag}the button confirms`, async () => {
    await page.click(`input[type=submit][value="${t.button}"]`);
    await page.waitForURL(`${base}/login`);
    await expectText(page, t.confirmed);
  });
  await step(page, `${tag}log in`, async () => {
    await page.fill('#username', user.name);
    await page.fill('#password', user.password);
    await page.click('input[type=submit]');
    await expectText(page, t.hi(user.name));
    await page.click(`button:has-text("${t.logout}")`);
    await page.waitForURL(/\/login/);
  });
  await step(page, `${tag}the used link is refused`, async () => {
    await page.goto(link);
    await page.waitForURL(`${base}/confirm_email_request`);
  });
}

await runWalk('browser-artifacts-confirm',
  { authEnv: { AUTH_REQUIRE_CONFIRMATION: 'true' } }, async (page, base, env) => {
    await page.goto(`${base}/register`);
    await walk(page, base, env, 'en', { name: 'susan', email: 'susan@example.com', password: 'susan password 1' });
    await step(page, 'zh-CN: the language switch', async () => {
      await page.goto(`${base}/register`);
      await page.click('a[hreflang="zh-CN"]');
      await page.waitForURL(`${base}/register`);
      await expectLang(page, 'zh-CN');
    });
    await walk(page, base, env, 'zh-CN', { name: 'lihua', email: 'lihua@example.com', password: 'lihua password 2' });
    await step(page, 'zh-CN: a taken address is answered as a new one', async () => {
      const before = mailCount(env.maildir);
      await page.goto(`${base}/register`);
      await fillRegistration(page, { name: 'lihua2', email: 'LIHUA@example.com', password: 'lihua password 3' });
      await page.waitForURL(`${base}/login`);
      await expectText(page, TEXTS['zh-CN'].sent);
      await waitFor(() => mailCount(env.maildir) > before, 'the account_exists mail', 20000);
    });
  });
