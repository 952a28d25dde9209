package lab

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fix401/fix401/internal/judge"
	"github.com/fix401/fix401/internal/urlfix"
)

// The tests here play each remedy with net/http: a cookie jar stands for
// the browser's cookies, a new http.Transport for a new browser process
// (new connections), a client with Proxy set for "another network".

// browserLike is a client that keeps cookies and connections, as one
// browser profile does; it does not follow redirects unless follow is set.
func browserLike(t *testing.T, follow bool) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	// One connection, as a browser reuses its keep-alive socket.
	tr := &http.Transport{Proxy: nil, MaxConnsPerHost: 1}
	t.Cleanup(tr.CloseIdleConnections)
	c := &http.Client{Jar: jar, Transport: tr, Timeout: failAfter}
	if !follow {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return c
}

func do(t *testing.T, c *http.Client, method, url string, header map[string]string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func wantStatus(t *testing.T, what string, resp *http.Response, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("%s: status %d, want %d", what, resp.StatusCode, status)
	}
}

func scenario(t *testing.T, id string) Scenario {
	t.Helper()
	for _, s := range Scenarios() {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("no scenario %q", id)
	return Scenario{}
}

// judged is what fix401's judge makes of a document fetched here, without
// a browser: no subrequests, no JavaScript.
func judged(reqURL string, resp *http.Response, body string, redirected bool) judge.Verdict {
	p := judge.FromHTML(body)
	p.URL, p.FinalURL = reqURL, resp.Request.URL.String()
	p.Status, p.Redirected, p.Header = resp.StatusCode, redirected, resp.Header
	p.ContentType = resp.Header.Get("Content-Type")
	return judge.Judge(p)
}

// TestHealthyPagesJudgeHealthy checks that the page each remedy finally
// reaches is not itself mistaken for a failure (a "Sign in" link, a
// "Welcome back", a "Signed in as").
func TestHealthyPagesJudgeHealthy(t *testing.T) {
	_, ts := newTestLab(t)
	pages := map[string]func(*http.Client) string{
		"url-typo root":   func(*http.Client) string { return "/s/url-typo/" },
		"url-typo fixed":  func(*http.Client) string { return "/s/url-typo/reports/q3" },
		"stale-cache":     func(*http.Client) string { return "/s/stale-cache/" },
		"stale-token":     func(*http.Client) string { return "/s/stale-token/" },
		"stale-cookie":    func(c *http.Client) string { return "/s/stale-cookie/" },
		"form-login done": func(c *http.Client) string { login(t, c, ts.URL, labPassword); return "/s/form-login/" },
	}
	for name, path := range pages {
		t.Run(name, func(t *testing.T) {
			c := browserLike(t, true)
			p := path(c)
			resp, body := do(t, c, "GET", ts.URL+p, nil, nil)
			wantStatus(t, p, resp, 200)
			if v := judged(ts.URL+p, resp, body, false); !v.OK {
				t.Errorf("judged %s: %s", v.Kind, v.Reason)
			}
		})
	}
}

func TestURLTypo(t *testing.T) {
	_, ts := newTestLab(t)
	s := scenario(t, "url-typo")
	target := s.Target(ts.URL)
	if !strings.HasSuffix(target, "/s/url-typo/reports/q3).") {
		t.Fatalf("Target = %q", target)
	}
	if u, err := url.Parse(target); err != nil || u.Path != "/s/url-typo/reports/q3)." {
		t.Fatalf("Go's URL parsing changed the target: %v, %v", u, err)
	}

	c := browserLike(t, false)
	for _, p := range []string{target, ts.URL + "/s/url-typo/reports/q3%29.", ts.URL + "/s/url-typo/reports/", ts.URL + "/s/url-typo/login", ts.URL + "/s/url-typo/anything/at/all"} {
		resp, _ := do(t, c, "GET", p, nil, nil)
		wantStatus(t, p, resp, 401)
		if got := resp.Header.Get("WWW-Authenticate"); got != `Basic realm="Lab Intranet"` {
			t.Errorf("%s: WWW-Authenticate %q", p, got)
		}
	}

	// url-check's first candidate is the fix.
	cands := urlfix.Candidates(target)
	if len(cands) == 0 || cands[0].URL != ts.URL+"/s/url-typo/reports/q3" {
		t.Fatalf("candidates %v", cands)
	}
	resp, body := do(t, c, "GET", cands[0].URL, nil, nil)
	wantStatus(t, "corrected URL", resp, 200)
	if !strings.Contains(body, "<h1>Q3 report</h1>") {
		t.Errorf("Q3 page: %s", body)
	}

	// Without the fix, the walk up finds where the protected area starts
	// and a login link on the nearest public page.
	parents := urlfix.Parents(target)
	if len(parents) < 2 {
		t.Fatalf("parents %v", parents)
	}
	resp, _ = do(t, c, "GET", parents[0], nil, nil)
	wantStatus(t, parents[0], resp, 401)
	resp, body = do(t, c, "GET", parents[1], nil, nil)
	wantStatus(t, parents[1], resp, 200)
	if !regexp.MustCompile(`<a href="login">Sign in</a>`).MatchString(body) {
		t.Errorf("root has no Sign in link: %s", body)
	}

	// Signed in, the typo is a plain 404.
	auth := func(p string) *http.Response {
		req, _ := http.NewRequest("GET", ts.URL+p, nil)
		req.SetBasicAuth(labUser, labPassword)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for p, st := range map[string]int{"/s/url-typo/reports/q3).": 404, "/s/url-typo/reports/": 200, "/s/url-typo/login": 302} {
		if got := auth(p).StatusCode; got != st {
			t.Errorf("signed in, %s: status %d, want %d", p, got, st)
		}
	}
}

func TestRecycle(t *testing.T) {
	clk := &fakeClock{t: time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)}
	l, ts := newClockedLab(t, clk)
	url := scenario(t, "recycle").Target(ts.URL)
	// Requests below the page are 404s.
	resp, _ := get(t, url+"x", nil)
	wantStatus(t, "subpath", resp, 404)
	down := func(c *http.Client, what, retryAfter string) {
		t.Helper()
		resp, body := do(t, c, "GET", url, nil, nil)
		wantStatus(t, what, resp, 401)
		if got := resp.Header.Values("WWW-Authenticate"); !slices.Equal(got, []string{"Negotiate", "NTLM"}) {
			t.Errorf("%s: WWW-Authenticate %q", what, got)
		}
		if resp.Header.Get("Retry-After") != retryAfter || resp.Header.Get("Server") != "Microsoft-IIS/10.0" {
			t.Errorf("%s: Retry-After %q, want %q; headers %v", what, resp.Header.Get("Retry-After"), retryAfter, resp.Header)
		}
		if !strings.Contains(body, "HTTP Error 401.1 - Unauthorized") || judge.IISSubstatus(judge.FromHTML(body).Text) != "401.1" {
			t.Errorf("%s: not an IIS 401.1 page: %s", what, body)
		}
	}
	up := func(c *http.Client, what string) {
		t.Helper()
		resp, body := do(t, c, "GET", url, nil, nil)
		wantStatus(t, what, resp, 200)
		if !strings.Contains(body, "<h1>Dashboard</h1>") {
			t.Errorf("%s: body %s", what, body)
		}
	}
	first := browserLike(t, false)
	down(first, "first load", "3")
	// Any number of loads inside the window fails: only time heals it.
	for i := range 10 {
		down(first, fmt.Sprintf("load %d in the window", i+2), "3")
	}
	clk.Advance(1500 * time.Millisecond)
	down(first, "1.5 s later", "2")
	clk.Advance(recycleWindow / 2)
	up(first, "after the announced wait")
	up(first, "and then")
	// Another browser meets the recycle again: the lab can be used again.
	second := browserLike(t, false)
	down(second, "a second browser", "3")
	up(first, "the first browser meanwhile")
	l.Reset()
}

// newClockedLab serves a new lab on a test server that tells it when
// connections close, with a fake clock when clk is set (before the server
// exists, so that no handler can race with it).
func newClockedLab(t *testing.T, clk *fakeClock) (*Lab, *httptest.Server) {
	t.Helper()
	l := New()
	if clk != nil {
		l.now = clk.Now
	}
	ts := httptest.NewUnstartedServer(l.Handler())
	ts.Config.ConnState = l.ConnState
	ts.Start()
	// Cleanups run last-in first-out: release hanging pages before the
	// server waits for its handlers.
	t.Cleanup(ts.Close)
	t.Cleanup(l.Close)
	return l, ts
}

func TestStaleCache(t *testing.T) {
	_, ts := newTestLab(t)
	base := ts.URL + "/s/stale-cache/"
	// Each browser's first app.js is the old build; the next ones (after
	// its cache was cleared) are the new one.
	for round := range 2 {
		c := browserLike(t, false)
		resp, body := do(t, c, "GET", base, nil, nil)
		wantStatus(t, "page", resp, 200)
		if resp.Header.Get("Cache-Control") != "no-store" || !strings.Contains(body, `<script src="app.js"></script>`) {
			t.Fatalf("page: %v\n%s", resp.Header, body)
		}
		for i, want := range []string{`fetch("api/v1/me")`, `fetch("api/v2/me")`, `fetch("api/v2/me")`} {
			resp, js := do(t, c, "GET", base+"app.js", nil, nil)
			wantStatus(t, "app.js", resp, 200)
			if !strings.Contains(js, want) {
				t.Errorf("browser %d, app.js #%d lacks %s:\n%s", round+1, i+1, want, js)
			}
			if got := resp.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
				t.Errorf("app.js Cache-Control %q", got)
			}
			for _, v := range []string{"ETag", "Last-Modified", "Expires", "Vary"} {
				if resp.Header.Get(v) != "" {
					t.Errorf("app.js has %s: a validator would let the browser revalidate", v)
				}
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/javascript; charset=utf-8" {
				t.Errorf("app.js Content-Type %q", ct)
			}
		}
	}
	var body string
	resp, _ := get(t, base+"api/v1/me", nil)
	wantStatus(t, "api/v1/me", resp, 401)
	if got := resp.Header.Get("WWW-Authenticate"); got != `Bearer realm="lab-api", error="invalid_token", error_description="API v1 was retired"` {
		t.Errorf("WWW-Authenticate %q", got)
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Error("the API answer may be cached")
	}
	resp, body = get(t, base+"api/v2/me", nil)
	wantStatus(t, "api/v2/me", resp, 200)
	if !strings.Contains(body, `"user":"alice"`) {
		t.Errorf("api/v2/me: %s", body)
	}
	resp, _ = get(t, base+"api/v3/me", nil)
	wantStatus(t, "api/v3/me", resp, 404)
}

