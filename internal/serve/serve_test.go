package serve

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/check"
	"github.com/fix401/fix401/internal/proc"
	"github.com/fix401/fix401/internal/realserver"
	"github.com/fix401/fix401/internal/testbrowser"
)

func TestMain(m *testing.M) { os.Exit(testbrowser.Main(m)) }

// site is a real HTTP server with the pages the probes look at.
func site(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>Dashboard</title><h1>Welcome</h1>`)
	})
	mux.HandleFunc("/basic", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="Reports"`)
		w.WriteHeader(401)
		fmt.Fprint(w, `<!doctype html><title>401 Unauthorized</title><h1>Unauthorized</h1>`)
	})
	mux.HandleFunc("/bare401", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(401)
	})
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts
}

func newServer(t *testing.T, cfgText string, o Options) (*Server, *httptest.Server) {
	t.Helper()
	cfg, err := check.Parse("probes.yaml", []byte(cfgText), t.TempDir(), os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	path, err := browser.Find("", os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	o.Config = cfg
	o.Log = zerolog.Nop()
	o.Launch = func(ctx context.Context) (*browser.Browser, error) {
		return browser.Launch(ctx, browser.Options{ExecPath: path, Getenv: os.Getenv})
	}
	s := New(o)
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)
	return s, hs
}

func get(t *testing.T, u string, hdr ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

const probesYAML = `
defaults:
  timeout: 5s
modules:
  reports:
    expect: auth_required
checks:
  - name: dashboard
    url: %s/ok
`

func TestProbe(t *testing.T) {
	web := site(t)
	out := t.TempDir()
	_, hs := newServer(t, fmt.Sprintf(probesYAML, web.URL), Options{Out: out, Keep: 2})
	probe := func(q string, hdr ...string) (int, string) {
		return get(t, hs.URL+"/probe?"+q, hdr...)
	}

	t.Run("a healthy page is probe_success 1", func(t *testing.T) {
		code, body := probe("target=" + url.QueryEscape(web.URL+"/ok"))
		if code != 200 || !strings.Contains(body, "probe_success 1") || !strings.Contains(body, "probe_http_status_code 200") {
			t.Fatalf("%d\n%s", code, body)
		}
		if strings.Contains(body, "fix401_probe_failure_info") {
			t.Errorf("a success with failure info:\n%s", body)
		}
	})
	t.Run("a 401 says why in its labels", func(t *testing.T) {
		code, body := probe("target=" + url.QueryEscape(web.URL+"/bare401"))
		if code != 200 || !strings.Contains(body, "probe_success 0") ||
			!strings.Contains(body, `fix401_probe_failure_info{finding="no_challenge",kind="http_401"} 1`) {
			t.Fatalf("%d\n%s", code, body)
		}
	})
	t.Run("a module's expectation", func(t *testing.T) {
		_, body := probe("target=" + url.QueryEscape(web.URL+"/basic") + "&module=reports")
		if !strings.Contains(body, "probe_success 1") {
			t.Fatalf("auth_required of a 401 page did not pass:\n%s", body)
		}
	})
	t.Run("a configured check", func(t *testing.T) {
		_, body := probe("check=dashboard")
		if !strings.Contains(body, "probe_success 1") {
			t.Fatalf("%s", body)
		}
	})
	t.Run("debug tells the story", func(t *testing.T) {
		_, body := probe("target=" + url.QueryEscape(web.URL+"/basic") + "&debug=true")
		if !strings.Contains(body, "kind: http_401 (401 Unauthorized)") || !strings.Contains(body, "report: /reports/") {
			t.Fatalf("%s", body)
		}
		// Each finding by its id (the metric's label) and its title.
		_, body = probe("target=" + url.QueryEscape(web.URL+"/bare401") + "&debug=true")
		if !regexp.MustCompile(`(?m)^finding: no_challenge \(.+\)$`).MatchString(body) {
			t.Fatalf("%s", body)
		}
	})
	t.Run("the scrape timeout bounds the probe", func(t *testing.T) {
		start := time.Now()
		code, body := probe("target="+url.QueryEscape(web.URL+"/hang")+"&debug=true", "X-Prometheus-Scrape-Timeout-Seconds", "2")
		if took := time.Since(start); took > 1900*time.Millisecond || code != 200 || !strings.Contains(body, "did not finish within its time") {
			t.Fatalf("%d after %s\n%s", code, took, body)
		}
	})
	t.Run("bad requests answer 400 with one line", func(t *testing.T) {
		for q, want := range map[string]string{
			"":                                      "missing target=",
			"target=ftp://example.com/":             `unsupported scheme "ftp"`,
			"target=http%3A%2F%2F%5B%3A%3A1":        "target",
			"target=" + web.URL + "/ok&module=nope": `unknown module "nope" (modules: defaults, reports)`,
			"check=nope":                            `unknown check "nope"`,
			"check=dashboard&target=" + web.URL:     "not both",
		} {
			code, body := probe(q)
			if code != 400 || !strings.Contains(body, want) || strings.Count(strings.TrimSpace(body), "\n") > 0 {
				t.Errorf("%q: %d %q", q, code, body)
			}
		}
		code, body := probe("target="+url.QueryEscape(web.URL+"/ok"), "X-Prometheus-Scrape-Timeout-Seconds", "soon")
		if code != 400 || !strings.Contains(body, "not a number") {
			t.Errorf("%d %q", code, body)
		}
	})
	t.Run("reports of failed probes are kept, the last few per target", func(t *testing.T) {
		for range 3 {
			probe("target=" + url.QueryEscape(web.URL+"/basic"))
		}
		dirs, _ := filepath.Glob(filepath.Join(out, "*_basic", "*", "report.json"))
		if len(dirs) != 2 {
			t.Errorf("report folders %v, want the last 2", dirs)
		}
		code, page := get(t, hs.URL+"/")
		if code != 200 || !strings.Contains(page, "/reports/") || !strings.Contains(page, "http_401") {
			t.Errorf("index %d:\n%s", code, page)
		}
		rel := strings.TrimPrefix(filepath.ToSlash(filepath.Dir(dirs[len(dirs)-1])), filepath.ToSlash(out)+"/")
		if code, _ := get(t, hs.URL+"/reports/"+rel+"/report.html"); code != 200 {
			t.Errorf("the report link answers %d", code)
		}
	})
	t.Run("the exporter's own metrics, health and readiness", func(t *testing.T) {
		_, m := get(t, hs.URL+"/metrics")
		for _, want := range []string{`fix401_probes_total{result="success"}`, `fix401_probes_total{result="failure"}`, "fix401_probe_queue_depth 0", "go_goroutines", "process_resident_memory_bytes"} {
			if !strings.Contains(m, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
		for _, p := range []string{"/-/healthy", "/-/ready"} {
			if code, _ := get(t, hs.URL+p); code != 200 {
				t.Errorf("%s: %d", p, code)
			}
		}
	})
}

// TestQueueAndRestart: probes beyond the slots and the queue are refused
// at once, and a browser that has gone is started again for the next probe.
func TestQueueAndRestart(t *testing.T) {
	web := site(t)
	s, hs := newServer(t, fmt.Sprintf(probesYAML, web.URL), Options{Concurrency: 1, Queue: 1})
	var wg sync.WaitGroup
	bodies := make([]string, 3)
	for i := range 3 {
		wg.Go(func() {
			_, bodies[i] = get(t, hs.URL+"/probe?debug=true&target="+url.QueryEscape(web.URL+"/hang"), "X-Prometheus-Scrape-Timeout-Seconds", "2")
		})
		time.Sleep(100 * time.Millisecond) // in order: slot, queue, refused
	}
	wg.Wait()
	full := 0
	for _, b := range bodies {
		if strings.Contains(b, "queue full") {
			full++
		}
	}
	if full != 1 {
		t.Errorf("%d probes refused as queue full, want 1:\n%s", full, strings.Join(bodies, "\n---\n"))
	}

	// The browser's processes killed in the middle of a probe.
	s.mu.Lock()
	dir := s.b.DataDir()
	s.mu.Unlock()
	done := make(chan string)
	go func() {
		_, body := get(t, hs.URL+"/probe?debug=true&target="+url.QueryEscape(web.URL+"/hang"), "X-Prometheus-Scrape-Timeout-Seconds", "10")
		done <- body
	}()
	for s.inFlightNow() == 0 {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // the page is loading
	if n := proc.KillUsing(dir); n == 0 {
		t.Fatal("no browser process to kill")
	}
	select {
	case body := <-done:
		if !strings.Contains(body, "failure") && !strings.Contains(body, "error") {
			t.Errorf("the probe whose browser was killed:\n%s", body)
		}
	case <-time.After(12 * time.Second):
		t.Fatal("the probe whose browser was killed did not answer")
	}
	if code, _ := get(t, hs.URL+"/-/ready"); code != 503 {
		t.Errorf("ready with its browser gone: %d", code)
	}
	_, body := get(t, hs.URL+"/probe?target="+url.QueryEscape(web.URL+"/ok"))
	if !strings.Contains(body, "probe_success 1") {
		t.Fatalf("after the browser went:\n%s", body)
	}
	_, m := get(t, hs.URL+"/metrics")
	if !strings.Contains(m, "fix401_browser_restarts_total 1") {
		t.Errorf("restarts not counted")
	}
}

// TestProbeCertExpiry: an https page's certificate expiry is
// probe_ssl_earliest_cert_expiry, as blackbox_exporter answers it.
func TestProbeCertExpiry(t *testing.T) {
	ca := realserver.NewCA(t, "secure.test")
	cert, err := tls.LoadX509KeyPair(ca.Cert, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	web := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>Secure</title><h1>Welcome</h1>`)
	}))
	web.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	web.StartTLS()
	defer web.Close()
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := check.Parse("probes.yaml", []byte("modules:\n  m:\n    timeout: 5s\n"), t.TempDir(), os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	path, err := browser.Find("", os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	s := New(Options{Config: cfg, Log: zerolog.Nop(), Launch: func(ctx context.Context) (*browser.Browser, error) {
		return browser.Launch(ctx, browser.Options{ExecPath: path, Getenv: os.Getenv, Env: ca.BrowserEnv})
	}})
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	_, body := get(t, hs.URL+"/probe?target="+url.QueryEscape(web.URL+"/"))
	want := fmt.Sprintf("probe_ssl_earliest_cert_expiry %g", float64(leaf.NotAfter.Unix()))
	if !strings.Contains(body, "probe_success 1") || !strings.Contains(body, want) {
		t.Fatalf("want %s in\n%s", want, body)
	}
}
