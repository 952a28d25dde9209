package har

import (
	"bytes"
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"github.com/fix401/fix401/internal/testbrowser"
	"github.com/fix401/fix401/internal/testhar"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/lab"
)

var keep = flag.String("keep", "", "write the HAR files the Chromium tests build into this folder (to import them in DevTools)")

// One browser for the whole test binary and a tab per test, as the browser
// package's tests do: starting Chromium is the slow part.
func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(testbrowser.Main(m))
}

func newSession(t *testing.T) *browser.Session {
	t.Helper()
	s, err := testbrowser.Get(t).NewSession(true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// startLab serves the practice scenarios on a free loopback port: a new
// origin per test, so that no test sees HTTP auth another one answered.
func startLab(t *testing.T) string {
	t.Helper()
	ln, err := lab.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- lab.Serve(ctx, ln, lab.New()) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return "http://" + ln.Addr().String()
}

// run records loads in one tab, as the agent does, and keeps a Page for each.
type run struct {
	t     *testing.T
	s     *browser.Session
	pages []Page
}

func (r *run) load(u string) *browser.Load {
	r.t.Helper()
	return r.loadWithin(u, 10*time.Second)
}

func (r *run) loadWithin(u string, timeout time.Duration) *browser.Load {
	r.t.Helper()
	l, err := r.s.Navigate(context.Background(), u, browser.LoadOptions{Timeout: timeout})
	if err != nil {
		r.t.Fatal(err)
	}
	// The raw URL goes into the title on purpose: titles are scrubbed too.
	r.pages = append(r.pages, Page{Load: l.Index, Title: fmt.Sprintf("load %d · %s", l.Index, u), Started: l.Started, OnLoad: l.Duration})
	return l
}

func (r *run) build(name string, o Options) (*file, []byte) {
	r.t.Helper()
	o.Version, o.Browser = "test", testbrowser.Get(r.t).Product()
	data, err := Build(r.pages, r.s.Requests(), o)
	if err != nil {
		r.t.Fatal(err)
	}
	if *keep != "" {
		if err := os.WriteFile(filepath.Join(*keep, name+".har"), data, 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
	testhar.ValidateHAR(r.t, data)
	f := decode(r.t, data)
	checkRules(r.t, f)
	return f, data
}

// cookieSite sets a session cookie and then answers 401 with an error page
// that echoes it, along with the password: a careless server's page. Its
// /set page also calls an API with an Authorization header of its own: the
// only way one shows up in Chromium's events (see TestChromiumRunIsSanitized).
func cookieSite(t *testing.T) string {
	mux := http.NewServeMux()
	mux.HandleFunc("/set", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "COOKIESECRET", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
		fmt.Fprint(w, `<!doctype html><title>Signed in</title><h1>Welcome</h1><script>
fetch("/api", {headers: {"Authorization": "Basic " + btoa("alice:" + "wonder" + "land")}}).then(r => r.text());
</script>`)
	})
	mux.HandleFunc("/api", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":true}`)
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		c, _ := r.Cookie("sid")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("WWW-Authenticate", `Bearer realm="echo", error="invalid_token"`)
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `<!doctype html><title>Session expired</title><h1>Session expired</h1><p>session %v, password wonderland (%s)</p>`,
			c, base64.StdEncoding.EncodeToString([]byte("wonderland")))
	})
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts.URL
}

func TestChromiumRunIsSanitized(t *testing.T) {
	base := startLab(t)
	site := cookieSite(t)
	r := &run{t: t, s: newSession(t)}

	// Chromium reports neither the 401 nor the retried request's headers
	// when the answer to a challenge comes from Fetch.continueWithAuth: the
	// document shows up as one 200 request without Authorization. The
	// header the test looks for comes from the page's own fetch on /set.
	r.s.SetCredentials(&browser.Credentials{User: "alice", Password: "wonderland"})
	if l := r.load(base + "/s/basic/"); l.Status != 200 {
		t.Fatalf("basic with credentials: status %d", l.Status)
	}
	r.s.SetCredentials(nil)
	// The dashboard never reads its 401 body, so Chromium never says that
	// fetch finished and the load runs into its timeout: keep it short.
	r.loadWithin(base+"/s/subresource/", 2*time.Second)
	// No trailing slash: the lab redirects, so the tokens also travel in a
	// Location header.
	if l := r.load(base + "/s/healthy?access_token=SECRET123&x=1#id_token=SECRET456"); !l.Redirected {
		t.Errorf("healthy without a slash was not redirected")
	}
	r.load(site + "/set")
	if l := r.load(site + "/echo"); l.Status != 401 {
		t.Fatalf("echo: status %d", l.Status)
	}
	r.load(refusedURL(t))

	f, data := r.build("run", Options{Secrets: []string{"wonderland"}})
	for _, s := range []string{"SECRET123", "SECRET456", "COOKIESECRET", "wonderland",
		base64.StdEncoding.EncodeToString([]byte("alice:wonderland")),
		base64.StdEncoding.EncodeToString([]byte("wonderland")),
	} {
		if bytes.Contains(data, []byte(s)) {
			t.Errorf("%s is in the HAR", s)
		}
	}
	for _, s := range []string{"access_token", `"sid"`, "Authorization", "Basic [redacted]", "sid=[redacted]", "[redacted]"} {
		if !bytes.Contains(data, []byte(s)) {
			t.Errorf("%s is not in the HAR", s)
		}
	}
	if len(f.Log.Pages) != len(r.pages) {
		t.Errorf("%d pages for %d loads", len(f.Log.Pages), len(r.pages))
	}

	var sawHop, sawAPI, sawEcho, sawRefused, sawAuth bool
	for _, e := range f.Log.Entries {
		switch u := e.Request.URL; {
		case e.Response.Status == 301 && strings.Contains(u, "/s/healthy?"):
			sawHop = true
			if e.Response.RedirectURL != "/s/healthy/?access_token=[redacted]&x=1" {
				t.Errorf("redirectURL %q", e.Response.RedirectURL)
			}
		case strings.HasSuffix(u, "/s/subresource/api/me"):
			sawAPI = e.Response.Status == 401 && e.ResourceType == "fetch"
		case strings.HasSuffix(u, "/echo"):
			sawEcho = true
			if c := e.Request.Cookies; len(c) != 1 || c[0].Name != "sid" || c[0].Value != mark {
				t.Errorf("echo cookies %+v", c)
			}
			if txt := e.Response.Content.Text; !strings.Contains(txt, "session sid=[redacted], password [redacted] ([redacted])") {
				t.Errorf("echo body %q", txt)
			}
		case strings.HasSuffix(u, "/api"):
			for _, h := range e.Request.Headers {
				sawAuth = sawAuth || h.Name == "Authorization" && h.Value == "Basic [redacted]"
			}
		case e.Response.Error == "net::ERR_CONNECTION_REFUSED":
			sawRefused = e.Response.Status == 0
		}
		if e.Response.Status > 0 && (e.ServerIPAddress != "127.0.0.1" || e.Response.HTTPVersion != "HTTP/1.1") {
			t.Errorf("%s: ip %q version %q", e.Request.URL, e.ServerIPAddress, e.Response.HTTPVersion)
		}
	}
	if !sawHop || !sawAPI || !sawEcho || !sawRefused || !sawAuth {
		t.Errorf("redirect hop %v, api 401 %v, echo %v, refused %v, Authorization %v", sawHop, sawAPI, sawEcho, sawRefused, sawAuth)
	}
}

func refusedURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr + "/"
}

// The size of the file for one load, as a technician would attach it.
func TestChromiumBasicScenarioSize(t *testing.T) {
	base := startLab(t)
	anon := &run{t: t, s: newSession(t)}
	anon.load(base + "/s/basic/")
	_, data := anon.build("basic-anonymous", Options{})
	t.Logf("lab basic, anonymous (401 page kept): %d bytes, %d requests", len(data), len(anon.s.Requests()))

	signed := &run{t: t, s: newSession(t)}
	signed.s.SetCredentials(&browser.Credentials{User: "alice", Password: "wonderland"})
	signed.load(base + "/s/basic/")
	_, data = signed.build("basic-signed-in", Options{Secrets: []string{"wonderland"}})
	t.Logf("lab basic, signed in (200): %d bytes, %d requests", len(data), len(signed.s.Requests()))
}