// withStartingCookies is a browser that has the scenario's starting
// cookies, as --cookies gives them.
func withStartingCookies(t *testing.T, s Scenario, base string) *http.Client {
	t.Helper()
	c := browserLike(t, false)
	u, _ := url.Parse(base + s.Path())
	var cs []*http.Cookie
	for n, v := range s.Options.Cookies {
		cs = append(cs, &http.Cookie{Name: n, Value: v, Path: s.Path()})
	}
	c.Jar.SetCookies(u, cs)
	return c
}

func TestStaleCookie(t *testing.T) {
	l, ts := newTestLab(t)
	s := scenario(t, "stale-cookie")
	target := s.Target(ts.URL)

	// The user's browser with last year's cookie: every load fails.
	c := withStartingCookies(t, s, ts.URL)
	for i := range 3 {
		resp, body := do(t, c, "GET", target, nil, nil)
		wantStatus(t, fmt.Sprintf("with the old cookie, load %d", i), resp, 401)
		if resp.Header.Get("WWW-Authenticate") != "" || !strings.Contains(body, "Your session has expired") {
			t.Errorf("401: %v\n%s", resp.Header, body)
		}
	}
	// Cleared cookies: a new session, which then holds.
	cleared := sameBrowserNewJar(t, c)
	for i := range 3 {
		resp, body := do(t, cleared, "GET", target, nil, nil)
		wantStatus(t, fmt.Sprintf("after clearing cookies, load %d", i), resp, 200)
		if !strings.Contains(body, "Welcome back") {
			t.Errorf("body %s", body)
		}
		if sc := resp.Header.Get("Set-Cookie"); (sc != "") != (i == 0) || (i == 0 && !strings.HasPrefix(sc, "lab_session=fresh-")) {
			t.Errorf("load %d: Set-Cookie %q", i, sc)
		}
	}
	// A fresh profile has no old cookie: healthy. The user's browser,
	// again: failing again. The lab can be used again.
	resp, _ := do(t, browserLike(t, false), "GET", target, nil, nil)
	wantStatus(t, "a fresh profile", resp, 200)
	resp, _ = do(t, withStartingCookies(t, s, ts.URL), "GET", target, nil, nil)
	wantStatus(t, "the user's browser again", resp, 401)
	l.Reset()
	resp, _ = get(t, target, map[string]string{"Cookie": "lab_session=fresh-made-up"})
	wantStatus(t, "forged session", resp, 401)
	// The starting cookies, for --cookies.
	resp, body := get(t, ts.URL+s.Path()+"cookies.txt", nil)
	wantStatus(t, "cookies.txt", resp, 200)
	if !strings.Contains(body, "\t/s/stale-cookie/\tFALSE\t0\tlab_session\texpired-2024\n") {
		t.Errorf("cookies.txt:\n%s", body)
	}
}

