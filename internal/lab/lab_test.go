package lab

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fix401/fix401/steps"
)

// failAfter bounds waits that should finish almost at once; it only decides
// when to give up, never when something is considered done.
const failAfter = 10 * time.Second

func newTestLab(t *testing.T) (*Lab, *httptest.Server) {
	t.Helper()
	return newClockedLab(t, nil)
}

func get(t *testing.T, url string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	client := &http.Client{
		Timeout:       failAfter,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestScenariosTable(t *testing.T) {
	wantIDs := []string{
		"healthy", "basic", "digest", "bearer", "negotiate", "no-challenge",
		"soft-en", "soft-de", "soft-ja", "subresource", "forbidden", "proxy",
		"not-found", "hang",
		"url-typo", "recycle", "stale-cache", "stale-cookie", "stale-token",
		"conn-bound", "stale-dns", "form-login", "ip-blocked",
	}
	wantFix := map[string]string{
		"basic": "relogin", "digest": "relogin", "bearer": "relogin",
		"url-typo": "url-check", "recycle": "reload", "stale-cache": "clear-cache",
		"stale-cookie": "clear-cookies", "stale-token": "clear-cookies",
		"conn-bound": "fresh-profile", "stale-dns": "dns-flush", "form-login": "relogin", "ip-blocked": "via-proxy",
	}
	stepIDs := steps.IDs()
	kinds := []string{"none", "http_401", "soft_401", "subresource_401", "proxy_407", "forbidden_403", "other_status", "network_error"}
	var ids []string
	for _, s := range Scenarios() {
		ids = append(ids, s.ID)
		if s.Title == "" || s.Description == "" {
			t.Errorf("%s: empty title or description", s.ID)
		}
		if !slices.Contains(kinds, s.Expect) {
			t.Errorf("%s: unknown Expect %q", s.ID, s.Expect)
		}
		if s.FixedBy != wantFix[s.ID] {
			t.Errorf("%s: FixedBy = %q, want %q", s.ID, s.FixedBy, wantFix[s.ID])
		}
		if s.FixedBy != "" && (!slices.Contains(stepIDs, s.FixedBy) || s.FixedBy == "reproduce") {
			t.Errorf("%s: FixedBy %q is not a remedy step (%v)", s.ID, s.FixedBy, stepIDs)
		}
		if s.FixedBy == "relogin" && s.Options.User == "" && s.Options.BearerToken == "" {
			t.Errorf("%s: fixed by relogin without credentials in Options", s.ID)
		}
		if (s.FixedBy == "via-proxy") != s.Options.NeedsProxy {
			t.Errorf("%s: NeedsProxy = %v with FixedBy %q", s.ID, s.Options.NeedsProxy, s.FixedBy)
		}
		if p := s.Options.Path; p != "" && !strings.HasPrefix(p, s.Path()) {
			t.Errorf("%s: Options.Path %q is outside the scenario", s.ID, p)
		}
		if p := s.Options.LoginURL; p != "" && !strings.HasPrefix(p, s.Path()) {
			t.Errorf("%s: Options.LoginURL %q is outside the scenario", s.ID, p)
		}
		wantTarget := "http://127.0.0.1:8401" + cmp(s.Options.Path, s.Path())
		if s.Options.StaleDNS {
			wantTarget = "http://" + StaleDNSHost + ":8401" + s.Path()
		}
		if (s.FixedBy == "dns-flush") != s.Options.StaleDNS {
			t.Errorf("%s: StaleDNS = %v with FixedBy %q", s.ID, s.Options.StaleDNS, s.FixedBy)
		}
		for _, base := range []string{"http://127.0.0.1:8401", "http://127.0.0.1:8401/"} {
			if got := s.Target(base); got != wantTarget {
				t.Errorf("%s: Target(%q) = %q, want %q", s.ID, base, got, wantTarget)
			}
		}
		if got := s.LoginTarget("http://127.0.0.1:8401"); (got == "") != (s.Options.LoginURL == "") {
			t.Errorf("%s: LoginTarget = %q", s.ID, got)
		}
		if s.Hangs != (s.ID == "hang") {
			t.Errorf("%s: Hangs = %v", s.ID, s.Hangs)
		}
		if want := "/s/" + s.ID + "/"; s.Path() != want {
			t.Errorf("%s: Path() = %q, want %q", s.ID, s.Path(), want)
		}
	}
	if !slices.Equal(ids, wantIDs) {
		t.Errorf("IDs = %v\nwant  %v", ids, wantIDs)
	}
	// Callers must not be able to corrupt the table through the slice.
	Scenarios()[0].ID = "changed"
	if Scenarios()[0].ID != "healthy" {
		t.Error("Scenarios() exposes the internal table")
	}
}

func TestScenarioResponses(t *testing.T) {
	type want struct {
		status  int
		ctype   string              // prefix of Content-Type
		headers map[string][]string // exact values, in order; nil slice = must be absent
		body    []string            // substrings
	}
	html := "text/html; charset=utf-8"
	tests := map[string]want{
		"healthy": {200, html, map[string][]string{"WWW-Authenticate": nil}, []string{"Sign in", "Log in", "<button"}},
		"basic": {401, html, map[string][]string{
			"WWW-Authenticate": {`Basic realm="Lab Reports", charset="UTF-8"`},
			"Server":           {"Apache/2.4.62 (Debian)"},
		}, []string{"<title>401 Unauthorized</title>", "This server could not verify that you", "<address>Apache/2.4.62 (Debian) Server at 127.0.0.1 Port "}},
		"digest": {401, html, nil, []string{"401 Unauthorized"}},
		"bearer": {401, "application/json", map[string][]string{
			"WWW-Authenticate": {`Bearer realm="lab-api", error="invalid_token", error_description="The access token expired"`},
		}, []string{`"error":"invalid_token"`}},
		"negotiate": {401, html, map[string][]string{
			"WWW-Authenticate": {"Negotiate", "NTLM"},
			"Server":           {"Microsoft-IIS/10.0"},
			"X-Powered-By":     {"ASP.NET"},
		}, []string{
			"HTTP Error 401.2 - Unauthorized",
			"You are not authorized to view this page due to invalid authentication headers.",
			"<th>Module</th><td>&nbsp;&nbsp;&nbsp;IIS Web Core</td>",
			"<th>Notification</th><td>&nbsp;&nbsp;&nbsp;AuthenticateRequest</td>",
			"<th>Handler</th><td>&nbsp;&nbsp;&nbsp;StaticFile</td>",
			"<th>Error Code</th><td>&nbsp;&nbsp;&nbsp;0x80070005</td>",
			`C:\inetpub\wwwroot\s\negotiate`,
		}},
		"no-challenge": {401, html, map[string][]string{"WWW-Authenticate": nil}, []string{"<h1>401 Unauthorized</h1>"}},
		"soft-en":      {200, html, nil, []string{"<title>Access Denied</title>", "<h1>You are not authorized to view this page</h1>"}},
		"soft-de":      {200, html, nil, []string{`<html lang="de">`, "<title>Zugriff verweigert</title>", "<h1>Sie sind nicht berechtigt, diese Seite anzuzeigen</h1>"}},
		"soft-ja":      {200, html, nil, []string{`<html lang="ja">`, "<title>アクセスが拒否されました</title>", "<h1>このページを表示する権限がありません</h1>"}},
		"subresource":  {200, html, map[string][]string{"WWW-Authenticate": nil}, []string{`fetch("api/me")`, "Could not load your profile"}},
		"forbidden":    {403, html, map[string][]string{"WWW-Authenticate": nil}, []string{"403 Forbidden", "You are signed in but not allowed here."}},
		"proxy": {407, html, map[string][]string{
			"Proxy-Authenticate": {`Basic realm="lab-proxy"`},
			"WWW-Authenticate":   nil,
		}, []string{"407 Proxy Authentication Required"}},
		"not-found": {404, html, nil, []string{"404 Not Found"}},
		"url-typo": {401, html, map[string][]string{
			"WWW-Authenticate": {`Basic realm="Lab Intranet"`},
		}, []string{"This server could not verify that you"}},
		"recycle": {401, html, map[string][]string{
			"WWW-Authenticate": {"Negotiate", "NTLM"},
			"Retry-After":      {"3"},
			"Server":           {"Microsoft-IIS/10.0"},
		}, []string{"HTTP Error 401.1 - Unauthorized", `C:\inetpub\wwwroot\s\recycle`}},
		"stale-cache":  {200, html, map[string][]string{"WWW-Authenticate": nil}, []string{`<script src="app.js"></script>`, "Loading your profile…"}},
		"stale-cookie": {401, html, map[string][]string{"WWW-Authenticate": nil}, []string{"Your session has expired"}},
		"stale-token":  {200, html, map[string][]string{"WWW-Authenticate": nil}, []string{`localStorage.setItem(KEY, "stale-token-2024")`, `fetch("api/me"`}},
		"conn-bound": {401, html, map[string][]string{
			"WWW-Authenticate": {"NTLM"},
			"Server":           {"Microsoft-IIS/10.0"},
		}, []string{"HTTP Error 401.1 - Unauthorized"}},
		"stale-dns":  {200, html, map[string][]string{"WWW-Authenticate": nil}, []string{"new intranet server"}},
		"form-login": {302, html, map[string][]string{"Location": {"/s/form-login/login?next=%2Fs%2Fform-login%2F"}}, nil},
		"ip-blocked": {401, html, map[string][]string{
			"WWW-Authenticate": {"Negotiate"},
			"Server":           {"Microsoft-IIS/10.0"},
		}, []string{"HTTP Error 401.503 - Unauthorized", "denied access by the IP address restriction"}},
	}

	_, ts := newTestLab(t)
	for _, s := range Scenarios() {
		if s.Hangs {
			continue // TestHang*
		}
		w, ok := tests[s.ID]
		if !ok {
			t.Errorf("%s: no expectations in this table; add them", s.ID)
			continue
		}
		t.Run(s.ID, func(t *testing.T) {
			target := s.Target(ts.URL)
			if s.Options.StaleDNS {
				target = ts.URL + s.Path() // the new server; TestStaleDNS has the old one
			}
			// As the user's browser meets it: with the scenario's
			// starting cookies.
			var hdr map[string]string
			for n, v := range s.Options.Cookies {
				hdr = map[string]string{"Cookie": n + "=" + v}
			}
			resp, body := get(t, target, hdr)
			if resp.StatusCode != w.status {
				t.Errorf("status = %d, want %d", resp.StatusCode, w.status)
			}
			if got := resp.Header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q", got)
			}
			if got := resp.Header.Get("X-Lab-Scenario"); got != s.ID {
				t.Errorf("X-Lab-Scenario = %q", got)
			}
			if got := resp.Header.Get("Content-Type"); !strings.HasPrefix(got, w.ctype) {
				t.Errorf("Content-Type = %q, want %q", got, w.ctype)
			}
			for k, v := range w.headers {
				if got := resp.Header.Values(k); !slices.Equal(got, v) {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if strings.HasPrefix(w.ctype, "text/html") && resp.StatusCode != http.StatusFound {
				checkHTML5(t, body)
			}
			for _, sub := range w.body {
				if !strings.Contains(body, sub) {
					t.Errorf("body lacks %q", sub)
				}
			}
		})
	}
}

func checkHTML5(t *testing.T, body string) {
	t.Helper()
	for _, sub := range []string{"<!DOCTYPE html>\n", `<meta charset="utf-8">`, "<title>", "</html>"} {
		if !strings.Contains(body, sub) {
			t.Errorf("not a complete HTML5 page: lacks %q", sub)
		}
	}
	if !strings.HasPrefix(body, "<!DOCTYPE html>") {
		t.Error("page does not start with the HTML5 doctype")
	}
}

func TestIndex(t *testing.T) {
	_, ts := newTestLab(t)
	resp, body := get(t, ts.URL+"/", nil)
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("status %d, Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	checkHTML5(t, body)
	for _, s := range Scenarios() {
		subs := []string{`href="` + s.Path() + `"`, s.Expect}
		if s.FixedBy != "" {
			subs = append(subs, "fixed by: "+s.FixedBy)
		}
		o := s.Options
		for _, v := range []string{o.Path, o.User, o.Password, o.BearerToken, o.LoginURL} {
			if v != "" {
				subs = append(subs, "<code>"+html.EscapeString(v)+"</code>")
			}
		}
		if o.NeedsProxy {
			subs = append(subs, "<code>--proxy</code>")
		}
		for _, sub := range subs {
			if !strings.Contains(body, sub) {
				t.Errorf("index lacks %q for %s", sub, s.ID)
			}
		}
	}
	for _, external := range []string{"src=", `href="http`, "url(", "@import"} {
		if strings.Contains(body, external) {
			t.Errorf("index loads something: found %q", external)
		}
	}
}

func TestRouting(t *testing.T) {
	_, ts := newTestLab(t)
	tests := []struct {
		path     string
		status   int
		location string
	}{
		{"/s/basic", http.StatusMovedPermanently, "/s/basic/"},
		{"/s/basic?x=1", http.StatusMovedPermanently, "/s/basic/?x=1"},
		{"/s/nope/", http.StatusNotFound, ""},
		{"/s/healthy/extra", http.StatusNotFound, ""},
		{"/s/subresource/api/other", http.StatusNotFound, ""},
		{"/elsewhere", http.StatusNotFound, ""},
		{"/favicon.ico", http.StatusNoContent, ""},
	}
	for _, tt := range tests {
		resp, _ := get(t, ts.URL+tt.path, nil)
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d", tt.path, resp.StatusCode, tt.status)
		}
		if got := resp.Header.Get("Location"); got != tt.location {
			t.Errorf("%s: Location %q, want %q", tt.path, got, tt.location)
		}
	}
	resp, err := http.Post(ts.URL+"/", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /: status %d", resp.StatusCode)
	}
}

func TestBasic(t *testing.T) {
	_, ts := newTestLab(t)
	tests := []struct {
		user, pass string
		status     int
	}{
		{"alice", "wonderland", 200},
		{"alice", "Wonderland", 401},
		{"bob", "wonderland", 401},
		{"", "", 401},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/s/basic/", nil)
		req.SetBasicAuth(tt.user, tt.pass)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("%s:%s: status %d, want %d", tt.user, tt.pass, resp.StatusCode, tt.status)
		}
		hasChallenge := resp.Header.Get("WWW-Authenticate") != ""
		if hasChallenge != (tt.status == 401) {
			t.Errorf("%s:%s: WWW-Authenticate present = %v", tt.user, tt.pass, hasChallenge)
		}
		if tt.status == 200 && !strings.Contains(string(body), "<h1>Q3 reports</h1>") {
			t.Errorf("success page lacks Q3 reports: %s", body)
		}
	}
}

func TestBearer(t *testing.T) {
	_, ts := newTestLab(t)
	for _, path := range []string{"/s/bearer/", "/s/subresource/api/me"} {
		tests := []struct {
			auth   string
			status int
		}{
			{"Bearer lab-token-ok", 200},
			{"bearer lab-token-ok", 200}, // the scheme is case-insensitive
			{"Bearer lab-token-expired", 401},
			{"Basic YWxpY2U6d29uZGVybGFuZA==", 401},
			{"", 401},
		}
		for _, tt := range tests {
			resp, body := get(t, ts.URL+path, map[string]string{"Authorization": tt.auth})
			if resp.StatusCode != tt.status {
				t.Errorf("%s with %q: status %d, want %d", path, tt.auth, resp.StatusCode, tt.status)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("%s: Content-Type %q", path, ct)
			}
			if tt.status == 200 && !strings.Contains(body, `"user":"alice"`) {
				t.Errorf("%s: body %s", path, body)
			}
			if tt.status == 401 && !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
				t.Errorf("%s: WWW-Authenticate %q", path, resp.Header.Get("WWW-Authenticate"))
			}
		}
	}
}

func TestHitsAndReset(t *testing.T) {
	l, ts := newTestLab(t)
	get(t, ts.URL+"/s/subresource/", nil)
	get(t, ts.URL+"/s/subresource/api/me", nil)
	get(t, ts.URL+"/", nil)
	if got := l.Hits("subresource"); got != 2 {
		t.Errorf("Hits(subresource) = %d, want 2", got)
	}
	if got := l.count("x"); got != 1 {
		t.Errorf("count = %d, want 1", got)
	}
	l.Reset()
	if got := l.Hits("subresource"); got != 0 {
		t.Errorf("after Reset: Hits = %d", got)
	}
	if got := l.count("x"); got != 1 {
		t.Errorf("after Reset: count = %d, want 1", got)
	}
}

// startHang requests the hanging page and returns once its headers and first
// chunk have arrived; the body is then read in the background.
func startHang(t *testing.T, client *http.Client, url string) (first string, done <-chan error) {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	buf := make([]byte, len(hangHead))
	if _, err := io.ReadFull(resp.Body, buf); err != nil {
		t.Fatalf("first chunk: %v", err)
	}
	ch := make(chan error, 1)
	go func() {
		defer resp.Body.Close()
		_, err := io.Copy(io.Discard, resp.Body)
		ch <- err
	}()
	return string(buf), ch
}

func TestHangClientTimeout(t *testing.T) {
	_, ts := newTestLab(t)
	client := &http.Client{Timeout: 300 * time.Millisecond}
	resp, err := client.Get(ts.URL + "/s/hang/")
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("want a timeout error, got %v", err)
	}
	// The handler must notice the client left on its own, without Close:
	// httptest.Server.Close waits for every handler.
	closed := make(chan struct{})
	go func() { ts.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(failAfter):
		t.Fatal("hanging handler outlived its client")
	}
}

