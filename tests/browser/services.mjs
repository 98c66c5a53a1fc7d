// Starts the real parts for a browser test: redis-server, the SMTP fixture
// (tests/support/smtp_server.py, messages into a maildir), auth and mailer,
// each on a port chosen by the OS. stopAll() ends every one of them. With
// { outbox: true } the mailer writes into MAIL_OUTBOX_DIR instead of SMTP
// (<id>.eml and its readable <id>.txt), and env.maildir is that directory.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const children = [];

export const SOURCE_DIR = process.env.SOURCE_DIR || path.resolve(import.meta.dirname, '..', '..');
export const BUILD_DIR = process.env.BUILD_DIR || path.join(SOURCE_DIR, 'build', 'plain');

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// Polls fn until it returns a truthy value; bounded by timeoutMs.
export async function waitFor(fn, what, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function start(name, cmd, args, env, logDir) {
  const log = fs.openSync(path.join(logDir, `${name}.log`), 'a');
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', log, log] });
  child.logPath = path.join(logDir, `${name}.log`);
  children.push(child);
  return child;
}

const readLog = (child) => fs.readFileSync(child.logPath, 'utf8');

// authEnv: variables added to (or replacing) auth's, e.g. AUTH_REQUIRE_CONFIRMATION.
// outbox: the mailer writes to MAIL_OUTBOX_DIR instead of SMTP.
export async function startAll(artifacts, { authEnv = {}, outbox = false } = {}) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'test-browser-'));
  const maildir = path.join(tmp, outbox ? 'outbox' : 'mail');
  fs.mkdirSync(maildir);
  const redisPort = await freePort();
  const authPort = await freePort();
  const redis = start('redis', 'redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1',
    '--save', '', '--appendonly', 'no', '--dir', tmp], {}, artifacts);
  const smtp = start('smtp', '/usr/bin/python3', [path.join(SOURCE_DIR, 'tests/support/smtp_server.py'),
    '--maildir', maildir], { PYTHONPATH: path.join(SOURCE_DIR, 'tests/support') }, artifacts);
  const smtpPort = Number(await waitFor(() => (readLog(smtp).match(/listening port=(\d+)/) || [])[1],
    'the SMTP server'));
  const common = {
    REDIS_URL: `redis://127.0.0.1:${redisPort}/0`,
    TEMPLATES_DIR: path.join(SOURCE_DIR, 'templates'),
  };
  const baseUrl = `http://127.0.0.1:${authPort}`;
  const auth = start('auth', path.join(BUILD_DIR, 'services/auth/auth'), [], {
    ...common,
    SECRET_KEY: 'browser-test-secret-key-0123456789abcdef',
    AUTH_LISTEN: `127.0.0.1:${authPort}`,
    AUTH_METRICS_LISTEN: '127.0.0.1:0',
    PUBLIC_URL: baseUrl,
    DATABASE_PATH: path.join(tmp, 'app.db'),
    AUTH_ARGON2_OPSLIMIT: '1',
    AUTH_ARGON2_MEMLIMIT_KIB: '1024',
    ...authEnv,
  }, artifacts);
  const mailer = start('mailer', path.join(BUILD_DIR, 'services/mailer/mailer'), [], {
    ...common,
    MAIL_SERVER: '127.0.0.1',
    MAIL_PORT: String(smtpPort),
    MAIL_DEFAULT_SENDER: 'Microblog <no-reply@microblog.example>',
    MAILER_LISTEN: '127.0.0.1:0',
    ...(outbox ? { MAIL_OUTBOX_DIR: maildir } : {}),
  }, artifacts);
  for (const [name, child] of [['auth', auth], ['mailer', mailer]]) {
    await waitFor(() => {
      if (child.exitCode !== null) throw new Error(`${name} exited: ${readLog(child)}`);
      return /listening addr=/.test(readLog(child));
    }, name);
  }
  void redis;
  return { baseUrl, maildir, outbox: outbox ? maildir : null, tmp, auth, mailer };
}

export async function stopAll() {
  for (const child of children.reverse()) {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await Promise.race([new Promise((r) => child.once('exit', r)),
        new Promise((r) => setTimeout(r, 10000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }
}

export function sanitizerReports() {
  return children.filter((c) => c.logPath && /ERROR: AddressSanitizer|runtime error:/.test(readLog(c)))
    .map((c) => c.logPath);
}

// How many messages the maildir holds.
export function mailCount(maildir) {
  return fs.readdirSync(maildir).filter((f) => f.endsWith('.eml')).length;
}

// The .eml files of a maildir or an outbox, oldest first: by modification
// time, then by the fixture's number (an outbox names them by job id).
function emlOldestFirst(dir) {
  const at = (f) => fs.statSync(path.join(dir, f)).mtimeMs;
  return fs.readdirSync(dir).filter((f) => f.endsWith('.eml'))
    .map((f) => [at(f), parseInt(f) || 0, f]).sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .map((e) => e[2]);
}

// The outbox's newest message as written (the .eml), for checks on its raw form.
export function newestEml(dir) {
  const files = emlOldestFirst(dir);
  return files.length ? fs.readFileSync(path.join(dir, files[files.length - 1]), 'latin1') : null;
}

// Runs the built `mailctl outbox ARGS --dir <outbox>` and returns its stdout
// (throws on a non-zero exit, a sanitizer report included).
export function mailctlOutbox(outbox, ...args) {
  return execFileSync(path.join(BUILD_DIR, 'services/mailctl/mailctl'), ['outbox', ...args, '--dir', outbox],
    { encoding: 'utf8', timeout: 30000 });
}

// The reset link from the newest message in the maildir (quoted-printable decoded);
// withRaw: { link, raw } with the message as written.
export function resetLinkFrom(maildir, withRaw = false) {
  return linkFrom(maildir, 'reset_password', withRaw);
}

// The same for the link to /<route>/<token> (e.g. 'confirm_email').
export function linkFrom(maildir, route, withRaw = false) {
  const files = emlOldestFirst(maildir);
  if (!files.length) return null;
  const raw = fs.readFileSync(path.join(maildir, files[files.length - 1]), 'latin1');
  const text = raw.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
  const m = text.match(new RegExp(`https?://[^\\s"<]+/${route}/[A-Za-z0-9_\\-.]+`));
  if (!m) return null;
  return withRaw ? { link: m[0], raw } : m[0];
}