// sameBrowserNewJar is c after clearing its cookies: the same connections,
// an empty cookie jar.
func sameBrowserNewJar(t *testing.T, c *http.Client) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	n := *c
	n.Jar = jar
	return &n
}

var tokenJSON = regexp.MustCompile(`^\{"token":"(fresh-[A-Za-z0-9_-]+)"\}\n$`)

func TestStaleToken(t *testing.T) {
	l, ts := newTestLab(t)
	sc := scenario(t, "stale-token")
	base := ts.URL + "/s/stale-token/"
	plant := `localStorage.setItem(KEY, "stale-token-2024")`
	// The user's browser, with the old app's cookie: its page plants the
	// old token; a fresh profile or cleared site data has no such cookie.
	c := withStartingCookies(t, sc, ts.URL)
	_, first := do(t, c, "GET", base, nil, nil)
	_, second := do(t, browserLike(t, false), "GET", base, nil, nil)
	if !strings.Contains(first, plant) || strings.Contains(second, plant) {
		t.Errorf("only the user's browser gets the stale token:\nuser's: %v, fresh: %v", strings.Contains(first, plant), strings.Contains(second, plant))
	}
	for _, sub := range []string{`x.open("GET", "api/token", false)`, `fetch("api/me", {headers: {Authorization: "Bearer " + token}})`, "Could not load your profile"} {
		if !strings.Contains(second, sub) {
			t.Errorf("page lacks %q", sub)
		}
	}
	// The script sits at the end of the body, so it runs before the load event.
	if i, j := strings.Index(second, "<script>"), strings.Index(second, "</main>"); i < j {
		t.Error("the script must come after the page content")
	}

	resp, body := get(t, base+"api/token", nil)
	wantStatus(t, "api/token", resp, 200)
	m := tokenJSON.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("api/token: %q", body)
	}
	for _, tt := range []struct {
		auth   string
		status int
	}{
		{"Bearer " + m[1], 200},
		{"bearer " + m[1], 200},
		{"Bearer stale-token-2024", 401},
		{"Bearer fresh-never-issued", 401},
		{"Bearer lab-token-ok", 401},
		{"", 401},
	} {
		resp, body := get(t, base+"api/me", map[string]string{"Authorization": tt.auth})
		wantStatus(t, "api/me with "+tt.auth, resp, tt.status)
		if tt.status == 401 && !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Errorf("WWW-Authenticate %q", resp.Header.Get("WWW-Authenticate"))
		}
		if tt.status == 200 && !strings.Contains(body, `"user":"alice"`) {
			t.Errorf("api/me: %s", body)
		}
	}
	l.Reset()
	if _, p := do(t, c, "GET", base, nil, nil); !strings.Contains(p, plant) {
		t.Error("after Reset, the user's browser is not planted")
	}
	if resp, _ := get(t, base+"api/me", map[string]string{"Authorization": "Bearer " + m[1]}); resp.StatusCode != 401 {
		t.Error("a token issued before Reset still works")
	}
}