func TestCloseReleasesHang(t *testing.T) {
	l, ts := newTestLab(t)
	first, done := startHang(t, &http.Client{}, ts.URL+"/s/hang/")
	if first != hangHead {
		t.Errorf("first chunk = %q", first)
	}
	select {
	case err := <-done:
		t.Fatalf("hang page finished before Close: %v", err)
	default:
	}
	l.Close()
	select {
	case err := <-done:
		// An aborted connection, not a clean end of body: the page
		// must never look complete.
		if err == nil {
			t.Error("hang page ended cleanly; want an aborted body")
		}
	case <-time.After(failAfter):
		t.Fatal("Close did not release the hanging request")
	}
	l.Close() // idempotent

	// After Close, a new hang request ends at once as well.
	_, done = startHang(t, &http.Client{}, ts.URL+"/s/hang/")
	select {
	case <-done:
	case <-time.After(failAfter):
		t.Fatal("hang request after Close did not end")
	}
}

func TestListen(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", "10.0.0.1:0", ":0", "[::]:0", "example.com:0", "192.168.1.10:8080"} {
		ln, err := Listen(addr)
		if err == nil {
			ln.Close()
			t.Errorf("Listen(%q) succeeded", addr)
			continue
		}
		want := "lab: refusing to listen on " + addr + ": the lab serves only loopback"
		if err.Error() != want {
			t.Errorf("Listen(%q) = %q, want %q", addr, err, want)
		}
	}
	if _, err := Listen("127.0.0.1"); err == nil {
		t.Error("Listen without a port succeeded")
	}

	for _, addr := range []string{"127.0.0.1:0", "localhost:0", "[::1]:0"} {
		ln, err := Listen(addr)
		if err != nil {
			if addr == "[::1]:0" {
				t.Logf("skipping ::1: %v", err)
				continue
			}
			t.Errorf("Listen(%q): %v", addr, err)
			continue
		}
		ln.Close()
	}

	for host, want := range map[string]bool{
		"127.0.0.1": true, "127.8.9.10": true, "::1": true, "::ffff:127.0.0.1": true, "LOCALHOST": true,
		"0.0.0.0": false, "::": false, "": false, "128.0.0.1": false, "localhost.example": false,
	} {
		if got := isLoopbackHost(host); got != want {
			t.Errorf("isLoopbackHost(%q) = %v", host, got)
		}
	}
}

