// The peers of `fix401 check` in BenchmarkCheckPeers (internal/bench/peers_test.go):
// the same list of URLs loaded the way a script written with Puppeteer
// (npm puppeteer-core) or Playwright (npm playwright-core) loads them.
//
// What it measures, from start to exit: one launch of the browser given (the
// same executable fix401 gets with --chrome), CONCURRENCY workers pulling
// URLs from one shared queue, and for each URL a fresh browser context, a new
// page, page.goto(url) (which waits for the load event, as both libraries do
// by default), the response's status and page.title(), and the context
// closed; then the browser closed. Nothing else: no report, no screenshot.
//
// Full Chromium, headless, answers a Basic, Digest or Negotiate challenge
// with net::ERR_INVALID_AUTH_CREDENTIALS and no page, where the headless
// shell shows the 401 page; neither library has a way to decline a challenge
// (both answer it with the browser's default unless given credentials). So
// with a full browser each page gets what fix401 gives each of its pages
// (internal/browser/session.go): a CDP session with Fetch enabled for every
// request and auth challenges answered with CancelAuth, every paused request
// continued. With a headless shell the pages need none of it and get none,
// as fix401's get none until they have credentials or a token to give.
//
// The browser gets the switches fix401 gives it (--headless --no-sandbox
// --disable-gpu --disable-quic --no-first-run --disable-background-networking
// --disable-component-update --disable-sync, and its --disable-features), on top of each library's own
// defaults, and a fresh user-data-dir of its own in a temporary folder:
// Puppeteer gets one made here, Playwright makes its own (it refuses a
// --user-data-dir switch in launch()). Both remove it when the browser closes.
// --headless: puppeteer-core sends --headless=new for `headless: true`, the
// same mode in Chromium 132 and later, where the old one left the full
// browser; for a headless shell it is told `headless: 'shell'`, its documented
// mode for chrome-headless-shell, which sends a bare --headless.
//
// Usage: node peers.mjs puppeteer|playwright EXECUTABLE CONCURRENCY URLS.txt [--verbose]
//   URLS.txt has one URL a line. It exits 0 only when every URL was loaded
//   (a response, whatever its status, and a title read), and prints nothing
//   then unless --verbose: with it, one line with what ran, e.g.
//   "puppeteer-core 24.43.1 product=Chrome/156.0.8078.108 exe=/usr/lib/chromium/chromium loaded=50/50",
//   exe being the executables of the browser's processes, read from /proc.
//
// The packages come from the repository's .cache/npm (make deps), found from
// this file's own place: ESM imports ignore NODE_PATH.
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [lib, executablePath, concurrencyArg, urlFile, ...rest] = process.argv.slice(2);
const verbose = rest.includes('--verbose');
const concurrency = Number(concurrencyArg);
if (!['puppeteer', 'playwright'].includes(lib) || !executablePath || !(concurrency >= 1) || !urlFile) {
  console.error('usage: node peers.mjs puppeteer|playwright EXECUTABLE CONCURRENCY URLS.txt [--verbose]');
  process.exit(2);
}
const urls = readFileSync(urlFile, 'utf8').split('\n').map((s) => s.trim()).filter(Boolean);

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(join(root, '.cache', 'npm', 'package.json'));
const pkg = lib === 'puppeteer' ? 'puppeteer-core' : 'playwright-core';
const version = require(`${pkg}/package.json`).version;

// fix401's switches (internal/browser.Flags), but for the user-data-dir.
// --disable-features is fix401's list too: it turns off the omnibox popups
// and spare renderers that would otherwise double the CPU of a context per
// URL, and holds Puppeteer's own defaults. Puppeteer merges it with its own
// list; Playwright puts it after its own, and Chromium keeps the last, so
// Playwright runs with fix401's list. The switches after it are the rest of
// Puppeteer's defaults that fix401 adopted (internal/browser
// automationSwitches), given to Playwright too.
const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-features=Translate,BlinkGenPropertyTrees,WebUIOmniboxPopup,WebUIOmniboxAimPopup,SpareRendererForSitePerProcess,' +
    'WebUIReloadButton,MediaRouter,OptimizationHints,AcceptCHFrame,ProcessPerSiteUpToMainFrameThreshold,IsolateSandboxedIframes',
  '--disable-component-extensions-with-background-pages', '--disable-search-engine-choice-screen',
  '--disable-infobars', '--mute-audio', '--hide-scrollbars'];
