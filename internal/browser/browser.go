package browser

import (
	"context"
	"errors"
	"fmt"
	"github.com/fix401/fix401/internal/netlog"
	"github.com/fix401/fix401/internal/proc"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/remote"
)

// Options say which browser to use and how to start it.
type Options struct {
	// ExecPath is the browser to start (see Find). Ignored with RemoteURL.
	ExecPath string
	// RemoteURL is a DevTools endpoint (ws://host:port/devtools/browser/…
	// or http://host:port) of a browser that runs already.
	RemoteURL string
	// HostRules are Chrome --host-resolver-rules entries such as
	// "MAP intranet.example 127.0.0.1".
	HostRules []string
	// ProxyServer, when set, sends every request through this proxy.
	ProxyServer string
	// Insecure accepts invalid TLS certificates.
	Insecure bool
	// AuthServerAllowlist are the hosts (Chrome's AuthServerAllowlist
	// patterns) the browser may sign in to with the machine's own
	// credentials (Negotiate/Kerberos, NTLM); none leaves the machine's
	// policy in force.
	AuthServerAllowlist []string
	// UserDataDir, when set, is the profile to start with (a copy the caller
	// owns and removes); else a fresh temporary one is made and removed.
	UserDataDir string
	// Env adds NAME=value variables to the browser's environment, e.g. the
	// resolver set-up of the lab's stale-dns scenario. A browser started
	// later in the run (fresh-profile, dns-flush) gets them too.
	Env []string
	// Secrets are values the browser's environment must not hold: a
	// variable set to one (FIX401_PASSWORD, the --bearer-token-env
	// variable) is left out, since any process of the same user can read
	// another's environment.
	Secrets []string
	tmpDir  string // Chromium's TMPDIR, inside the run's temporary folder
	netLog  string // the network log's path, inside the run's temporary folder

	// Debugf receives the DevTools protocol chatter; nil drops it.
	Debugf func(string, ...any)
	// Errorf receives chromedp's own errors (an event it could not decode,
	// a target that went away); nil drops them.
	Errorf func(string, ...any)
	// Getenv reads the caller's environment (the locale for a headless
	// shell's Accept-Language); nil reads none.
	Getenv func(string) string
}

// getenv is o.Getenv, or an empty environment.
func (o Options) getenv(k string) string {
	if o.Getenv == nil {
		return ""
	}
	return o.Getenv(k)
}

// Sandboxed reports whether a local browser keeps Chrome's sandbox (see
// SandboxOff).
func Sandboxed() bool { return SandboxOff() == "" }

// SandboxOff says why a local browser runs without Chrome's sandbox, ""
// when it keeps it: this process runs as root, where Chromium refuses to
// start with it, or FIX401_NO_SANDBOX=1 asks, for a container where the
// sandbox cannot start (no user namespaces, and no privilege escalation
// for its setuid helper: Kubernetes' restricted pods). The report says
// it: the pages' renderers then run unconfined.
func SandboxOff() string { return sandboxOff(os.Geteuid(), os.Getenv) }

func sandboxOff(euid int, getenv func(string) string) string {
	if euid == 0 {
		return "fix401 ran as root, where Chromium cannot use it"
	}
	if v := getenv("FIX401_NO_SANDBOX"); v == "1" || strings.EqualFold(v, "true") {
		return "FIX401_NO_SANDBOX is set"
	}
	return ""
}

// startHint is what to try when a local browser did not start, from what
// it printed.
func startHint(execPath string, err error) string {
	if strings.Contains(err.Error(), "No usable sandbox") {
		return "Chrome's sandbox cannot start here: it needs user namespaces, or its setuid helper (chromium-sandbox) with privilege escalation allowed; allow one, or set FIX401_NO_SANDBOX=1 to run the pages without it"
	}
	return "run it by hand to see why: " + execPath + " --headless --no-sandbox about:blank"
}

// UnavailableError means there is no browser to work with: none was found,
// it failed to start, or the remote endpoint did not answer.
type UnavailableError struct {
	What string // one lowercase clause, e.g. "chromium failed to start"
	Hint string
	Err  error
}