// connClient is one "browser process": its own transport, so its own
// keep-alive connections.
func connClient(t *testing.T) *http.Client {
	// One connection at most, so that it is always the one reused: a
	// transport may otherwise dial a spare while the first is returned to
	// its pool, and use the spare next.
	tr := &http.Transport{Proxy: nil, MaxConnsPerHost: 1}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: failAfter}
}

func TestConnBound(t *testing.T) {
	l, ts := newTestLab(t)
	url := scenario(t, "conn-bound").Target(ts.URL)
	load := func(c *http.Client) (int, string) {
		resp, body := do(t, c, "GET", url, nil, nil)
		return resp.StatusCode, body
	}
	for run := range 2 {
		stuck := connClient(t)
		st, body := load(stuck)
		if st != 401 || !strings.Contains(body, "HTTP Error 401.1 - Unauthorized") {
			t.Fatalf("run %d, first load: %d\n%s", run, st, body)
		}
		resp, _ := do(t, stuck, "GET", url, nil, nil)
		if got := resp.Header.Get("WWW-Authenticate"); got != "NTLM" {
			t.Errorf("WWW-Authenticate %q", got)
		}
		if resp.Close {
			t.Error("the server closes the connection; the point is that it stays open")
		}
		// Reloads and cleared caches reuse the connection: stuck, however
		// many loads.
		for range 5 {
			if st, _ := load(stuck); st != 401 {
				t.Fatalf("same connection: %d, want 401", st)
			}
		}
		// A new browser process beside the old one: a new connection, healthy.
		fresh := connClient(t)
		for range 3 {
			st, body := load(fresh)
			if st != 200 || !strings.Contains(body, "<h1>Timesheets</h1>") {
				t.Fatalf("new connection: %d\n%s", st, body)
			}
		}
		if st, _ := load(stuck); st != 401 {
			t.Errorf("the stuck connection recovered: %d", st)
		}
		// Both browsers quit: the next run meets the failure again.
		stuck.Transport.(*http.Transport).CloseIdleConnections()
		fresh.Transport.(*http.Transport).CloseIdleConnections()
		waitForgotten(t, l)
	}
}

