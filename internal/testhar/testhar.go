// Package testhar records HAR files with tools fix401 did not write, for the
// tests of `fix401 analyze`: a HAR someone sends us was made by their
// browser or their test tool, not by fix401's own writer (internal/har), and
// the analyzer must read those files as they are.
//
//   - Playwright records with Playwright's own recorder (browser.newContext's
//     recordHar), through testdata/har/record.mjs and npm playwright-core.
//   - DevTools records with Chromium's DevTools front end (the one bundled in
//     the browser), whose Network panel saves what "Export HAR" saves.
//
// Both load the given URLs in turn in one tab of a headless Chromium and
// return the path of the HAR file, in the test's temporary folder. They are
// for tests only, and fail the test (never skip it) when what they need is
// missing: `make deps` installs it.
package testhar

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/remote"

	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/proc"
)

// Options say what to record and how.
type Options struct {
	// URLs are loaded in turn, in one tab. A load that fails or answers an
	// error status is recorded as it is and the next URL is loaded.
	URLs []string
	// Content is Playwright's recordHar content mode: "embed" (the
	// default: bodies in the HAR), "omit" (none), or "attach" (each body
	// in a file beside the HAR, named by its SHA-1, and content._file
	// naming it). DevTools ignores it: it embeds the bodies it has.
	Content string
	// User and Password answer an HTTP auth challenge, once per request
	// (a refused answer leaves the 401 page). Without a User, challenges
	// are cancelled, so that the 401 page is what the tab shows, as in a
	// browser with a window (headless Chromium otherwise fails the load
	// with net::ERR_INVALID_AUTH_CREDENTIALS).
	User, Password string
	// SignIn and SignInPassword (Playwright only) fill the sign-in forms
	// the pages show, an identity provider's among them, as a person does.
	SignIn, SignInPassword string
	// NetLog (Playwright only) is where the browser writes its network
	// log, as chrome://net-export does.
	NetLog string
	// HostRules are Chromium --host-resolver-rules entries, such as
	// "MAP intranet.example 127.0.0.1".
	HostRules []string
	// IgnoreHTTPSErrors accepts invalid TLS certificates.
	IgnoreHTTPSErrors bool
	// Chrome is the browser to run; empty means browser.Find's choice
	// (FIX401_CHROME, else the usual places).
	Chrome string
	// Sanitized is for DevTools only: its default "Export HAR (sanitized)"
	// rather than "Export HAR (with sensitive data)". DevTools' sanitized
	// export drops request and response cookies and the Cookie, Set-Cookie
	// and Authorization headers; bodies, URLs and other headers stay.
	Sanitized bool
}

// perURL is how long one page load may take, and perRecording how long the
// rest of a recording (a browser start, the export) may: the machines that
// run the tests can be busy with other heavy tests.
const (
	perURL       = 45 * time.Second
	perRecording = 60 * time.Second
)

// RepoRoot returns the repository's root: the nearest folder above the
// working directory (a test's package folder) that holds go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testhar: no go.mod above the working directory")
		}
		dir = parent
	}
}

// chrome returns the browser to record with.
func chrome(t testing.TB, o Options) string {
	t.Helper()
	p, err := browser.Find(o.Chrome, os.Getenv)
	if err != nil {
		t.Fatalf("testhar: no browser: %v (make deps installs Chromium)", err)
	}
	return p
}