func (e *UnavailableError) Error() string {
	if e.Err != nil {
		return e.What + ": " + e.Err.Error()
	}
	return e.What
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// launches counts browser processes started by this program, so that tests
// and benchmarks can hold the "one browser per run" rule.
var launches atomic.Int64

// Launches returns how many browser processes this program has started.
func Launches() int64 { return launches.Load() }

// Fresh is "another browser with an empty profile", as this browser can
// give it: for one fix401 started, a new process with an empty profile
// (and the same options otherwise); for a remote browser, whose process is
// not fix401's to start, a new isolated context of it. It returns the
// browser the tab lives in (the caller closes it when it is not b), the
// tab, and what was done, in words.
func (b *Browser) Fresh(ctx context.Context) (*Browser, *Session, string, error) {
	if b.remote {
		s, err := b.NewSession(true)
		if err != nil {
			return nil, nil, "", err
		}
		return b, s, "a new isolated browser context of the remote browser (its process is not ours to restart)", nil
	}
	nb, s, err := b.Relaunch(ctx, func(*Options) {}) // the same options, an empty profile
	if err != nil {
		return nil, nil, "", err
	}
	return nb, s, "a brand-new browser process with an empty profile", nil
}

// ErrRemote is returned for what only a browser fix401 started can do:
// a remote browser's start-up switches and environment are not ours.
var ErrRemote = errors.New("a remote browser's start-up settings are not fix401's to change")

// Relaunch starts another local browser like b, with an empty profile and
// the options change makes (a host allowed for integrated sign-in, another
// Kerberos ticket cache): what Chrome reads only at start.
func (b *Browser) Relaunch(ctx context.Context, change func(*Options)) (*Browser, *Session, error) {
	if b.remote {
		return nil, nil, ErrRemote
	}
	o := b.opts
	o.UserDataDir = ""
	o.Env = slices.Clone(o.Env)
	o.AuthServerAllowlist = slices.Clone(o.AuthServerAllowlist)
	change(&o)
	nb, err := Launch(ctx, o)
	if err != nil {
		return nil, nil, err
	}
	s, err := nb.NewSession(false)
	if err != nil {
		nb.Close()
		return nil, nil, err
	}
	return nb, s, nil
}

// seedLocalState writes the Local State of a profile fix401 makes, as a
// person's browser has it after its first Negotiate challenge: full
// Chromium on Linux fails its very first Negotiate attempt in a new
// profile (ERR_UNSUPPORTED_AUTH_SCHEME), records that it has seen
// Negotiate, and succeeds on the next load, which would make a Kerberos
// site look "fixed by reload".
func seedLocalState(profile string) error {
	state := []byte(`{"net":{"received_http_auth_negotiate_headers":true}}` + "\n")
	return os.WriteFile(filepath.Join(profile, "Local State"), state, 0o600)
}

// copyTicketCache gives the browser a copy of the user's Kerberos ticket
// cache, when it is a file: the Kerberos library writes into the cache it
// uses (service tickets, notes on a failed attempt), and fix401 leaves the
// user's own tickets as they were. It returns the copy's name, or "" to
// let the browser use what the environment says (a cache fix401 made,
// named in env; KEYRING:, KCM: or API: caches, which are not files).
func copyTicketCache(env []string, dir string) string {
	for _, kv := range env {
		if strings.HasPrefix(kv, "KRB5CCNAME=") {
			return ""
		}
	}
	name := os.Getenv("KRB5CCNAME")
	path, isFile := strings.CutPrefix(name, "FILE:")
	switch {
	case name == "":
		path, isFile = fmt.Sprintf("/tmp/krb5cc_%d", os.Getuid()), true // MIT's default
	case !isFile && !strings.Contains(name, ":"):
		path, isFile = name, true
	}
	if !isFile || runtime.GOOS == "windows" {
		return ""
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	cp := filepath.Join(dir, "krb5cc")
	if os.WriteFile(cp, data, 0o600) != nil {
		return ""
	}
	return "FILE:" + cp
}

// ownerFile, in a run's temporary folder, holds the pid of its run.
const ownerFile = "fix401.owner"

var reapOrphans sync.Once

// ReapOrphans removes the temporary folders under dir that fix401 runs
// made (they hold ownerFile) and whose run is gone: a run killed with
// SIGKILL leaves its profile behind. Another user's or a live run's
// folders are left alone, as is anything fix401 did not make.
func ReapOrphans(dir string) []string {
	entries, _ := os.ReadDir(dir)
	var removed []string
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "fix401-") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		data, err := os.ReadFile(filepath.Join(p, ownerFile))
		if err != nil {
			continue // not ours, or not yet written
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
		if err != nil || pid <= 0 || pid == os.Getpid() || proc.Alive(pid) {
			continue
		}
		if os.RemoveAll(p) == nil {
			removed = append(removed, p)
		}
	}
	return removed
}

// Browser is one running (or attached) browser.
type Browser struct {
	allocCancel context.CancelFunc
	ctx         context.Context // owns the browser and its first tab
	firstTab    atomic.Bool     // a session has taken the first tab
	cancel      context.CancelFunc
	dataDir     string // removed on Close; "" for a remote browser
	shortTmp    string // Chromium's TMPDIR when dataDir's path is too long; removed on Close
	remote      bool
	product     string
	// lazyIntercept: a tab intercepts requests only once it has an answer
	// to give (see Session.intercept). The browser is a headless shell,
	// which declines auth challenges by itself and shows the 401 page (a
	// full headless Chrome shows none unless its tab answers), and no
	// proxy can be in the way, whose challenge only interception tells
	// from a server's 407.
	lazyIntercept bool
	opts          Options
	netLogPath    string // the network log of a local browser
	netLogOnce    sync.Once
	netLog        *netlog.Log
	// acceptLanguage, when set, goes on every request of every tab: a
	// remote headless shell sends none, and its flags are not ours to set.
	acceptLanguage string

	// Sessions' browser contexts being torn down in the background: a
	// check's worker need not wait for the detach, the window's close and
	// the context's disposal (four round trips to a busy browser) before
	// its next page. Close waits for them.
	closeMu   sync.Mutex
	closing   sync.WaitGroup
	closeDone bool // Close has begun: teardown is no longer deferred
}

// disabledFeatures are Chromium features that cost CPU and change nothing a
// page shows. The list replaces chromedp's default --disable-features, so it
// keeps that one's entries first.
var disabledFeatures = []string{
	"Translate", "BlinkGenPropertyTrees", // chromedp's defaults
	// Headless Chrome still builds each window's omnibox popup, two WebUI
	// pages with a renderer process each. Every isolated session opens a
	// window, in a browser context of its own: without these two, a
	// `check` of 50 pages costs half the CPU it did.
	"WebUIOmniboxPopup", "WebUIOmniboxAimPopup",
	// After a navigation Chrome starts a spare renderer for the next one;
	// a check's browser context makes no next one, and is disposed of.
	"SpareRendererForSitePerProcess",
	// Puppeteer's defaults for automation, which chrome-launcher's
	// "flags for tools" explain: the reload button as a WebUI page of its
	// own in every window of a full Chromium, casting, optimization hints
	// looked up at every navigation, the HTTP/2 ACCEPT_CH frame
	// (crbug.com/1348106), and two process-model experiments that
	// automation trips over (crbug.com/1492053, puppeteer#10715). Without
	// them a `check` costs fewer CPU seconds a page (full Chromium: 14.2
	// -> 13.5 for 50 pages).
	"WebUIReloadButton", "MediaRouter", "OptimizationHints", "AcceptCHFrame",
	"ProcessPerSiteUpToMainFrameThreshold", "IsolateSandboxedIframes",
}

// automationSwitches are the rest of Puppeteer's defaults that chromedp's
// lack: no component extension runs a background page, no search-engine
// choice or infobar is built, and a headless page plays no sound and
// paints no scroll bars (screenshots show the page alone, as Puppeteer's
// do).
var automationSwitches = []string{
	"disable-component-extensions-with-background-pages", "disable-search-engine-choice-screen",
	"disable-infobars", "mute-audio", "hide-scrollbars",
}

// proxyEnv are the variables through which Chromium on Linux takes the
// machine's proxy, and those of a desktop session, whose proxy settings it
// reads instead.
var proxyEnv = []string{"http_proxy", "https_proxy", "all_proxy", "auto_proxy", "socks_proxy", "socks_server",
	"XDG_CURRENT_DESKTOP", "DESKTOP_SESSION", "KDE_FULL_SESSION", "GNOME_DESKTOP_SESSION_ID"}

// mayUseProxy reports whether the browser's requests may go through a
// proxy: one fix401 gives it, a remote browser's (unknown), the system's
// on Windows and macOS (not read here), or on Linux one named in its
// environment (environ, and o.Env on top).
func mayUseProxy(o Options, environ []string) bool {
	if o.ProxyServer != "" || o.RemoteURL != "" || runtime.GOOS != "linux" {
		return true
	}
	for _, kv := range append(slices.Clone(environ), o.Env...) {
		k, v, _ := strings.Cut(kv, "=")
		if v != "" && slices.ContainsFunc(proxyEnv, func(p string) bool { return strings.EqualFold(p, k) }) {
			return true
		}
	}
	return false
}

// Flags are the command-line switches every local browser gets. The network
// here is closed: without the background-networking switches Chromium floods
// it with refused connections, and QUIC would bypass host rules.
//
// Tests that must drive a browser with chromedp directly (the HAR import
// into DevTools' own frontend) start it with these too.
func Flags(o Options, dataDir string) []chromedp.ExecAllocatorOption {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(o.ExecPath),
		chromedp.UserDataDir(dataDir),
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-features", strings.Join(disabledFeatures, ",")),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.WindowSize(1280, 800),
	)
	for _, f := range automationSwitches {
		opts = append(opts, chromedp.Flag(f, true))
	}
	if !Sandboxed() {
		opts = append(opts, chromedp.NoSandbox)
	}
	if IsShell(o.ExecPath) {
		// A headless shell sends no Accept-Language unless told, where
		// Chrome sends its locale's: a login page would pick another
		// language, and a soft 401 read in another one.
		opts = append(opts, chromedp.Flag("accept-lang", acceptLanguage(o.getenv)))
	}
	if len(o.HostRules) > 0 {
		opts = append(opts, chromedp.Flag("host-resolver-rules", strings.Join(o.HostRules, ", ")))
	}
	if o.ProxyServer != "" {
		opts = append(opts, chromedp.ProxyServer(o.ProxyServer), chromedp.Flag("proxy-bypass-list", "<-loopback>"))
	}
	if env, dropped := withoutSecrets(os.Environ(), o.Secrets); dropped {
		opts = append(opts, chromedp.NoInheritEnv, chromedp.Env(env...))
	}
	if len(o.Env) > 0 {
		opts = append(opts, chromedp.Env(o.Env...))
	}
	if o.tmpDir != "" {
		opts = append(opts, chromedp.Env("TMPDIR="+o.tmpDir, "TMP="+o.tmpDir, "TEMP="+o.tmpDir))
	}
	if o.Insecure {
		opts = append(opts, chromedp.IgnoreCertErrors)
	}
	if len(o.AuthServerAllowlist) > 0 {
		opts = append(opts, chromedp.Flag("auth-server-allowlist", strings.Join(o.AuthServerAllowlist, ",")))
	}
	if dataDir != "" && o.netLog != "" {
		// Why integrated sign-in failed is only in the network log: the
		// page is the same plain 401 whatever the security library said.
		opts = append(opts, chromedp.Flag("log-net-log", o.netLog), chromedp.Flag("net-log-capture-mode", "Default"))
	}
	return opts
}