func TestServe(t *testing.T) {
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := New()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, ln, l) }()

	base := "http://" + ln.Addr().String()
	resp, _ := get(t, base+"/s/healthy/", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("healthy: status %d", resp.StatusCode)
	}
	_, hang := startHang(t, &http.Client{}, base+"/s/hang/")

	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve = %v, want nil", err)
		}
	case <-time.After(failAfter):
		t.Fatal("Serve did not return after cancel while a hang request was open")
	}
	select {
	case <-hang:
	case <-time.After(failAfter):
		t.Fatal("hang request still open after Serve returned")
	}
	if _, err := http.Get(base + "/"); err == nil {
		t.Error("server still answers after Serve returned")
	}
}

func TestServeListenerError(t *testing.T) {
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	if err := Serve(context.Background(), ln, New()); err == nil {
		t.Error("Serve on a closed listener returned nil")
	}
}

// TestConcurrent exists for -race: many clients on the stateful scenarios at
// once.
func TestConcurrent(t *testing.T) {
	l, ts := newTestLab(t)
	for i := range 16 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			alg := digestAlgorithms[i%2]
			if st := digestLogin(t, ts.URL, alg, labPassword); st != 200 {
				t.Errorf("digest %s: status %d", alg, st)
			}
			req, _ := http.NewRequest(http.MethodGet, ts.URL+"/s/basic/", nil)
			req.SetBasicAuth(labUser, labPassword)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("basic: status %d", resp.StatusCode)
			}
			_ = l.Hits("digest")
			_ = l.count("concurrent")
		})
	}
}

