package check

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/fix401/fix401/internal/testbrowser"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/fix401/fix401/agent"
	"github.com/fix401/fix401/internal/browser"
)

// The runner is tested with real Chromium, one browser for the whole test
// binary, started by the first test that needs it: as `fix401 check` does,
// every check opens its own browser context in it.
func TestMain(m *testing.M) { os.Exit(testbrowser.Main(m)) }

func testBrowser(t *testing.T) *browser.Browser {
	t.Helper()
	return testbrowser.Get(t)
}

func mustParse(t *testing.T, src string, getenv func(string) string) []Check {
	t.Helper()
	cfg, err := Parse("checks.yaml", []byte(src), t.TempDir(), getenv)
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Checks
}

func options(t *testing.T, out string) Options {
	return Options{Browser: testBrowser(t), Concurrency: 4, Timeout: 10 * time.Second, MaxWait: time.Second,
		Out: out, Version: "test", Log: zerolog.Nop()}
}

// A check that does not pass keeps its diagnosis in --out/NAME/; one that
// passes leaves nothing behind.
func TestRunAgainstLab(t *testing.T) {
	base := testbrowser.Lab(t)
	out := t.TempDir()
	checks := mustParse(t, `
checks:
  - name: home
    url: ${LAB}/s/healthy/
  - name: basic-protected
    url: ${LAB}/s/basic/
    expect: auth_required
    user: alice
    password_env: LAB_PASSWORD
  - name: basic-should-load
    url: ${LAB}/s/basic/
    steps: [reproduce, reload]
  - name: forbidden
    url: ${LAB}/s/forbidden/
    expect: auth_required
  - name: basic-relogin
    url: ${LAB}/s/basic/
    steps: [reproduce, relogin]
    expect: {fixed_by: relogin}
    user: alice
    password_env: LAB_PASSWORD
`, env("LAB", base, "LAB_PASSWORD", "wonderland"))
	results := Run(context.Background(), checks, options(t, out))

	want := map[string]Verdict{"home": Pass, "basic-protected": Pass, "basic-should-load": Fail, "forbidden": Fail, "basic-relogin": Pass}
	for i, r := range results {
		if r.Name != checks[i].Name {
			t.Fatalf("result %d is %s, want %s: results keep the config's order", i, r.Name, checks[i].Name)
		}
		if r.Result != want[r.Name] {
			t.Errorf("%s: %s (%s), want %s", r.Name, r.Result, r.Reason, want[r.Name])
		}
		_, err := os.Stat(filepath.Join(out, r.Name, "report.json"))
		if (r.Result == Pass) != os.IsNotExist(err) {
			t.Errorf("%s: %s, report folder: %v", r.Name, r.Result, err)
		}
	}
	if r := results[1]; r.Status != 401 || r.Kind != "http_401" {
		t.Errorf("basic-protected = %+v", r)
	}
	// The failing check was diagnosed with its walk: reload ran after
	// reproduce, and the folder is the same as diagnose writes.
	r := results[2]
	if r.Reason != "expected healthy, got unresolved (http_401, 401)" {
		t.Errorf("reason = %q", r.Reason)
	}
	var rep struct {
		Steps []struct{ ID string } `json:"steps"`
	}
	data, err := os.ReadFile(filepath.Join(out, "basic-should-load", "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Steps) != 2 || rep.Steps[1].ID != "reload" {
		t.Errorf("steps in the report: %+v", rep.Steps)
	}
	for _, f := range []string{"network.har", "report.html", "report.md"} {
		if _, err := os.Stat(filepath.Join(out, "basic-should-load", f)); err != nil {
			t.Error(err)
		}
	}
}

// No state crosses between checks: a cookie set during one check is not
// sent by the next, although the same check sends it back (its page fetches /set again).
func TestRunIsolatesChecks(t *testing.T) {
	var echoed atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, noCookie := r.Cookie("sid")
		hasCookie := noCookie == nil
		switch r.URL.Path {
		case "/set":
			if hasCookie {
				echoed.Add(1)
			}
			w.Header().Set("Set-Cookie", "sid=abc; Path=/")
			fmt.Fprint(w, `<!doctype html><title>Set</title><h1>Welcome</h1><script>localStorage.setItem("k","v"); fetch("/set")</script>`)
		case "/probe":
			if hasCookie {
				w.Header().Set("WWW-Authenticate", `Basic realm="leak"`)
				w.WriteHeader(http.StatusUnauthorized)
				fmt.Fprint(w, `<!doctype html><title>401</title><h1>Unauthorized</h1>`)
				return
			}
			fmt.Fprint(w, `<!doctype html><title>Probe</title><h1>Clean</h1>`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	getenv := env("SRV", srv.URL)
	o := options(t, "")
	// Two runs, so that "set" surely comes before "probe".
	first := Run(context.Background(), mustParse(t, "checks:\n  - {name: set, url: \"${SRV}/set\"}\n", getenv), o)
	second := Run(context.Background(), mustParse(t, "checks:\n  - {name: probe, url: \"${SRV}/probe\"}\n", getenv), o)
	if first[0].Result != Pass || second[0].Result != Pass {
		t.Errorf("set: %s (%s); probe: %s (%s)", first[0].Result, first[0].Reason, second[0].Result, second[0].Reason)
	}
	if echoed.Load() == 0 {
		t.Error("the cookie was not even sent back within its own check: the test proves nothing")
	}
}

// --max-time holds even when a server never answers: the running check
// stops, the waiting ones never start, and all of them are errors.
func TestRunMaxTimeWithHangingServer(t *testing.T) {
	release := make(chan struct{})
	var hits atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, "<!doctype html><title>Loading")
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	srv.Listener, _ = net.Listen("tcp", "127.0.0.1:0")
	srv.Start()
	defer srv.Close()
	defer close(release)

	out := t.TempDir()
	checks := mustParse(t, `
defaults:
  timeout: 60s
checks:
  - {name: a, url: "${SRV}/a"}
  - {name: b, url: "${SRV}/b"}
  - {name: c, url: "${SRV}/c"}
`, env("SRV", srv.URL))
	o := options(t, out)
	o.Concurrency = 1
	const maxTime = 2 * time.Second
	ctx, cancel := context.WithTimeoutCause(context.Background(), maxTime, agent.ErrMaxTime)
	defer cancel()
	start := time.Now()
	results := Run(ctx, checks, o)
	if took := time.Since(start); took > maxTime+5*time.Second {
		t.Errorf("Run took %s with a --max-time of %s", took, maxTime)
	}
	started := 0
	for _, r := range results {
		switch r.Error {
		case "the run took longer than --max-time":
			if r.Result != Error {
				t.Errorf("%s: %s, want error", r.Name, r.Result)
			}
			started++
			if _, err := os.Stat(filepath.Join(out, r.Name, "report.json")); err != nil {
				t.Errorf("%s: the unfinished check's report: %v", r.Name, err)
			}
		case "not started: the run took longer than --max-time":
			if r.Result != Skipped {
				t.Errorf("%s: %s, want skipped", r.Name, r.Result)
			}
		default:
			t.Errorf("%s: error %q", r.Name, r.Error)
		}
	}
	if started != 1 {
		t.Errorf("%d checks started with --concurrency 1, want 1", started)
	}
}

// TestRetries: behind a load balancer with sticky sessions, one of two
// nodes refuses every sign-in. A check with retries: 1 that lands on the
// bad node first passes on the retry (new browser contexts, new sessions,
// the other node) and says it flapped; without retries it fails.
func TestRetries(t *testing.T) {
	var sessions atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		node := ""
		if c, err := r.Cookie("node"); err == nil {
			node = c.Value
		} else if strings.HasSuffix(r.URL.Path, "/") {
			// A new session: the balancer sends two in a row to each
			// node, the bad one first (reproduce opens two sessions).
			node = []string{"bad", "good"}[(sessions.Add(1)-1)/2%2]
			w.Header().Set("Set-Cookie", "node="+node+"; Path=/")
		}
		if node == "bad" {
			w.Header().Set("WWW-Authenticate", `Basic realm="app"`)
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `<!doctype html><title>401</title><h1>Unauthorized</h1>`)
			return
		}
		fmt.Fprint(w, `<!doctype html><title>App</title><h1>Welcome</h1>`)
	}))
	defer srv.Close()
	getenv := env("SRV", srv.URL)
	o := options(t, "")
	flaky := Run(context.Background(), mustParse(t, "checks:\n  - {name: app, url: \"${SRV}/app/\", steps: [reproduce], retries: 1}\n", getenv), o)[0]
	if flaky.Result != Pass || !flaky.Flapped || flaky.Attempts != 2 || !strings.Contains(strings.Join(flaky.Notes, " "), "flapped: failed 1 time(s) first (http_401)") {
		t.Errorf("with retries: %s flapped %v attempts %d notes %v", flaky.Result, flaky.Flapped, flaky.Attempts, flaky.Notes)
	}
	sessions.Store(0)
	once := Run(context.Background(), mustParse(t, "checks:\n  - {name: app, url: \"${SRV}/app/\", steps: [reproduce]}\n", getenv), o)[0]
	if once.Result != Fail || once.Flapped {
		t.Errorf("without retries: %s", once.Result)
	}
}