// waitForgotten waits until the lab has seen every connection close.
func waitForgotten(t *testing.T, l *Lab) {
	t.Helper()
	deadline := time.Now().Add(failAfter)
	for {
		l.mu.Lock()
		n := len(l.conns.bound)
		l.mu.Unlock()
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the lab still holds %d connections", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// login posts the form as a browser does and returns the final response.
func login(t *testing.T, c *http.Client, base, password string) (*http.Response, string) {
	t.Helper()
	return do(t, c, "POST", base+"/s/form-login/login", nil, url.Values{
		"next": {"/s/form-login/"}, "username": {labUser}, "password": {password},
	})
}

func TestFormLogin(t *testing.T) {
	_, ts := newTestLab(t)
	s := scenario(t, "form-login")
	target, loginURL := s.Target(ts.URL), s.LoginTarget(ts.URL)
	if loginURL != ts.URL+"/s/form-login/login" {
		t.Fatalf("LoginTarget = %q", loginURL)
	}

	// Without a session: redirected to the form, which the judge calls a
	// soft 401.
	c := browserLike(t, true)
	resp, body := do(t, c, "GET", target, nil, nil)
	wantStatus(t, "first load", resp, 200)
	if got := resp.Request.URL.String(); got != ts.URL+"/s/form-login/login?next=%2Fs%2Fform-login%2F" {
		t.Errorf("landed on %s", got)
	}
	for _, sub := range []string{"<title>Sign in</title>", "<h1>Sign in to Lab Portal</h1>", `<form method="post" action="login">`,
		`name="username"`, `<input type="password" id="password" name="password"`, `<button type="submit">Sign in</button>`,
		`<input type="hidden" name="next" value="/s/form-login/">`} {
		if !strings.Contains(body, sub) {
			t.Errorf("login page lacks %q", sub)
		}
	}
	if v := judged(target, resp, body, true); v.Kind != judge.Soft401 {
		t.Errorf("judged %s (%s), want soft_401", v.Kind, v.Reason)
	}

	// A wrong password: the form again, with a message, status 200.
	resp, body = login(t, c, ts.URL, "Wonderland")
	wantStatus(t, "wrong password", resp, 200)
	if !strings.Contains(body, "Invalid user name or password") || !strings.Contains(body, `type="password"`) {
		t.Errorf("wrong password page: %s", body)
	}
	resp, _ = do(t, c, "GET", target, nil, nil)
	if resp.Request.URL.Path != "/s/form-login/login" {
		t.Errorf("signed in with a wrong password")
	}

	// The right one: a session cookie and back to next.
	raw := browserLike(t, false)
	resp, _ = login(t, raw, ts.URL, labPassword)
	wantStatus(t, "right password", resp, 302)
	if got := resp.Header.Get("Location"); got != "/s/form-login/" {
		t.Errorf("Location %q", got)
	}
	if sc := resp.Header.Get("Set-Cookie"); !strings.HasPrefix(sc, "lab_auth=") || !strings.Contains(sc, "Path=/s/form-login/") || !strings.Contains(sc, "HttpOnly") {
		t.Errorf("Set-Cookie %q", sc)
	}
	resp, body = login(t, c, ts.URL, labPassword)
	wantStatus(t, "signed in", resp, 200)
	if resp.Request.URL.Path != "/s/form-login/" || !strings.Contains(body, "<h1>Lab Portal</h1>") {
		t.Errorf("after sign-in: %s\n%s", resp.Request.URL, body)
	}
	resp, _ = do(t, c, "GET", target, nil, nil)
	if resp.Request.URL.Path != "/s/form-login/" {
		t.Error("the session does not hold")
	}

	// A forged cookie is no session; next cannot leave the scenario.
	resp, _ = get(t, target, map[string]string{"Cookie": "lab_auth=forged"})
	wantStatus(t, "forged cookie", resp, 302)
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/s/basic/", "/s/form-login/\r\nX: y"} {
		resp, _ := do(t, browserLike(t, false), "POST", loginURL, nil, url.Values{"next": {next}, "username": {labUser}, "password": {labPassword}})
		if got := resp.Header.Get("Location"); got != "/s/form-login/" {
			t.Errorf("next %q: Location %q", next, got)
		}
	}
	resp, _ = get(t, ts.URL+"/s/form-login/other", nil)
	wantStatus(t, "other page", resp, 404)
}

// loopback2 skips the test where 127.0.0.2 is not configured (macOS).
func loopback2(t *testing.T, addr string) {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: proxySource}, Timeout: failAfter}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Skipf("cannot connect from %s: %v", proxySource, err)
	}
	c.Close()
}