// Playwright records o.URLs with Playwright's recordHar (record.mjs) and
// returns the HAR's path, in t.TempDir().
func Playwright(t testing.TB, o Options) string {
	t.Helper()
	if len(o.URLs) == 0 {
		t.Fatal("testhar: no URL to record")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("testhar: node is missing: make deps installs Node.js and npm playwright-core (into .cache/npm)")
	}
	root := RepoRoot(t)
	if _, err := os.Stat(filepath.Join(root, ".cache", "npm", "node_modules", "playwright-core", "package.json")); err != nil {
		t.Fatal("testhar: npm playwright-core is missing from .cache/npm: make deps installs it")
	}
	out := filepath.Join(t.TempDir(), "playwright.har")
	args := []string{filepath.Join(root, "testdata", "har", "record.mjs"), "--out", out, "--chrome", chrome(t, o)}
	if o.Content != "" {
		args = append(args, "--content", o.Content)
	}
	for _, r := range o.HostRules {
		args = append(args, "--host-rule", r)
	}
	if o.IgnoreHTTPSErrors {
		args = append(args, "--ignore-https-errors")
	}
	env := os.Environ()
	if o.User != "" {
		// "-": the password comes from the environment, not argv, which
		// any process on the machine can read.
		args = append(args, "--user", o.User, "--password", "-")
		env = append(env, "FIX401_RECORD_PASSWORD="+o.Password)
	}
	if o.NetLog != "" {
		args = append(args, "--netlog", o.NetLog)
	}
	if o.SignIn != "" {
		args = append(args, "--sign-in", o.SignIn)
		env = append(env, "FIX401_RECORD_SIGNIN_PASSWORD="+o.SignInPassword)
	}
	args = append(args, o.URLs...)

	// Node's temporary folder, where Playwright makes the browser's
	// profile: short (Chromium's socket path there must fit in ~100
	// bytes), and a name to find the browser by if it outlives node.
	tmp, err := os.MkdirTemp("", "testhar-pw-")
	if err != nil {
		t.Fatal(err)
	}
	defer removeAll(t, tmp)
	env = append(env, "TMPDIR="+tmp, "TMP="+tmp, "TEMP="+tmp)

	ctx, cancel := context.WithTimeout(context.Background(), perRecording+time.Duration(len(o.URLs))*perURL)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Env = env
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	// On a timeout, SIGTERM first: Playwright closes its browser on it.
	// Ten seconds later, or at once where it cannot be sent (Windows), exec
	// kills node; browser processes left then are found by their profile
	// (in tmp) and killed.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	err = cmd.Run()
	if n := proc.KillUsing(tmp); n > 0 {
		t.Logf("testhar: killed %d browser processes left by record.mjs", n)
	}
	// Not a range over strings.Lines: its body would be a func of its
	// own, which t.Helper does not cover.
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		t.Log(line)
	}
	if err != nil {
		if ctx.Err() != nil {
			t.Fatalf("testhar: record.mjs did not finish in %v: %v", perRecording+time.Duration(len(o.URLs))*perURL, err)
		}
		t.Fatalf("testhar: record.mjs: %v", err)
	}
	if fi, err := os.Stat(out); err != nil || fi.Size() == 0 {
		t.Fatalf("testhar: record.mjs wrote no HAR: %v", err)
	}
	return out
}