// withoutSecrets returns env without the variables whose value is one of
// secrets or whose name says it holds one (API_TOKEN, DB_PASSWORD, a
// fix401 password the run did not use), and whether it left any out: a
// browser's environment is readable in /proc by the user's other programs,
// and is copied into every process it starts.
func withoutSecrets(env, secrets []string) ([]string, bool) {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		name, v, _ := strings.Cut(kv, "=")
		// Short values (SHLVL=1) are no secret worth a broken environment.
		if len(v) >= 4 && slices.Contains(secrets, v) || secretEnvName(name) {
			continue
		}
		out = append(out, kv)
	}
	return out, len(out) < len(env)
}

// secretEnvName reports whether an environment variable's name says it
// holds a secret. Names the browser needs are not among them: PWD is the
// working folder, KRB5CCNAME names the Kerberos ticket cache (not the
// ticket), SSH_AUTH_SOCK and DBUS_SESSION_BUS_ADDRESS are sockets.
func secretEnvName(name string) bool {
	n := strings.ToUpper(name)
	for _, part := range []string{"PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "API_KEY", "ACCESS_KEY", "PRIVATE_KEY", "CREDENTIAL", "COOKIE"} {
		if strings.Contains(n, part) {
			return true
		}
	}
	for _, suffix := range []string{"_PW", "_PASS", "_PWD", "_PIN", "_OTP"} {
		if strings.HasSuffix(n, suffix) {
			return true
		}
	}
	return false
}