func newTestProxy(t *testing.T) (*Proxy, *url.URL) {
	t.Helper()
	p := NewProxy()
	ps := httptest.NewServer(p)
	t.Cleanup(ps.Close)
	t.Cleanup(p.Close)
	u, _ := url.Parse(ps.URL)
	return p, u
}

func TestIPBlocked(t *testing.T) {
	_, ts := newTestLab(t)
	loopback2(t, ts.Listener.Addr().String())
	_, pu := newTestProxy(t)
	target := scenario(t, "ip-blocked").Target(ts.URL)

	resp, body := get(t, target, nil)
	wantStatus(t, "direct", resp, 401)
	if resp.Header.Get("WWW-Authenticate") != "Negotiate" || judge.IISSubstatus(judge.FromHTML(body).Text) != "401.503" {
		t.Errorf("direct: %v\n%s", resp.Header, body)
	}
	// Credentials change nothing: it is the address.
	resp, _ = get(t, target, map[string]string{"Authorization": "Negotiate TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw=="})
	wantStatus(t, "direct with credentials", resp, 401)

	tr := &http.Transport{Proxy: http.ProxyURL(pu)}
	defer tr.CloseIdleConnections()
	pc := &http.Client{Transport: tr, Timeout: failAfter}
	for i := range 2 {
		resp, body := do(t, pc, "GET", target, nil, nil)
		wantStatus(t, fmt.Sprintf("via proxy #%d", i), resp, 200)
		if !strings.Contains(body, "<h1>Branch office portal</h1>") {
			t.Errorf("via proxy: %s", body)
		}
		if v := judged(target, resp, body, false); !v.OK {
			t.Errorf("judged %s: %s", v.Kind, v.Reason)
		}
	}
	// Other lab pages go through unchanged.
	resp, _ = do(t, pc, "GET", ts.URL+"/s/basic/", nil, nil)
	wantStatus(t, "basic via proxy", resp, 401)

	// IPv6 loopback is not 127.0.0.1 either.
	if clientAddr(&http.Request{RemoteAddr: "[::1]:5555"}) == blockedAddr || clientAddr(&http.Request{RemoteAddr: "[::ffff:127.0.0.1]:5555"}) != blockedAddr {
		t.Error("clientAddr")
	}
}