// DevTools records o.URLs with Chromium's DevTools front end and returns the
// HAR's path, in t.TempDir().
//
// How: the browser runs with a debugging port; a second tab opens the front
// end Chromium bundles (devtools://devtools/bundled/devtools_app.html) with
// ?ws= pointing at the first tab, as chrome://inspect does for a remote
// target, so that the front end inspects that tab as if its window were
// open. With the Network panel's "Preserve log" on, the first tab loads each
// URL; then, in the front end's own page, the panel's list of requests
// (NetworkLogView.harRequests) goes through HAR.Writer.Writer.write with
// {sanitize}: what the panel's "Export HAR" button saves, the file dialog
// aside, bodies fetched by DevTools from the browser included.
func DevTools(t testing.TB, o Options) string {
	t.Helper()
	if len(o.URLs) == 0 {
		t.Fatal("testhar: no URL to record")
	}
	exe := chrome(t, o)
	if browser.IsShell(exe) {
		t.Fatalf("testhar: %s is a headless shell, which has no DevTools front end: give DevTools a full Chromium (Options.Chrome or FIX401_CHROME)", exe)
	}
	out := filepath.Join(t.TempDir(), "devtools.har")

	// One folder for the profile and Chromium's temporary files, short
	// (Chromium's singleton socket path must fit in ~100 bytes), removed
	// once the browser is gone, as internal/har's DevTools test does.
	dir, err := os.MkdirTemp("", "testhar-")
	if err != nil {
		t.Fatal(err)
	}
	defer removeAll(t, dir)
	profile, tmp := filepath.Join(dir, "profile"), filepath.Join(dir, "t")
	for _, d := range []string{profile, tmp} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	bo := browser.Options{ExecPath: exe, HostRules: o.HostRules, Insecure: o.IgnoreHTTPSErrors, Getenv: os.Getenv}
	if len(tmp)+len("/org.chromium.Chromium.XXXXXX/SingletonSocket") < 100 {
		bo.Env = []string{"TMPDIR=" + tmp, "TMP=" + tmp, "TEMP=" + tmp}
	}
	opts := append(browser.Flags(bo, profile),
		// The front end reaches the tab through the debugging port (on
		// 127.0.0.1), which chromedp then uses too, rather than its pipe;
		// Chromium refuses a WebSocket with an Origin header (the front
		// end's, devtools://devtools) unless it is allowed by name.
		chromedp.Flag("remote-debugging-port", "0"),
		chromedp.Flag("remote-allow-origins", "devtools://devtools"),
		remote.WebSocket,
	)
	total := perRecording + time.Duration(len(o.URLs))*perURL
	base, stop := context.WithTimeout(context.Background(), total)
	defer stop()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(base, opts...)
	// cancelAlloc waits for the browser to exit; the folder is removed
	// after (defers run last first).
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()

	// The inspected tab: the browser's first one, which starts the browser.
	// Every request is paused and continued, and every auth challenge
	// answered (see Options.User), as fix401's own tabs do.
	a := &authAnswerer{ctx: ctx, o: o, tries: map[fetch.RequestID]int{}}
	if err := chromedp.Listen(ctx, a.listen); err != nil {
		t.Fatalf("testhar: starting %s: %v", exe, err)
	}
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{
		Patterns:           []*fetch.RequestPattern{{URLPattern: "*"}},
		HandleAuthRequests: new(true),
	}); err != nil {
		t.Fatalf("testhar: intercepting auth challenges: %v", err)
	}
	port, err := debuggingPort(profile)
	if err != nil {
		t.Fatal(err)
	}
	front := fmt.Sprintf("devtools://devtools/bundled/devtools_app.html?ws=127.0.0.1:%d/devtools/page/%s",
		port, chromedp.FromContext(ctx).Target.TargetID)

	// The front end, in a second tab of the same browser.
	dctx, dcancel := chromedp.NewContext(ctx)
	defer dcancel()
	if err := chromedp.Do(dctx, chromedp.Navigate(front)); err != nil {
		t.Fatalf("testhar: opening DevTools' front end %s: %v", front, err)
	}
	global, err := chromedp.Run(dctx, chromedp.Evaluate[*runtime.RemoteObject](`globalThis`))
	if err != nil {
		t.Fatal(err)
	}
	call := func(ctx context.Context, fn string, args ...any) (string, error) {
		return chromedp.Run(ctx, chromedp.CallFunctionOn[string](fn,
			func(p *runtime.CallFunctionOnParams) { p.ObjectID, p.AwaitPromise = global.ObjectID, new(true) },
			args...))
	}
	sctx, scancel := context.WithTimeout(dctx, perRecording)
	defer scancel()
	if _, err := call(sctx, attachScript, (perRecording - 10*time.Second).Milliseconds()); err != nil {
		t.Fatalf("testhar: DevTools' front end did not attach to the tab: %v", err)
	}

	// loads counts the loads that made a document request and ended, which
	// the export waits for DevTools to have seen: a failed load (refused,
	// unsafe port…) is as much a part of the HAR as a 401; a URL Chromium
	// refuses to navigate to, or a load still running at its timeout, is
	// only logged.
	loads := 0
	for _, u := range o.URLs {
		nctx, ncancel := context.WithTimeout(ctx, perURL)
		err := chromedp.Do(nctx, chromedp.Navigate(u))
		ncancel()
		if le := (*chromedp.LoadError)(nil); err == nil || errors.As(err, &le) {
			loads++
		}
		if err != nil {
			t.Logf("testhar: DevTools: %s: %v", u, err)
		} else {
			t.Logf("testhar: DevTools: %s: loaded", u)
		}
	}

	ectx, ecancel := context.WithTimeout(dctx, perRecording)
	defer ecancel()
	res, err := call(ectx, exportScript, loads, o.Sanitized, (perRecording - 10*time.Second).Milliseconds())
	if err != nil {
		t.Fatalf("testhar: DevTools' HAR export: %v", err)
	}
	how, data, ok := strings.Cut(res, "\n")
	if !ok {
		t.Fatalf("testhar: DevTools' HAR export returned %.200q", res)
	}
	t.Logf("testhar: DevTools: %s", how)
	if err := os.WriteFile(out, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// attachScript runs in the front end's page before any load: it waits for
// the app to start and for the inspected tab to be its target, with the
// network domain enabled, and turns on the Network panel's "Preserve log"
// (else each load clears the log, as in the panel).
const attachScript = `async function (waitMs) {
  const B = "devtools://devtools/bundled/";
  const [main, common, sdk] = await Promise.all([
    "entrypoints/main/main.js", "core/common/common.js", "core/sdk/sdk.js",
  ].map(p => import(B + p)));
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const deadline = Date.now() + waitMs;
  // As DevTools' own tests (and internal/har's) wait for the app.
  while (!main.MainImpl.MainImpl.instanceForTest) {
    if (Date.now() > deadline) throw new Error("DevTools did not start");
    await sleep(20);
  }
  await main.MainImpl.MainImpl.instanceForTest.readyForTest();
  common.Settings.Settings.instance().moduleSetting("network-log.preserve-log").set(true);
  const tm = sdk.TargetManager.TargetManager.instance();
  let target;
  while (!(target = tm.primaryPageTarget()) || !target.model(sdk.NetworkManager.NetworkManager)) {
    if (Date.now() > deadline) throw new Error("no inspected page: the WebSocket to the tab did not open");
    await sleep(20);
  }
  // The NetworkManager sent Network.enable when it was made; one command
  // more on the same connection returns after Chromium handled it.
  await target.runtimeAgent().invoke_evaluate({expression: "0"});
  return target.inspectedURL();
}`

// exportScript runs in the front end's page after the loads. Arguments: the
// number of loads, whether to sanitize, and how long to wait for DevTools to
// have seen them (its events come on its own connection, after chromedp's
// load event maybe). It returns a line saying how it exported, then the HAR.
const exportScript = `async function (loads, sanitize, waitMs) {
  const B = "devtools://devtools/bundled/";
  const [common, logs, har] = await Promise.all([
    "core/common/common.js", "models/logs/logs.js", "models/har/har.js",
  ].map(p => import(B + p)));
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const log = logs.NetworkLog.NetworkLog.instance();
  const Document = common.ResourceType.resourceTypes.Document;
  // Every load makes at least one document request (one per redirect hop),
  // finished whether it failed or not.
  const deadline = Date.now() + waitMs;
  for (;;) {
    const docs = log.requests().filter(r => r.resourceType() === Document && r.finished).length;
    if (docs >= loads) break;
    if (Date.now() > deadline) throw new Error("DevTools saw " + docs + " finished documents for " + loads + " loads");
    await sleep(50);
  }
  // The subresources too, for a while: what still runs then is left out, as
  // the panel's export leaves it out.
  for (let i = 0; i < 100 && log.requests().some(r => !r.finished); i++) await sleep(50);

  const how = [];
  let requests;
  try {
    // The panel's own list: its filters (none by default), HTTP(S) only,
    // finished requests only.
    const [ui, network] = await Promise.all(["ui/legacy/legacy.js", "panels/network/network.js"].map(p => import(B + p)));
    await ui.ViewManager.ViewManager.instance().showView("network");
    requests = network.NetworkPanel.NetworkPanel.instance().networkLogView.harRequests();
    how.push("NetworkLogView.harRequests");
  } catch (e) {
    requests = log.requests().filter(r => r.finished);
    how.push("NetworkLog.requests (the Network panel failed: " + String(e).split("\n")[0] + ")");
  }
  const options = {sanitize};
  if (har.Writer?.Writer?.write && common.StringOutputStream?.StringOutputStream) {
    const stream = new common.StringOutputStream.StringOutputStream();
    await har.Writer.Writer.write(stream, requests, options, new common.Progress.Progress());
    how.push("HAR.Writer.Writer.write");
    return how.join(", ") + " of " + requests.length + " requests\n" + stream.data();
  }
  // No writer: the log alone, without the bodies the writer adds.
  how.push("HAR.Log.Log.build");
  return how.join(", ") + " of " + requests.length + " requests\n" +
    JSON.stringify({log: await har.Log.Log.build(requests, options)}, null, 2);
}`

// debuggingPort reads the port Chromium chose for --remote-debugging-port=0
// from the profile's DevToolsActivePort (first line: the port).
func debuggingPort(profile string) (int, error) {
	f, err := os.Open(filepath.Join(profile, "DevToolsActivePort"))
	if err != nil {
		return 0, fmt.Errorf("testhar: the browser's debugging port: %w", err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	s.Scan()
	port, err := strconv.Atoi(strings.TrimSpace(s.Text()))
	if err != nil {
		return 0, fmt.Errorf("testhar: the browser's debugging port: DevToolsActivePort: %w", err)
	}
	return port, nil
}

// authAnswerer continues the inspected tab's paused requests and answers its
// auth challenges: credentials once per request when there are some, then
// (or else) CancelAuth, so that a 401 ends as its page.
type authAnswerer struct {
	ctx   context.Context
	o     Options
	mu    sync.Mutex
	tries map[fetch.RequestID]int
}

// listen runs on the tab's read loop, which it must not block: the replies
// go from goroutines of their own. Their errors mean the tab or the request
// went away.
func (a *authAnswerer) listen(ev any) {
	switch ev := ev.(type) {
	case *fetch.EventRequestPaused:
		go func() {
			_, _ = chromedp.Call(a.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
		}()
	case *fetch.EventAuthRequired:
		a.mu.Lock()
		a.tries[ev.RequestID]++
		first := a.tries[ev.RequestID] == 1
		a.mu.Unlock()
		resp := &fetch.AuthChallengeResponse{Response: fetch.AuthChallengeResponseResponseCancelAuth}
		if first && a.o.User != "" {
			resp = &fetch.AuthChallengeResponse{
				Response: fetch.AuthChallengeResponseResponseProvideCredentials,
				Username: a.o.User, Password: a.o.Password,
			}
		}
		go func() {
			_, _ = chromedp.Call(a.ctx, fetch.ContinueWithAuth, fetch.ContinueWithAuthParams{
				RequestID: ev.RequestID, AuthChallengeResponse: resp,
			})
		}()
	}
}

// removeAll removes dir, trying again for a while: Chromium's helpers can
// outlive the main process by a moment and keep writing into the profile.
func removeAll(t testing.TB, dir string) {
	var err error
	for range 50 {
		if err = os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("testhar: removing %s: %v", dir, err)
}