func TestGradeComparesTheWholeOutcome(t *testing.T) {
	byID := map[string]Scenario{}
	for _, s := range Scenarios() {
		if s.Outcome == "" {
			t.Errorf("%s: no expected outcome", s.ID)
		}
		if (s.FixedBy != "") != (s.Outcome == "fixed") {
			t.Errorf("%s: outcome %s with FixedBy %q", s.ID, s.Outcome, s.FixedBy)
		}
		byID[s.ID] = s
	}
	neg, rec := byID["negotiate"], byID["recycle"]
	for _, tt := range []struct {
		s                      Scenario
		outcome, kind, fixedBy string
		findings               []string
		want                   string
	}{
		{neg, "unresolved", "http_401", "", []string{"negotiate_not_allowed"}, ""},
		// What the machine's own tickets add is allowed, not required.
		{neg, "unresolved", "http_401", "", []string{"negotiate_not_allowed", "negotiate_no_ticket"}, ""},
		{neg, "unresolved", "http_401", "", []string{"negotiate_not_allowed", "rate_limited"}, "findings [negotiate_not_allowed rate_limited], expected [negotiate_not_allowed]"},
		// Must stay unresolved: "fixed" by any step is a failure.
		{neg, "fixed", "http_401", "reload", []string{"negotiate_not_allowed"}, "outcome fixed, expected unresolved; fixed by reload, expected no step"},
		{rec, "fixed", "http_401", "reload", []string{"rate_limited"}, ""},
		{rec, "fixed", "http_401", "reload", nil, "findings [], expected [rate_limited]"},
		{rec, "fixed", "soft_401", "clear-cache", []string{"rate_limited", "intermittent"},
			"kind soft_401, expected http_401; fixed by clear-cache, expected reload; findings [intermittent rate_limited], expected [rate_limited]"},
	} {
		if got := tt.s.Grade(tt.outcome, tt.kind, tt.fixedBy, tt.findings); got != tt.want {
			t.Errorf("%s: Grade = %q, want %q", tt.s.ID, got, tt.want)
		}
	}
}