// Launch starts a local browser with a fresh, private user-data-dir, or
// attaches to a remote one. The browser outlives ctx's cancellation only as
// long as it takes the caller to Close it: Close is always required.
func Launch(ctx context.Context, o Options) (*Browser, error) {
	// The browser must not die with a run's deadline: the run still needs it
	// to finish its report. Close ends it.
	if err := ctx.Err(); err != nil {
		// Already over (a --max-time of a millisecond): starting a browser
		// only to kill it mid-start can leave chromedp waiting for ever.
		return nil, err
	}
	base := context.WithoutCancel(ctx)
	b := &Browser{opts: o}
	var allocCtx context.Context
	if o.RemoteURL != "" {
		b.remote = true
		allocCtx, b.allocCancel = remote.NewAllocator(base, o.RemoteURL, remote.WithDialTimeout(10*time.Second))
	} else {
		if o.ExecPath == "" {
			return nil, &UnavailableError{What: "no browser to start", Err: ErrNotFound}
		}
		// One temporary folder holds the profile and Chromium's own temp
		// files, which it would otherwise leave in the system's TMPDIR on
		// every run: Close removes it all.
		reapOrphans.Do(func() {
			ReapOrphans(os.TempDir())
			if os.TempDir() != "/tmp" {
				ReapOrphans("/tmp") // where a long TMPDIR's runs put Chromium's temp
			}
		})
		dir, err := os.MkdirTemp("", "fix401-")
		if err != nil {
			return nil, fmt.Errorf("creating the browser profile: %w", err)
		}
		b.dataDir = dir
		// The folder names its owner, so that a later run can tell it was
		// left by a run that was killed (SIGKILL skips every cleanup).
		if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600); err != nil {
			b.Close()
			return nil, fmt.Errorf("creating the browser profile: %w", err)
		}
		profile, tmp := filepath.Join(dir, "profile"), filepath.Join(dir, "t")
		o.netLog = filepath.Join(dir, "netlog.json")
		for _, d := range []string{profile, tmp} {
			if err := os.Mkdir(d, 0o700); err != nil {
				b.Close()
				return nil, fmt.Errorf("creating the browser profile: %w", err)
			}
		}
		if cc := copyTicketCache(o.Env, dir); cc != "" {
			o.Env = append(slices.Clone(o.Env), "KRB5CCNAME="+cc)
		}
		if o.UserDataDir != "" {
			profile = o.UserDataDir
		} else if err := seedLocalState(profile); err != nil {
			b.Close()
			return nil, fmt.Errorf("creating the browser profile: %w", err)
		}
		// Chromium puts a Unix socket in its temp dir, and socket paths are
		// limited to ~104 bytes: where ours would be too long, Chromium
		// keeps the system's TMPDIR.
		const socket = len("/org.chromium.Chromium.XXXXXX/SingletonSocket")
		switch {
		case len(tmp)+socket < 100:
			o.tmpDir = tmp
		default:
			// A long TMPDIR (macOS's /var/folders/…): a short folder of
			// our own under /tmp instead, removed with the rest, so that
			// Chromium's org.chromium.Chromium.* folders are not left in
			// the system's.
			if short, err := os.MkdirTemp("/tmp", "fix401-"); err == nil && len(short)+socket < 100 {
				os.WriteFile(filepath.Join(short, ownerFile), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600)
				o.tmpDir, b.shortTmp = short, short
			} else if err == nil {
				os.Remove(short)
			}
		}
		allocCtx, b.allocCancel = chromedp.NewExecAllocator(base, Flags(o, profile)...)
	}
	var copts []chromedp.ContextOption
	if o.Debugf != nil {
		copts = append(copts, chromedp.WithDebugf(o.Debugf))
	}
	errorf := o.Errorf
	if errorf == nil {
		errorf = func(string, ...any) {}
	}
	copts = append(copts, chromedp.WithErrorf(errorf), chromedp.WithLogf(func(string, ...any) {}))
	b.ctx, b.cancel = chromedp.NewContext(allocCtx, copts...)

	// Starting is bounded: a browser that hangs at start must not hang us.
	// The first Do binds the browser's life to the context it gets, so it
	// gets b.ctx itself and the bounds cancel b.ctx.
	timer := time.AfterFunc(60*time.Second, b.cancel)
	stopWatch := context.AfterFunc(ctx, b.cancel) // an interrupt during start
	err := chromedp.Do(b.ctx)
	timer.Stop()
	stopWatch()
	if err == nil && b.ctx.Err() != nil {
		err = b.ctx.Err()
	}
	if err != nil {
		if ctx.Err() != nil {
			// Stopped while it started: chromedp may wait for ever for a
			// browser that never was, so nothing waits for it here.
			b.abandon()
			return nil, ctx.Err()
		}
		b.Close()
		if o.RemoteURL != "" {
			// The dial error repeats the URL three times over; its
			// innermost cause ("connection refused") is what helps.
			var op *net.OpError
			if errors.As(err, &op) && op.Err != nil {
				err = op.Err
			}
			return nil, &UnavailableError{What: "remote browser " + o.RemoteURL + " is unreachable",
				Hint: "check that the browser runs with --remote-debugging-port and that the address is right", Err: err}
		}
		if msg := strings.TrimSpace(err.Error()); strings.HasSuffix(msg, ":") {
			// chromedp quotes what the browser printed, which may be nothing.
			err = errors.New(strings.TrimSuffix(msg, ":") + " (it exited at once without a word)")
		}
		return nil, &UnavailableError{What: "the browser failed to start", Hint: startHint(o.ExecPath, err), Err: err}
	}
	if !b.remote {
		launches.Add(1)
		b.netLogPath = o.netLog
	}
	if v, err := chromedp.CallBrowser(b.ctx, browser.GetVersion, cdp.Empty{}); err == nil {
		b.product = v.Product
	}
	// A shell's product is "HeadlessChrome/…", a full browser's "Chrome/…"
	// even when headless. A local shell got --accept-lang already.
	shell := strings.HasPrefix(b.product, "HeadlessChrome/")
	b.lazyIntercept = shell && !mayUseProxy(o, os.Environ())
	if b.remote && shell {
		b.acceptLanguage = acceptLanguage(o.getenv)
	}
	return b, nil
}

