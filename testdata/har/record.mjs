// Records a HAR with Playwright's own recorder (browser.newContext's
// recordHar), for the tests of `fix401 analyze`, which must read HAR files
// that tools other than fix401 wrote. internal/testhar.Playwright runs it.
//
// Usage: node record.mjs --out OUT.har [--content embed|omit|attach]
//          [--user U --password P] [--chrome /usr/bin/chromium]
//          [--host-rule 'MAP x 127.0.0.1']... [--ignore-https-errors] URL [URL...]
//
// One browser, one context (the HAR is the context's), one page, and
// page.goto(url) for each URL in turn. A load that fails or answers an error
// status is what the HAR is for: it is said on stderr and the next URL is
// loaded. Closing the context writes the HAR. It exits 0 when the HAR was
// written, 1 when it was not, 2 on a usage error.
//
// --password - reads the password from FIX401_RECORD_PASSWORD, so that it
// need not be on the command line (any process can read another's argv).
// --sign-in USER fills the sign-in forms each page shows (an identity
// provider's, identifier first or not) with USER and the password in
// FIX401_RECORD_SIGNIN_PASSWORD, as a person signing in would.
//
// Without --user, an auth challenge is cancelled (the 401 page is kept) as
// fix401 does: full Chromium, headless, fails a Basic, Digest or Negotiate
// challenge it has no credentials for with net::ERR_INVALID_AUTH_CREDENTIALS
// and no page, which is not what a person who recorded the HAR in a browser
// with a window saw. With --user, Playwright answers the challenge itself
// (once, then it cancels, so a refused password also leaves the 401 page).
//
// playwright-core comes from the repository's .cache/npm (make deps), found
// from this file's own place: ESM imports ignore NODE_PATH.
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

function usage(msg) {
  if (msg) console.error(`record.mjs: ${msg}`);
  console.error("usage: node record.mjs --out OUT.har [--content embed|omit|attach] [--user U --password P|-] " +
    "[--chrome PATH] [--host-rule 'MAP x 127.0.0.1']... [--ignore-https-errors] [--sign-in USER] [--netlog PATH] [--chrome-arg ARG]... URL [URL...]");
  process.exit(2);
}

