package browser

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// One browser for the whole test binary and a tab per test, as chromedp's
// own tests do: starting Chromium is the slow part.
var shared *Browser

func TestMain(m *testing.M) {
	code := func() int {
		path, err := Find("", os.Getenv)
		if err != nil {
			fmt.Fprintln(os.Stderr, "browser tests: no Chromium:", InstallHint("linux"))
			return 1
		}
		b, err := Launch(context.Background(), Options{ExecPath: path})
		if err != nil {
			fmt.Fprintln(os.Stderr, "browser tests:", err)
			return 1
		}
		shared = b
		defer b.Close()
		return m.Run()
	}()
	os.Exit(code)
}

func newSession(t *testing.T) *Session {
	t.Helper()
	s, err := shared.NewSession(true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func testServer(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>Fine</title><h1>Hello</h1>`)
	})
	mux.HandleFunc("/basic", func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); ok && u == "alice" && p == "secret" {
			fmt.Fprint(w, `<!doctype html><title>In</title><h1>Welcome</h1>`)
			return
		}
		w.Header().Add("WWW-Authenticate", `Basic realm="Reports"`)
		w.Header().Add("WWW-Authenticate", `Bearer realm="x"`)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(401)
		fmt.Fprint(w, `<!doctype html><title>401 Unauthorized</title><h1>Unauthorized</h1>`)
	})
	mux.HandleFunc("/api", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		w.WriteHeader(401)
	})
	mux.HandleFunc("/spa", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>App</title><h1>App</h1><script>fetch("/api").then(r => document.body.append("api " + r.status))</script>`)
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/ok", http.StatusFound)
	})
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>Slow</title>`)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts
}

func TestLoadStatuses(t *testing.T) {
	ts := testServer(t)
	tests := []struct {
		path       string
		status     int
		title      string
		redirected bool
	}{
		{"/ok", 200, "Fine", false},
		{"/basic", 401, "401 Unauthorized", false},
		{"/redirect", 200, "Fine", true},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			s := newSession(t)
			l, err := s.Navigate(context.Background(), ts.URL+tt.path, LoadOptions{Timeout: 10 * time.Second, Screenshot: true})
			if err != nil {
				t.Fatal(err)
			}
			if l.Status != tt.status || l.Title != tt.title || l.Redirected != tt.redirected || l.NetError != "" {
				t.Errorf("got status %d title %q redirected %v neterr %q", l.Status, l.Title, l.Redirected, l.NetError)
			}
			if len(l.Screenshot) == 0 {
				t.Error("no screenshot")
			}
			if l.RemoteIP != "127.0.0.1" {
				t.Errorf("remote ip %q", l.RemoteIP)
			}
		})
	}
}

func TestLoadKeepsEveryChallengeLine(t *testing.T) {
	ts := testServer(t)
	s := newSession(t)
	l, err := s.Navigate(context.Background(), ts.URL+"/basic", LoadOptions{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	got := l.Header.Values("Www-Authenticate")
	if len(got) != 2 || got[0] != `Basic realm="Reports"` {
		t.Errorf("WWW-Authenticate lines = %q", got)
	}
	if len(l.Auth) != 1 || l.Auth[0].Answer != "cancelled" || !strings.EqualFold(l.Auth[0].Scheme, "basic") {
		t.Errorf("auth events = %+v", l.Auth)
	}
}

func TestLoadAnswersWithCredentials(t *testing.T) {
	ts := testServer(t)
	for _, tt := range []struct {
		pass   string
		status int
	}{{"secret", 200}, {"wrong", 401}} {
		s := newSession(t)
		s.SetCredentials(&Credentials{User: "alice", Password: tt.pass})
		l, err := s.Navigate(context.Background(), ts.URL+"/basic", LoadOptions{Timeout: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if l.Status != tt.status {
			t.Errorf("password %q: status %d, want %d", tt.pass, l.Status, tt.status)
		}
	}
}

func TestLoadSeesSubresource401(t *testing.T) {
	ts := testServer(t)
	s := newSession(t)
	l, err := s.Navigate(context.Background(), ts.URL+"/spa", LoadOptions{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var api *Request
	for _, q := range l.Requests {
		if strings.HasSuffix(q.URL, "/api") {
			api = q
		}
	}
	if l.Status != 200 || api == nil || api.Status != 401 || api.Type != "Fetch" {
		t.Fatalf("status %d, api %+v", l.Status, api)
	}
}

func TestLoadTimesOut(t *testing.T) {
	ts := testServer(t)
	s := newSession(t)
	l, err := s.Navigate(context.Background(), ts.URL+"/hang", LoadOptions{Timeout: 1 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if !l.TimedOut || l.Status != 200 {
		t.Errorf("timed out %v status %d", l.TimedOut, l.Status)
	}
	// The tab is still usable afterwards.
	l, err = s.Navigate(context.Background(), ts.URL+"/ok", LoadOptions{Timeout: 10 * time.Second})
	if err != nil || l.Status != 200 {
		t.Fatalf("after timeout: %v %+v", err, l)
	}
}

func TestLoadRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := newSession(t)
	l, err := s.Navigate(context.Background(), "http://"+addr+"/", LoadOptions{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if l.NetError != "net::ERR_CONNECTION_REFUSED" || l.Status != 0 {
		t.Errorf("neterr %q status %d", l.NetError, l.Status)
	}
}

// startRemote starts a second Chromium with a DevTools port, as an
// operations team runs one in a container, and returns its endpoint.
func startRemote(t *testing.T) string {
	t.Helper()
	path, err := Find("", os.Getenv)
	if err != nil {
		t.Skip("no Chromium")
	}
	return startRemoteAt(t, path)
}

// startRemoteAt is startRemote with the browser at path.
func startRemoteAt(t *testing.T, path string) string {
	t.Helper()
	// Not t.TempDir: Chromium's helpers may still write into the profile
	// for a moment after the main process exits, which fails its cleanup.
	dir, err := os.MkdirTemp("", "fix401-remote-")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, path, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--remote-debugging-port=0", "--user-data-dir="+dir+"/profile", "about:blank")
	// Its temporary files in its own folder too, not the system's TMPDIR.
	if err := os.Mkdir(dir+"/t", 0o700); err != nil {
		t.Fatal(err)
	}
	cmd.Env = append(os.Environ(), "TMPDIR="+dir+"/t")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
		killUsing(dir)
		for range 50 {
			if os.RemoveAll(dir) == nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	// Chromium writes the port it chose into DevToolsActivePort; wait for it
	// by polling the file, bounded.
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		data, err := os.ReadFile(filepath.Join(dir, "profile", "DevToolsActivePort"))
		if lines := strings.Split(strings.TrimSpace(string(data)), "\n"); err == nil && len(lines) == 2 {
			return "ws://127.0.0.1:" + lines[0] + lines[1]
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the remote Chromium did not write DevToolsActivePort")
	return ""
}

// killUsing kills the processes started with dir as their --user-data-dir
// (where /proc lists them). Debian's /usr/bin/chromium-headless-shell is a
// script that runs the browser without exec: killing the script alone
// leaves the browser running.
func killUsing(dir string) {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && slices.Contains(strings.Split(string(cmdline), "\x00"), "--user-data-dir="+dir+"/profile") {
			if p, err := os.FindProcess(pid); err == nil {
				p.Kill()
			}
		}
	}
}

func TestRemoteBrowser(t *testing.T) {
	ws := startRemote(t)
	ts := testServer(t)
	before := Launches()
	b, err := Launch(context.Background(), Options{RemoteURL: ws})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if !b.Remote() || Launches() != before {
		t.Errorf("remote %v, launches %d -> %d", b.Remote(), before, Launches())
	}
	s, err := b.NewSession(true)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	l, err := s.Navigate(context.Background(), ts.URL+"/basic", LoadOptions{Timeout: 10 * time.Second})
	if err != nil || l.Status != 401 {
		t.Fatalf("remote load: %v %+v", err, l)
	}
}

func TestRemoteUnreachable(t *testing.T) {
	_, err := Launch(context.Background(), Options{RemoteURL: "ws://127.0.0.1:1/devtools/browser/none"})
	var ue *UnavailableError
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v, want UnavailableError", err)
	}
}

func TestProfileRemovedOnClose(t *testing.T) {
	path, _ := Find("", os.Getenv)
	b, err := Launch(context.Background(), Options{ExecPath: path})
	if err != nil {
		t.Fatal(err)
	}
	dir := b.dataDir
	if _, err := os.Stat(dir); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("profile %s still there: %v", dir, err)
	}
}

// TestIsolatedSessionOpensNoBrowserUI: the window of a new browser context
// must not bring the omnibox popup's WebUI pages, a renderer process each,
// which cost `check` more CPU than the page it loads (see disabledFeatures).
func TestIsolatedSessionOpensNoBrowserUI(t *testing.T) {
	s := newSession(t)
	if _, err := s.Navigate(context.Background(), testServer(t).URL+"/ok", LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	infos, err := chromedp.Targets(shared.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, info := range infos {
		if info.Type == "browser_ui" {
			t.Errorf("browser UI target %s is open", info.URL)
		}
	}
}

// TestPeersGetFixSwitches: the benchmark's Puppeteer and Playwright
// scripts start the browser with fix401's switches, or the ratio would
// compare two browsers set up differently.
func TestPeersGetFixSwitches(t *testing.T) {
	script, err := os.ReadFile(filepath.Join("..", "..", "testdata", "bench", "peers.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	want := "'--disable-features=" + strings.Join(disabledFeatures, ",") + "'"
	if got := strings.ReplaceAll(string(script), "' +\n    '", ""); !strings.Contains(got, want) {
		t.Errorf("peers.mjs does not give %s", want)
	}
	for _, f := range automationSwitches {
		if !strings.Contains(string(script), "'--"+f+"'") {
			t.Errorf("peers.mjs does not give --%s", f)
		}
	}
}

// TestScreenshotSharedForTheSamePage: a reload of the same 401 page shares
// the first load's screenshot, while another page, or the same URL with
// other content, gets one of its own.
func TestScreenshotSharedForTheSamePage(t *testing.T) {
	ts := testServer(t)
	s := newSession(t)
	ctx := context.Background()
	load := func(path string, like ...*Load) *Load {
		t.Helper()
		l, err := s.Navigate(ctx, ts.URL+path, LoadOptions{Timeout: 10 * time.Second, Screenshot: true, Like: like})
		if err != nil || len(l.Screenshot) == 0 {
			t.Fatalf("%s: %v, %d bytes of screenshot", path, err, len(l.Screenshot))
		}
		return l
	}
	first := load("/basic")
	ok := load("/ok", first)
	if ok.ScreenshotOf != nil {
		t.Errorf("/ok shares the screenshot of %s", ok.ScreenshotOf.URL)
	}
	again := load("/basic", ok, first)
	if again.ScreenshotOf != first || &again.Screenshot[0] != &first.Screenshot[0] {
		t.Errorf("the same 401 page again: shares %v", again.ScreenshotOf)
	}
	// The same address showing what its script fetched is another page.
	spa := load("/spa")
	spa2 := load("/spa", spa)
	if spa2.ScreenshotOf != spa {
		t.Errorf("/spa twice: not shared: %q %v, then %q %v", spa.Text, requestKeys(spa), spa2.Text, requestKeys(spa2))
	}
	c := *spa
	c.Text = spa.Text + " changed"
	if SamePage(&c, spa) {
		t.Error("other text, same page")
	}
	c = *spa
	c.Requests = append([]*Request{}, spa.Requests...)
	r := *c.Requests[len(c.Requests)-1]
	r.Status = 200
	c.Requests[len(c.Requests)-1] = &r
	if SamePage(&c, spa) {
		t.Error("a subrequest with another status, same page")
	}
}

// TestSecretsStayOutOfTheBrowserEnvironment: a variable holding the run's
// password is not passed to Chromium, whose environment any process of the
// same user can read; the rest of the environment and Env are.
func TestSecretsStayOutOfTheBrowserEnvironment(t *testing.T) {
	if _, err := os.Stat("/proc/self/environ"); err != nil {
		t.Skip("no /proc here")
	}
	t.Setenv("FIX401_TEST_PASSWORD", "hunter2-browser-env")
	t.Setenv("FIX401_TEST_PLAIN", "kept")
	// Secrets the run was not given, known by their names alone.
	t.Setenv("API_TOKEN", "unused-token-browser-env")
	t.Setenv("FIX401_PROXY_PASSWORD", "unused-proxy-browser-env")
	path, _ := Find("", os.Getenv)
	b, err := Launch(context.Background(), Options{ExecPath: path, Secrets: []string{"hunter2-browser-env"}, Env: []string{"FIX401_TEST_EXTRA=added"}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	found := 0
	for _, p := range procs {
		cmd, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(cmd), b.dataDir) {
			continue
		}
		env, err := os.ReadFile(filepath.Join(filepath.Dir(p), "environ"))
		if err != nil {
			continue
		}
		found++
		vars := strings.Split(string(env), "\x00")
		for _, secret := range []string{"hunter2-browser-env", "unused-token-browser-env", "unused-proxy-browser-env"} {
			if strings.Contains(string(env), secret) {
				t.Errorf("%s: %s is in the browser's environment", p, secret)
			}
		}
		if strings.Contains(string(cmd), "--type=") {
			continue // helpers (zygote, renderers) get environments of their own
		}
		for _, want := range []string{"FIX401_TEST_PLAIN=kept", "FIX401_TEST_EXTRA=added"} {
			if !slices.Contains(vars, want) {
				t.Errorf("%s: %s missing", p, want)
			}
		}
	}
	if found == 0 {
		t.Fatal("no browser process found")
	}
}

func TestWithoutSecrets(t *testing.T) {
	env := []string{"A=topsecret", "SHLVL=1", "B=x=topsecret", "C=topsecret2", "EMPTY="}
	got, dropped := withoutSecrets(env, []string{"topsecret", "1", ""})
	if want := []string{"SHLVL=1", "B=x=topsecret", "C=topsecret2", "EMPTY="}; !dropped || !slices.Equal(got, want) {
		t.Errorf("got %q, %v", got, dropped)
	}
	if _, dropped := withoutSecrets(env, nil); dropped {
		t.Error("dropped without secrets")
	}
	// By name: what holds a secret goes, what the browser needs stays.
	env = []string{"DB_PASSWORD=a1b2c3", "GITHUB_TOKEN=x", "AWS_SECRET_ACCESS_KEY=y", "FIX401_PROXY_PASSWORD=z", "VAULT_PW=w",
		"PWD=/home/alice", "KRB5CCNAME=FILE:/tmp/krb5cc_0", "SSH_AUTH_SOCK=/run/a", "DBUS_SESSION_BUS_ADDRESS=unix:x", "HOME=/root", "PATH=/bin"}
	got, _ = withoutSecrets(env, nil)
	if want := env[5:]; !slices.Equal(got, want) {
		t.Errorf("by name: got %q, want %q", got, want)
	}
}

// TestShellSendsAcceptLanguage: a headless shell, started here or attached
// to, sends the Accept-Language Chrome would, as the server sees it; left
// alone it sends none.
func TestShellSendsAcceptLanguage(t *testing.T) {
	path, err := FindShell("", os.Getenv)
	if err != nil || !IsShell(path) {
		t.Skip("no headless shell installed")
	}
	got := make(chan string, 4)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/page" {
			got <- r.Header.Get("Accept-Language")
		}
		fmt.Fprint(w, `<!doctype html><title>Fine</title>`)
	}))
	defer ts.Close()
	for _, c := range []struct {
		name string
		opts func() Options
	}{
		{"local", func() Options { return Options{ExecPath: path, Getenv: os.Getenv} }},
		{"remote", func() Options { return Options{RemoteURL: startRemoteAt(t, path), Getenv: os.Getenv} }},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, err := Launch(context.Background(), c.opts())
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			s, err := b.NewSession(true)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if _, err := s.Navigate(context.Background(), ts.URL+"/page", LoadOptions{Timeout: 10 * time.Second}); err != nil {
				t.Fatal(err)
			}
			if h, want := <-got, acceptLanguage(os.Getenv); h != want {
				t.Errorf("the shell sent Accept-Language %q, want %q", h, want)
			}
		})
	}
}

// TestShellInterceptsOnlyToAnswer: with no proxy in the way, a headless
// shell's tab shows a Basic challenge's 401 page by itself, without pausing
// every request; once it has credentials or a bearer token it intercepts,
// and answers with them.
func TestShellInterceptsOnlyToAnswer(t *testing.T) {
	for _, k := range proxyEnv {
		t.Setenv(k, "")
		t.Setenv(strings.ToUpper(k), "")
	}
	path, err := FindShell("", os.Getenv)
	if err != nil || !IsShell(path) {
		if os.Getenv("CI") != "" {
			t.Fatal("no headless shell installed: make deps installs chromium-headless-shell")
		}
		t.Skip("no headless shell installed")
	}
	ts := testServer(t)
	b, err := Launch(context.Background(), Options{ExecPath: path, Getenv: os.Getenv})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if !b.lazyIntercept {
		t.Fatalf("%s (%s) is not known as a browser that declines challenges", path, b.Product())
	}
	s, err := b.NewSession(true)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	load := func(path string) *Load {
		t.Helper()
		l, err := s.Navigate(context.Background(), ts.URL+path, LoadOptions{Timeout: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	if l := load("/basic"); l.Status != 401 || l.Title != "401 Unauthorized" || l.NetError != "" || len(l.Auth) != 0 {
		t.Errorf("without credentials: status %d title %q neterr %q auth %+v, want the 401 page, unanswered", l.Status, l.Title, l.NetError, l.Auth)
	}
	if s.intercepting {
		t.Error("the tab intercepts with nothing to answer")
	}
	s.SetCredentials(&Credentials{User: "alice", Password: "secret"})
	if l := load("/basic"); l.Status != 200 || l.Title != "In" || len(l.Auth) != 1 || l.Auth[0].Answer != "credentials" {
		t.Errorf("with credentials: status %d title %q auth %+v, want the page behind the challenge", l.Status, l.Title, l.Auth)
	}

	// A bearer token, in a tab of its own, is added to the page's request.
	who := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><title>%s</title>`, r.Header.Get("Authorization"))
	}))
	defer who.Close()
	s2, err := b.NewSession(true)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	s2.SetBearer(Origin(who.URL), "tok-123")
	l, err := s2.Navigate(context.Background(), who.URL+"/", LoadOptions{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if l.Title != "Bearer tok-123" {
		t.Errorf("with a bearer token the server saw Authorization %q", l.Title)
	}
}

// TestMayUseProxy: a tab intercepts from the start wherever a proxy may
// answer 407, since only interception tells a proxy's challenge from a
// server's.
func TestMayUseProxy(t *testing.T) {
	if runtime.GOOS != "linux" {
		if !mayUseProxy(Options{}, nil) {
			t.Error("the system's proxy settings, which fix401 does not read, were taken for none")
		}
		return
	}
	for _, c := range []struct {
		name    string
		o       Options
		environ []string
		want    bool
	}{
		{"nothing", Options{}, []string{"HOME=/root", "LANG=C.UTF-8"}, false},
		{"empty variable", Options{}, []string{"http_proxy="}, false},
		{"--proxy", Options{ProxyServer: "http://proxy:3128"}, nil, true},
		{"remote browser", Options{RemoteURL: "ws://127.0.0.1:9222/devtools/browser/x"}, nil, true},
		{"HTTPS_PROXY", Options{}, []string{"HTTPS_PROXY=http://proxy:3128"}, true},
		{"auto_proxy", Options{}, []string{"auto_proxy=http://wpad/wpad.dat"}, true},
		{"desktop session", Options{}, []string{"XDG_CURRENT_DESKTOP=GNOME"}, true},
		{"Options.Env", Options{Env: []string{"http_proxy=http://proxy:3128"}}, nil, true},
	} {
		if got := mayUseProxy(c.o, c.environ); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// TestSessionCloseTearsDownInTheBackground: closing an isolated session
// returns before its browser context is gone (a check's worker goes on to
// its next page), the teardown still happens, and the browser's Close waits
// for what is left of it.
func TestSessionCloseTearsDownInTheBackground(t *testing.T) {
	path, _ := Find("", os.Getenv)
	b, err := Launch(context.Background(), Options{ExecPath: path})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	url := testServer(t).URL + "/ok"
	open := func() (*Session, string) {
		s, err := b.NewSession(true)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Navigate(context.Background(), url, LoadOptions{}); err != nil {
			t.Fatal(err)
		}
		return s, string(chromedp.FromContext(s.ctx).Target.TargetID)
	}
	listed := func(id string) bool {
		infos, err := chromedp.Targets(b.ctx)
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(infos, func(i *target.Info) bool { return string(i.TargetID) == id })
	}

	s, id := open()
	s.Close()
	deadline := time.Now().Add(30 * time.Second)
	for listed(id) {
		if time.Now().After(deadline) {
			t.Fatalf("the closed session's tab %s is still open", id)
		}
		time.Sleep(20 * time.Millisecond)
	}

	// Sessions closed just before the browser: Close waits for their
	// teardown, then ends the browser, and a session closed after that
	// is torn down at once.
	for range 3 {
		s, _ := open()
		s.Close()
	}
	var slow atomic.Bool
	if !b.closeLater(func() { time.Sleep(300 * time.Millisecond); slow.Store(true) }) {
		t.Fatal("teardown not deferred while the browser is open")
	}
	last, _ := open()
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if !slow.Load() {
		t.Error("the browser closed before a pending teardown ended")
	}
	last.Close()
	if b.closeLater(func() {}) {
		t.Error("teardown deferred after the browser closed")
	}
}