func TestProxyRefuses(t *testing.T) {
	_, pu := newTestProxy(t)
	tests := []struct {
		name, method, target string
		status               int
	}{
		{"origin form", "GET", "/s/basic/", 400},
		{"not loopback", "GET", "http://192.0.2.1/", 403},
		{"not loopback by name", "GET", "http://example.com/", 403},
		{"not http", "GET", "ftp://127.0.0.1/", 400},
		{"connect elsewhere", "CONNECT", "192.0.2.1:443", 403},
		{"connect without port", "CONNECT", "127.0.0.1", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.DialTimeout("tcp", pu.Host, failAfter)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			host := "127.0.0.1"
			if tt.method == "CONNECT" {
				host = tt.target
			}
			fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", tt.method, tt.target, host)
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
			}
		})
	}
}

func TestProxyConnect(t *testing.T) {
	_, ts := newTestLab(t)
	loopback2(t, ts.Listener.Addr().String())
	p, pu := newTestProxy(t)

	conn, err := net.DialTimeout("tcp", pu.Host, failAfter)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(failAfter))
	lab := ts.Listener.Addr().String()
	// The request inside the tunnel goes in the same write as the CONNECT,
	// as clients that do not wait for the 200 send it.
	fmt.Fprintf(conn, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\nGET /s/ip-blocked/ HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", lab, lab, lab)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, &http.Request{Method: "CONNECT"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("CONNECT: status %d", resp.StatusCode)
	}
	resp, err = http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Branch office portal") {
		t.Errorf("through the tunnel: %d\n%s", resp.StatusCode, body)
	}

	// Close ends tunnels that are still open.
	conn2, err := net.DialTimeout("tcp", pu.Host, failAfter)
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close()
	_ = conn2.SetDeadline(time.Now().Add(failAfter))
	fmt.Fprintf(conn2, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", lab, lab)
	br2 := bufio.NewReader(conn2)
	if resp, err := http.ReadResponse(br2, &http.Request{Method: "CONNECT"}); err != nil || resp.StatusCode != 200 {
		t.Fatalf("second CONNECT: %v %v", resp, err)
	}
	p.Close()
	if _, err := br2.ReadByte(); err == nil {
		t.Error("the tunnel is still open after Close")
	}
}

func TestServeProxy(t *testing.T) {
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- ServeProxy(ctx, ln, NewProxy()) }()
	conn, err := net.DialTimeout("tcp", ln.Addr().String(), failAfter)
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("ServeProxy = %v", err)
		}
	case <-time.After(failAfter):
		t.Fatal("ServeProxy did not return")
	}
}

func TestReloginOptions(t *testing.T) {
	_, ts := newTestLab(t)
	for _, id := range []string{"basic", "digest", "bearer"} {
		s := scenario(t, id)
		if s.FixedBy != "relogin" {
			t.Errorf("%s: FixedBy %q", id, s.FixedBy)
		}
		switch id {
		case "basic":
			req, _ := http.NewRequest("GET", s.Target(ts.URL), nil)
			req.SetBasicAuth(s.Options.User, s.Options.Password)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			wantStatus(t, id, resp, 200)
		case "digest":
			if st := digestLogin(t, ts.URL, "SHA-256", s.Options.Password); st != 200 || s.Options.User != labUser {
				t.Errorf("digest with the options: %d", st)
			}
		case "bearer":
			resp, _ := get(t, s.Target(ts.URL), map[string]string{"Authorization": "Bearer " + s.Options.BearerToken})
			wantStatus(t, id, resp, 200)
		}
	}
}

// TestRemediesConcurrent exists for -race: the stateful scenarios under
// concurrent clients.
func TestRemediesConcurrent(t *testing.T) {
	_, ts := newTestLab(t)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			c := browserLike(t, true)
			for _, p := range []string{"recycle/", "stale-cache/app.js", "stale-cookie/", "stale-token/", "stale-token/api/token", "conn-bound/", "form-login/", "url-typo/x"} {
				resp, err := c.Get(ts.URL + "/s/" + p)
				if err != nil {
					t.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			if i%2 == 0 {
				resp, err := c.PostForm(ts.URL+"/s/form-login/login", url.Values{"username": {labUser}, "password": {labPassword}})
				if err != nil {
					t.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
}