const isShell = /headless[-_]shell/i.test(executablePath.split('/').pop());

let browser;
let cleanup = () => {};
let openContext; // () => Promise<{ page, close }>
let product; // () => Promise<string>: the browser's product, "Chrome/…" or "HeadlessChrome/…"
if (lib === 'puppeteer') {
  const puppeteer = require('puppeteer-core');
  const userDataDir = mkdtempSync(join(tmpdir(), 'peers-puppeteer-'));
  cleanup = () => rmSync(userDataDir, { recursive: true, force: true });
  browser = await puppeteer.launch({
    executablePath,
    headless: isShell ? 'shell' : true, // the library's own --headless switch, not ours
    args: flags.filter((f) => f !== '--headless'),
    userDataDir,
  });
  openContext = async () => {
    const ctx = await browser.createBrowserContext();
    const page = await ctx.newPage();
    if (!isShell) await cancelAuth(await page.createCDPSession());
    return { page, close: () => ctx.close() };
  };
  product = () => browser.version();
} else {
  const { chromium } = require('playwright-core');
  browser = await chromium.launch({
    executablePath,
    headless: true, // Playwright sends a bare --headless
    args: flags.filter((f) => f !== '--headless'),
  });
  openContext = async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    if (!isShell) await cancelAuth(await ctx.newCDPSession(page));
    return { page, close: () => ctx.close() };
  };
  product = async () => {
    const s = await browser.newBrowserCDPSession();
    try {
      return (await s.send('Browser.getVersion')).product;
    } finally {
      await s.detach();
    }
  };
}

let loaded = 0;
let next = 0;
const failures = [];
async function worker() {
  while (next < urls.length) {
    const url = urls[next++];
    let c;
    try {
      c = await openContext();
      const res = await c.page.goto(url);
      const status = res?.status();
      await c.page.title();
      if (status) loaded++;
      else failures.push(`${url}: no response`);
    } catch (e) {
      failures.push(`${url}: ${e.message.split('\n')[0]}`);
    } finally {
      await c?.close().catch(() => {});
    }
  }
}

let info = '';
try {
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (verbose) info = `product=${await product()} exe=${browserExes().join(',')}`;
} finally {
  await browser.close();
  cleanup();
}
for (const f of failures.slice(0, 5)) console.error(`${lib}: ${f}`);
if (verbose) console.log(`${pkg} ${version} ${info} loaded=${loaded}/${urls.length}`);
process.exit(loaded === urls.length ? 0 : 1);

// cancelAuth makes the page behind CDP session s show a 401 page rather
// than fail with ERR_INVALID_AUTH_CREDENTIALS, the way fix401 does.
async function cancelAuth(s) {
  const ignore = () => {}; // the context closed under a request
  s.on('Fetch.requestPaused', (e) => s.send('Fetch.continueRequest', { requestId: e.requestId }).catch(ignore));
  s.on('Fetch.authRequired', (e) => s.send('Fetch.continueWithAuth', {
    requestId: e.requestId, authChallengeResponse: { response: 'CancelAuth' },
  }).catch(ignore));
  await s.send('Fetch.enable', { patterns: [{ urlPattern: '*' }], handleAuthRequests: true });
}

// browserExes lists the executables of this process's descendants (the
// browser, its helpers, and any launcher script between), from /proc.
function browserExes() {
  const children = new Map();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(pid);
    } catch {} // gone
  }
  const exes = new Set();
  const queue = [...(children.get(String(process.pid)) || [])];
  while (queue.length) {
    const pid = queue.shift();
    queue.push(...(children.get(pid) || []));
    try {
      exes.add(readlinkSync(`/proc/${pid}/exe`));
    } catch {}
  }
  return [...exes].sort();
}