const o = { out: '', content: 'embed', user: undefined, password: undefined, chrome: '/usr/bin/chromium', hostRules: [], ignoreHTTPSErrors: false, urls: [] };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const value = () => {
    if (i + 1 >= argv.length) usage(`${a} needs a value`);
    return argv[++i];
  };
  switch (a) {
    case '--out': o.out = value(); break;
    case '--content': o.content = value(); break;
    case '--user': o.user = value(); break;
    case '--password': o.password = value(); break;
    case '--chrome': o.chrome = value(); break;
    case '--host-rule': o.hostRules.push(value()); break;
    case '--ignore-https-errors': o.ignoreHTTPSErrors = true; break;
    case '--sign-in': o.signIn = value(); break;
    case '--netlog': o.netlog = value(); break;
    case '--chrome-arg': (o.chromeArgs ??= []).push(value()); break;
    default:
      if (a.startsWith('--')) usage(`unknown flag ${a}`);
      o.urls.push(a);
  }
}
if (!o.out) usage('--out is required');
if (!o.urls.length) usage('no URL');
if (!['embed', 'omit', 'attach'].includes(o.content)) usage(`--content ${o.content}: embed, omit or attach`);
if ((o.user === undefined) !== (o.password === undefined)) usage('--user and --password go together');
if (o.signIn !== undefined) {
  o.signInPassword = process.env.FIX401_RECORD_SIGNIN_PASSWORD;
  if (!o.signInPassword) usage('--sign-in USER: the password comes from FIX401_RECORD_SIGNIN_PASSWORD, which is not set');
}
if (o.password === '-') {
  o.password = process.env.FIX401_RECORD_PASSWORD;
  if (o.password === undefined) usage('--password -: FIX401_RECORD_PASSWORD is not set');
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(join(root, '.cache', 'npm', 'package.json'));
let chromium;
try {
  ({ chromium } = require('playwright-core'));
} catch (e) {
  console.error(`record.mjs: playwright-core is not installed in ${join(root, '.cache', 'npm')} (make deps installs it): ${e.message.split('\n')[0]}`);
  process.exit(1);
}

// fix401's switches (internal/browser.Flags), as testdata/bench/peers.mjs
// gives them; Playwright adds its own --headless and user-data-dir.
const args = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
if (o.hostRules.length) args.push(`--host-resolver-rules=${o.hostRules.join(', ')}`);
// The network log chrome://net-export writes, from the start: what a
// person attaches beside the HAR when integrated sign-in fails.
if (o.netlog) args.push(`--log-net-log=${o.netlog}`, '--net-log-capture-mode=Default');
args.push(...(o.chromeArgs ?? [])); // a person's browser policy, e.g. --auth-server-allowlist
const isShell = /headless[-_]shell/i.test(o.chrome.split('/').pop());

const browser = await chromium.launch({ executablePath: o.chrome, headless: true, args });
let written = false;
try {
  const contextOptions = { recordHar: { path: o.out, content: o.content } };
  if (o.user !== undefined) contextOptions.httpCredentials = { username: o.user, password: o.password };
  if (o.ignoreHTTPSErrors) contextOptions.ignoreHTTPSErrors = true;
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  if (o.user === undefined && !isShell) await cancelAuth(await context.newCDPSession(page));
  for (const url of o.urls) {
    try {
      const res = await page.goto(url, { waitUntil: 'load', timeout: 45000 });
      console.error(`record.mjs: ${url}: ${res ? res.status() : 'no response'}`);
      // The page's own requests (a fetch its script starts) finish before
      // the HAR is written, as they would while a person looks at it.
      await page.waitForLoadState('networkidle', { timeout: 10000 }).catch(() => {});
      if (o.signIn !== undefined) await signIn(page);
    } catch (e) {
      console.error(`record.mjs: ${url}: ${e.message.split('\n')[0]}`);
    }
  }
  await context.close(); // writes the HAR
  written = existsSync(o.out) && statSync(o.out).size > 0;
} finally {
  await browser.close();
}
if (!written) console.error(`record.mjs: no HAR written to ${o.out}`);
process.exit(written ? 0 : 1);

// cancelAuth makes the page behind CDP session s show a 401 page rather
// than fail with ERR_INVALID_AUTH_CREDENTIALS, the way fix401 does
// (internal/browser/session.go): every request paused and continued, every
// auth challenge answered with CancelAuth.
async function cancelAuth(s) {
  const ignore = () => {}; // the context closed under a request
  s.on('Fetch.requestPaused', (e) => s.send('Fetch.continueRequest', { requestId: e.requestId }).catch(ignore));
  s.on('Fetch.authRequired', (e) => s.send('Fetch.continueWithAuth', {
    requestId: e.requestId, authChallengeResponse: { response: 'CancelAuth' },
  }).catch(ignore));
  await s.send('Fetch.enable', { patterns: [{ urlPattern: '*' }], handleAuthRequests: true });
}

// signIn types the user name and password into the sign-in form the page
// shows, as a person would, page after page (an identifier-first provider
// asks for the name, then the password), until no form is left or four
// pages went by.
async function signIn(page) {
  for (let round = 0; round < 4; round++) {
    const password = page.locator('input[type=password]:visible').first();
    const name = page.locator('input[type=text]:visible, input[type=email]:visible, input:not([type]):visible').first();
    const hasPassword = await password.count() > 0;
    const hasName = await name.count() > 0;
    if (!hasPassword && !hasName) return;
    if (hasName && !(await name.inputValue())) await name.fill(o.signIn);
    if (hasPassword) await password.fill(o.signInPassword);
    console.error(`record.mjs: signing in on ${new URL(page.url()).host}${new URL(page.url()).pathname}`);
    await Promise.all([
      page.waitForNavigation({ timeout: 15000 }).catch(() => {}),
      (hasPassword ? password : name).press('Enter'),
    ]);
    await page.waitForLoadState('networkidle', { timeout: 10000 }).catch(() => {});
  }
}