// NetLog is the browser's network log, or nil for a remote browser (its
// log is not ours to read) or one whose log could not be opened.
func (b *Browser) NetLog() *netlog.Log {
	b.netLogOnce.Do(func() {
		if b.netLogPath != "" {
			b.netLog, _ = netlog.Open(b.netLogPath)
		}
	})
	return b.netLog
}

// DataDir is the browser's profile folder ("" for a remote browser).
func (b *Browser) DataDir() string { return b.dataDir }

// Closed reports whether the browser has gone: closed, or its process
// ended (killed, crashed).
func (b *Browser) Closed() bool { return b.ctx.Err() != nil }

// Product is the browser's name and version, e.g. "Chrome/124.0.6367.91".
func (b *Browser) Product() string { return b.product }

// Options returns the options the browser was started with, so that a step
// can start another one like it (fresh-profile, dns-flush).
func (b *Browser) Options() Options { return b.opts }

// Remote reports whether the browser was attached rather than started.
func (b *Browser) Remote() bool { return b.remote }

// Close ends the browser (or detaches from a remote one) and removes its
// temporary profile. It is safe to call more than once.
func (b *Browser) Close() error {
	b.closeMu.Lock()
	b.closeDone = true
	b.closeMu.Unlock()
	// Each teardown gives up on its own after a few seconds (chromedp's
	// close timeout); a slow one must not cost a kept profile its
	// graceful close, so there is no kill here, only a bound on the wait.
	pending := make(chan struct{})
	go func() { b.closing.Wait(); close(pending) }()
	select {
	case <-pending:
	case <-time.After(teardownWait):
	}
	if b.cancel != nil {
		// A profile the caller keeps needs a graceful close, which lets
		// Chrome write it (cookies are flushed at shutdown); our own
		// temporary one is deleted, so the quick way out is fine.
		if !b.remote && b.opts.UserDataDir != "" && b.ctx.Err() == nil {
			_ = chromedp.Cancel(b.ctx)
		}
		// chromedp waits for the browser to go; one stopped while it was
		// starting (a --max-time that ends then) may never be reported
		// gone: after a while its processes are killed, which ends the wait.
		b.bounded(b.cancel)
	}
	if b.allocCancel != nil {
		b.bounded(b.allocCancel)
	}
	if b.shortTmp != "" {
		os.RemoveAll(b.shortTmp)
		b.shortTmp = ""
	}
	if b.dataDir == "" {
		return nil
	}
	dir := b.dataDir
	b.dataDir = ""
	// Chromium's helpers can outlive the main process by a moment and keep
	// writing into the profile, so a single RemoveAll may meet a non-empty dir.
	var err error
	for range 50 {
		if err = os.RemoveAll(dir); err == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("removing the browser profile %s: %w", dir, err)
}

// teardownWait bounds how long Close waits for sessions' teardown: a bit
// longer than chromedp's own timeout for closing a tab.
const teardownWait = 6 * time.Second

// closeLater runs teardown in the background, where Close waits for it,
// and reports false once Close has begun: the caller then runs it itself.
func (b *Browser) closeLater(teardown func()) bool {
	b.closeMu.Lock()
	defer b.closeMu.Unlock()
	if b.closeDone {
		return false
	}
	b.closing.Go(teardown)
	return true
}

// abandon ends a browser stopped while it was starting without waiting
// for chromedp: its processes are killed and its folders removed.
func (b *Browser) abandon() {
	go b.cancel()
	go b.allocCancel()
	b.cancel, b.allocCancel = nil, nil
	if !b.remote {
		proc.KillUsing(b.dataDir)
	}
	b.Close() // removes the folders
}

// bounded runs one of chromedp's cancel-and-wait functions. It is given 5 s;
// then the browser's processes are killed, which ends the wait, and 10 s
// more; after that it is left to end in the background.
func (b *Browser) bounded(f func()) {
	done := make(chan struct{})
	go func() { f(); close(done) }()
	select {
	case <-done:
		return
	case <-time.After(5 * time.Second):
	}
	if !b.remote {
		proc.KillUsing(b.dataDir)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
	}
}

// errClosed is returned when a session is used after its browser went away.
var errClosed = errors.New("the browser is closed")
