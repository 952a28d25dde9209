package reports

import (
	"bytes"
	"encoding/json"
	"flag"
	"github.com/fix401/fix401/steps"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// testClock is when every sample run started: the renderers print times
// from the report only, so the goldens do not depend on the day they run.
var testClock = time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)

// samplePNG is a tiny real PNG: the HTML sniffs the bytes before inlining.
func samplePNG(c color.RGBA) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 16, 9))
	for y := range 9 {
		for x := range 16 {
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

func sampleFiles() map[string][]byte {
	return map[string][]byte{
		"screenshots/00-reproduce-1.png":     samplePNG(color.RGBA{200, 60, 60, 255}),
		"screenshots/00-reproduce-2.png":     samplePNG(color.RGBA{200, 60, 60, 255}),
		"screenshots/01-reload.png":          samplePNG(color.RGBA{200, 120, 60, 255}),
		"screenshots/03-clear-cookies.png":   samplePNG(color.RGBA{60, 160, 80, 255}),
		"screenshots/03-clear-cookies-2.png": samplePNG(color.RGBA{60, 160, 80, 255}),
	}
}

func base(url string, outcome Outcome) *Report {
	return &Report{
		Schema: SchemaID, Tool: Tool{Name: "fix401", Version: "1.2.3"},
		Target: Target{URL: url, FinalURL: url},
		Environment: Environment{OS: "windows", Arch: "amd64", Browser: "Chrome/156.0.8078.79",
			BrowserLaunches: 1},
		StartedAt: testClock, Outcome: outcome, Steps: []Step{},
		Diagnosis: Diagnosis{Challenges: []Challenge{}, NextSteps: []string{}},
	}
}

func load(ok bool, kind string, status int, shot string) *Load {
	l := &Load{OK: ok, Kind: kind, Status: &status, URL: "https://intranet.example/reports/q3",
		FinalURL: "https://intranet.example/reports/q3", RemoteIP: new("10.0.0.7"), FromCache: new(false),
		DurationMS: 180}
	switch status {
	case 200:
		l.Reason = "the page answered 200 OK and nothing on it or in its requests points to an authentication failure"
	case 401:
		l.Reason = "the page answered 401 Unauthorized"
	case 403:
		l.Reason = "the page answered 403 Forbidden"
	}
	if shot != "" {
		l.Screenshot = new(shot)
	}
	return l
}

func sampleHealthy() *Report {
	r := base("https://intranet.example/reports/q3", Healthy)
	l := load(true, "none", 200, "screenshots/00-reproduce-1.png")
	l.Title = "Q3 reports"
	r.DurationMS = 842
	r.Steps = []Step{{ID: "reproduce", Title: "Reproduce", Result: Info, DurationMS: 842,
		Action: "Opened https://intranet.example/reports/q3 and reloaded it once.", Load: l,
		Evidence: map[string]any{"intermittent": false, "kinds": []string{"none", "none"}, "loads": 2}}}
	r.Diagnosis = Diagnosis{Kind: "none", Status: new(200), Challenges: []Challenge{},
		Summary: "The page loaded normally (200 OK); no authentication failure was reproduced from this machine with a clean browser.",
		NextSteps: []string{
			"If the user still sees 401, the cause is in their own browser state: run fix401 with --cookies (an export of their cookies) or --profile (a copy of their Chrome profile).",
			"Check that the user opens exactly the same URL: https://intranet.example/reports/q3",
		}}
	return r
}

func sampleFixed() *Report {
	r := base("https://intranet.example/reports/q3", Fixed)
	r.DurationMS = 3140
	r.FixedBy, r.Confirmed = new("clear-cookies"), new(true)
	r.Environment.CookiesFile = true
	failing := func(shot string) *Load {
		l := load(false, "http_401", 401, shot)
		l.StatusText = "Unauthorized"
		return l
	}
	fixed := load(true, "none", 200, "screenshots/03-clear-cookies.png")
	again := load(true, "none", 200, "screenshots/03-clear-cookies-2.png")
	r.Steps = []Step{
		{ID: "reproduce", Title: "Reproduce", Result: Failing, DurationMS: 412,
			Action:   "Opened https://intranet.example/reports/q3 and reloaded it once.",
			Load:     failing("screenshots/00-reproduce-1.png"),
			Loads:    []Load{*failing("screenshots/00-reproduce-1.png"), *failing("screenshots/00-reproduce-2.png")},
			Evidence: map[string]any{"intermittent": false, "kinds": []string{"http_401", "http_401"}, "loads": 2}},
		{ID: "reload", Title: "Reload", Result: StillFailing, DurationMS: 190, Action: "Reloaded the page (F5).",
			Load: failing("screenshots/01-reload.png")},
		{ID: "clear-cache", Title: "Clear the cache", Result: Skipped, SkipReason: new("left out with --skip clear-cache")},
		{ID: "clear-cookies", Title: "Clear cookies and site data", Result: StepFixed, DurationMS: 388,
			FixedPhrase: steps.ClearCookies{}.FixedPhrase(), Instructions: byHand(steps.ClearCookies{}), UserSide: true,
			Action: "Cleared \"Cookies and other site data\" for https://intranet.example, then opened the page again.",
			Load:   fixed, Loads: []Load{*fixed, *again},
			Evidence: map[string]any{"confirmed": true, "cookies_removed": []string{"ASP.NET_SessionId", "XSRF-TOKEN"},
				"origins": []string{"https://intranet.example"}}},
	}
	r.Diagnosis = Diagnosis{Kind: "http_401", Status: new(401), Header: "WWW-Authenticate",
		HeaderLines: []string{`Negotiate`, `NTLM`}, HeaderValid: new(true),
		Challenges: []Challenge{{Scheme: "Negotiate", Params: map[string]string{}}, {Scheme: "NTLM", Params: map[string]string{}}},
		Explanations: []string{"Negotiate: Windows integrated sign-in (Kerberos, falling back to NTLM)",
			"NTLM: Windows integrated sign-in (NTLM)"},
		Summary:   "The server answered 401 Unauthorized: it wants the browser to prove who the user is (Negotiate, NTLM). It was fixed by the step “Clear cookies and site data” (clear-cookies), and a second load confirmed it.",
		NextSteps: []string{"Do the same in the user's browser: Cleared \"Cookies and other site data\" for https://intranet.example, then opened the page again."}}
	r.Log = []LogLine{
		{Step: "reproduce", Level: "debug", Message: "step started", AtMS: 0},
		{Step: "clear-cookies", Level: "info", Message: "removed 2 cookies for https://intranet.example", AtMS: 2710},
		{Step: "clear-cookies", Level: "debug", Message: "step done", AtMS: 3098},
	}
	return r
}

func sampleUnresolved() *Report {
	r := base("https://intranet.example/reports/q3", Unresolved)
	r.DurationMS = 7480
	lines := []string{`Basic realm="Intranet", charset="UTF-8"`,
		`Bearer realm="api", error="invalid_token", error_description="The access token expired"`}
	failing := func(shot string) *Load {
		l := load(false, "http_401", 401, shot)
		l.StatusText = "Unauthorized"
		l.Title = "401 - Unauthorized: Access is denied due to invalid credentials."
		l.FailingRequests = []FailingRequest{{URL: "https://intranet.example/api/me?token=REDACTED", Method: "GET", Status: 401, Type: "XHR"}}
		return l
	}
	r.Steps = []Step{
		{ID: "reproduce", Title: "Reproduce", Result: Failing, DurationMS: 402,
			Action:   "Opened https://intranet.example/reports/q3 and reloaded it once.",
			Load:     failing("screenshots/00-reproduce-1.png"),
			Loads:    []Load{*failing("screenshots/00-reproduce-1.png"), *failing("screenshots/00-reproduce-2.png")},
			Evidence: map[string]any{"intermittent": false, "kinds": []string{"http_401", "http_401"}, "loads": 2}},
		{ID: "url-check", Title: "Check the URL", Result: StillFailing, DurationMS: 640,
			Action: "Checked the URL: it is well formed, and none of 1 corrected versions loads.",
			Evidence: map[string]any{"candidates": []map[string]any{{"url": "https://intranet.example/Reports/q3", "why": "path case", "kind": "http_401", "status": 401}},
				"protected_from": "https://intranet.example/reports/"}},
		{ID: "reload", Title: "Reload", Result: StillFailing, DurationMS: 30210,
			Action: "Waited 30 s as the server asked (Retry-After), then reloaded the page (F5).",
			Load:   failing("screenshots/02-reload.png"), Evidence: map[string]any{"retry_after_s": 30}},
		{ID: "clear-cookies", Title: "Clear cookies and site data", Result: StillFailing, DurationMS: 355,
			Action: "Cleared \"Cookies and other site data\" for https://intranet.example, then opened the page again.",
			Load:   failing("screenshots/03-clear-cookies.png")},
		{ID: "dns-flush", Title: "Flush DNS", Result: StepError, DurationMS: 25,
			Error: "ipconfig /flushdns: exit status 1"},
		{ID: "relogin", Title: "Sign in again", Result: Skipped,
			SkipReason: new("no credentials given (use --user with --password-stdin or FIX401_PASSWORD)")},
	}
	r.Diagnosis = Diagnosis{Kind: "http_401", Status: new(401), Header: "WWW-Authenticate",
		HeaderLines: lines, HeaderValid: new(true),
		Challenges: []Challenge{
			{Scheme: "Basic", Params: map[string]string{"realm": "Intranet", "charset": "UTF-8"}},
			{Scheme: "Bearer", Params: map[string]string{"realm": "api", "error": "invalid_token", "error_description": "The access token expired"}},
		},
		Explanations: []string{
			`Basic, realm "Intranet": the browser should ask for a user name and password (sent as UTF-8, so non-ASCII characters are fine)`,
			`Bearer error="invalid_token": the access token was rejected (expired, revoked or malformed) — sign in again to get a new one; server says "The access token expired"`,
		},
		Warnings:     []string{"the server offers Basic over a connection a proxy may see: prefer HTTPS end to end"},
		BearerError:  new("invalid_token"),
		BearerDesc:   new("The access token expired"),
		IISSubstatus: new("401.2"),
		IISMeaning:   "Logon failed due to server configuration: the server's authentication settings do not allow the way the browser tried to sign in.",
		RetryAfterS:  new(30),
		Summary:      "The server answered 401 Unauthorized: it wants the browser to prove who the user is (Basic realm \"Intranet\", Bearer realm \"api\"). Logon failed due to server configuration. None of the steps tried fixed it.",
		NextSteps: []string{
			"Sign in again with the right account (run fix401 with --user and --password-stdin, or --bearer-token-env, to test the credentials).",
			"Tell the site owner what IIS reports: Logon failed due to server configuration.",
		},
		Contact: &Contact{Webmaster: "webmaster@intranet.example", SecurityTxt: "https://intranet.example/.well-known/security.txt",
			Page: "https://intranet.example/contact", Emails: []string{"security@intranet.example"}},
		Findings: []Finding{
			{ID: FindingRateLimited, Severity: Warning, Title: "The server asks the browser to wait 30 s before trying again (Retry-After).",
				Evidence: map[string]any{"retry_after_s": 30}},
			{ID: FindingCredentialsRejected, Severity: Cause, Title: "The server refused the credentials that were supplied.",
				Detail:   "The user name, password or token is wrong, expired or locked, or the account cannot sign in here.",
				Evidence: map[string]any{"method": "http-challenge", "schemes": []string{"Basic"}, "user": "alice"}},
		},
	}
	r.Artifacts.Contact = "contact.md"
	return r
}

func sampleNotAuth() *Report {
	r := base("https://intranet.example/admin/", NotAuthFailure)
	r.DurationMS = 955
	f := func(shot string) Load {
		l := load(false, "forbidden_403", 403, shot)
		l.URL, l.FinalURL = "https://intranet.example/admin/", "https://intranet.example/admin/"
		return *l
	}
	first := f("screenshots/00-reproduce-1.png")
	r.Steps = []Step{{ID: "reproduce", Title: "Reproduce", Result: Failing, DurationMS: 955,
		Action: "Opened https://intranet.example/admin/ and reloaded it once.",
		Load:   &first, Loads: []Load{first, f("screenshots/00-reproduce-2.png")},
		Evidence: map[string]any{"intermittent": false, "kinds": []string{"forbidden_403", "forbidden_403"}, "loads": 2}}}
	r.Diagnosis = Diagnosis{Kind: "forbidden_403", Status: new(403), Challenges: []Challenge{},
		Summary: "The server answered 403 Forbidden: it knows who the user is (or does not care) and refuses access; signing in again or clearing the browser will not change that.",
		NextSteps: []string{
			"Ask the site owner to grant the user's account access; a 403 is a permission decision, not a sign-in problem.",
			"If nothing helps, contact the site owner (webmaster@intranet.example, or the Contact in https://intranet.example/.well-known/security.txt) with this report attached.",
		},
		Contact: &Contact{Webmaster: "webmaster@intranet.example", SecurityTxt: "https://intranet.example/.well-known/security.txt"}}
	return r
}

var samples = []struct {
	name string
	make func() *Report
}{
	{"healthy", sampleHealthy},
	{"fixed", sampleFixed},
	{"unresolved", sampleUnresolved},
	{"not_auth_failure", sampleNotAuth},
	{"sso_loop", sampleSSOLoop},
}

// sampleSSOLoop is a single sign-on whose session cookie the browser
// refuses: the sign-in page at first, then a loop once signed in.
func sampleSSOLoop() *Report {
	const app, idp = "app.example", "login.provider.test"
	r := base("https://app.example/dashboard/", Unresolved)
	r.Target.FinalURL = "https://login.provider.test/interaction/[redacted]"
	r.DurationMS = 5120
	signIn := load(false, "soft_401", 200, "screenshots/00-reproduce-1.png")
	signIn.URL, signIn.FinalURL, signIn.Title = r.Target.URL, r.Target.FinalURL, "Sign in"
	signIn.Reason = `the page sent the browser to sign in at login.provider.test (OpenID Connect), whose page reads "Sign in"`
	signIn.SignInHops = []Hop{
		{Host: app, Path: "/dashboard/", Method: "GET", Status: 302, Side: "app", CookiesSet: []string{"mod_auth_openidc_state_[redacted]"}},
		{Host: idp, Path: "/auth", Method: "GET", Status: 303, Side: "provider", Message: "OpenID Connect sign-in request", CookiesSet: []string{"_interaction", "_interaction.sig"}},
		{Host: idp, Path: "/interaction/[redacted]", Method: "GET", Status: 200, Side: "provider"},
	}
	loop := load(false, "soft_401", 302, "screenshots/01-relogin-2.png")
	loop.URL, loop.FinalURL = r.Target.URL, r.Target.URL
	loop.NetError = "net::ERR_TOO_MANY_REDIRECTS"
	loop.Reason = "the sign-in redirects between app.example and login.provider.test repeat without end (net::ERR_TOO_MANY_REDIRECTS)"
	for i := 0; i < 3; i++ {
		loop.SignInHops = append(loop.SignInHops,
			Hop{Host: app, Path: "/dashboard/", Method: "GET", Status: 302, Side: "app"},
			Hop{Host: idp, Path: "/auth", Method: "GET", Status: 303, Side: "provider", Message: "OpenID Connect sign-in request"},
			Hop{Host: app, Path: "/redirect_uri", Method: "GET", Status: 302, Side: "app", Message: "OAuth 2 answer from the provider",
				CookiesSet: []string{"mod_auth_openidc_session"}, CookiesRefused: []string{"mod_auth_openidc_session (not stored: NameValuePairExceedsMaxSize)"}})
	}
	r.Steps = []Step{
		{ID: "reproduce", Title: "Reproduce", Result: Failing, DurationMS: 512, Action: "Opened https://app.example/dashboard/ and reloaded it once.",
			Load: signIn, Loads: []Load{*signIn}},
		{ID: "relogin", Title: "Sign in again", Result: StillFailing, DurationMS: 2310,
			Action: `Opened the page, which sent the browser to login.provider.test, and signed in there as "carol", then opened the page again.`,
			Load:   loop, Loads: []Load{*signIn, *loop},
			Evidence: map[string]any{"method": "sso", "provider": idp, "protocol": "OpenID Connect", "pages": []string{"identifier", "password"}, "user": "carol"}},
	}
	r.Diagnosis = Diagnosis{Kind: "soft_401", Status: new(200), Challenges: []Challenge{}, NextSteps: []string{"Tell the app's administrators: the browser refuses its session cookie."},
		Summary: `The page sent the browser to sign in at login.provider.test (OpenID Connect), whose page reads "Sign in". None of the steps tried fixed it.`,
		Findings: []Finding{
			{ID: "sso_redirect_loop", Severity: Cause, Title: "The sign-in redirects between app.example and login.provider.test repeat until the browser gives up (6 rounds).",
				Evidence: map[string]any{"cycle": []string{"app.example/dashboard/", "login.provider.test/auth", "app.example/redirect_uri"}, "rounds": 6, "stopped_by": "browser"}},
			{ID: "cookie_blocked", Severity: Cause, Title: "The browser refused the cookie mod_auth_openidc_session (not stored): it is larger than the 4 KB browsers accept.",
				Evidence: map[string]any{"cookies": []map[string]any{{"name": "mod_auth_openidc_session", "domain": app, "refused": "not stored", "reasons": []string{"NameValuePairExceedsMaxSize"}}}}},
		}}
	return r
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./reports -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test ./reports -update and review the diff\n%s", path, firstDiff(want, got))
	}
}

func firstDiff(want, got []byte) string {
	wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n- " + w + "\n+ " + g
		}
	}
	return ""
}

func TestGolden(t *testing.T) {
	for _, s := range samples {
		t.Run(s.name, func(t *testing.T) {
			r := s.make()
			data, err := JSON(r)
			if err != nil {
				t.Fatal(err)
			}
			validate(t, data)

			page, err := HTML(r, sampleFiles())
			if err != nil {
				t.Fatal(err)
			}
			golden(t, s.name+".html", page)
			checkSelfContained(t, page)
			golden(t, s.name+".md", Markdown(r))
			golden(t, s.name+".contact.md", ContactMessage(r))
		})
	}
}

var (
	tagRE  = regexp.MustCompile(`(?is)<([a-z][a-z0-9]*)\b[^>]*>`)
	attrRE = regexp.MustCompile(`(?is)\s(src|href|srcset|action|poster|data)\s*=\s*"([^"]*)"`)
)

// checkSelfContained fails if opening the page could fetch anything: only
// links the reader clicks may point elsewhere.
func checkSelfContained(t *testing.T, page []byte) {
	t.Helper()
	s := string(page)
	if !strings.Contains(s, `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">`) {
		t.Error("no strict Content-Security-Policy")
	}
	for _, bad := range []string{"<script", "<link", "<iframe", "<object", "<embed", "@import", "url(", "<base"} {
		if strings.Contains(strings.ToLower(s), bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	for _, tag := range tagRE.FindAllStringSubmatch(s, -1) {
		for _, a := range attrRE.FindAllStringSubmatch(tag[0], -1) {
			name, val := strings.ToLower(a[1]), a[2]
			switch {
			case name == "src" && strings.HasPrefix(val, "data:image/"):
			case name == "href" && strings.ToLower(tag[1]) == "a":
			default:
				t.Errorf("<%s %s=%q> loads something when the page opens", tag[1], name, val)
			}
		}
	}
}

// A run that broke before its first load still gets readable reports.
func TestErrorReport(t *testing.T) {
	r := base("https://intranet.example/", Error)
	r.Error = new("interrupted")
	r.Diagnosis = Diagnosis{Kind: "network_error", Challenges: []Challenge{},
		Summary:   "The run stopped before the page could be loaded: interrupted.",
		NextSteps: []string{"Run fix401 again."}}
	page, err := HTML(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"The run failed: interrupted.", "No step ran.", "Run fix401 again."} {
		if !strings.Contains(string(page), want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	checkSelfContained(t, page)
	if md := string(Markdown(r)); !strings.Contains(md, "The run failed: interrupted.") {
		t.Errorf("Markdown lacks the error:\n%s", md)
	}
	if c := string(ContactMessage(r)); !strings.Contains(c, "Nothing to send to the site owner yet") || !strings.Contains(c, "interrupted") || strings.Contains(c, "Could you") {
		t.Errorf("contact message:\n%s", c)
	}
}

func TestHTMLInlinesScreenshots(t *testing.T) {
	page, err := HTML(sampleFixed(), sampleFiles())
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(page), `src="data:image/png;base64,`); n != 2 {
		t.Errorf("%d inlined screenshots, want before and after", n)
	}
	// Without the files the page still renders, saying what is missing.
	page, err = HTML(sampleFixed(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(page), "<img") || !strings.Contains(string(page), "screenshot not available") {
		t.Error("missing screenshots are not reported as missing")
	}
	// Bytes that are not an image are never inlined, whatever the file name.
	files := sampleFiles()
	files["screenshots/00-reproduce-1.png"] = []byte("<svg onload=alert(1)>")
	page, _ = HTML(sampleFixed(), files)
	if strings.Contains(string(page), "onload") || strings.Contains(string(page), "image/svg") {
		t.Error("a non-image file was inlined")
	}
}

const payload = `<script>alert(1)</script><img src=x onerror=alert(2)>"'|` + "`" + `*_[x](javascript:alert(3))`

// hostile returns r with every string in it, however deep, replaced by an
// attack: the site under diagnosis controls titles, headers, URLs and
// reasons, and some of that reaches every field.
func hostile(r *Report) *Report {
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				if v.Kind() == reflect.Interface {
					if s, ok := v.Interface().(string); ok && v.CanSet() {
						v.Set(reflect.ValueOf(s + payload))
					}
					return
				}
				walk(v.Elem())
			}
		case reflect.String:
			if v.CanSet() {
				s := v.String()
				switch {
				case strings.HasPrefix(s, "http"):
					v.SetString("javascript:alert(4)//" + payload)
				case s != "":
					v.SetString(s + payload)
				}
			}
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i))
			}
		case reflect.Slice:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		case reflect.Map:
			for _, k := range v.MapKeys() {
				e := reflect.New(v.Type().Elem()).Elem()
				e.Set(v.MapIndex(k))
				walk(e)
				v.SetMapIndex(k, e)
			}
		}
	}
	walk(reflect.ValueOf(r).Elem())
	// Outcome and result values steer the template; keep them valid so
	// that every section renders.
	r.Steps[0].Title = "<script>alert(1)</script>"
	return r
}

func TestUntrustedStringsAreEscaped(t *testing.T) {
	for _, s := range samples {
		t.Run(s.name, func(t *testing.T) {
			r := s.make()
			outcome := r.Outcome
			var results []Result
			for _, st := range r.Steps {
				results = append(results, st.Result)
			}
			hostile(r)
			r.Outcome, r.Schema = outcome, SchemaID
			for i := range r.Steps {
				r.Steps[i].Result = results[i]
			}
			page, err := HTML(r, sampleFiles())
			if err != nil {
				t.Fatal(err)
			}
			h := string(page)
			for _, raw := range []string{"<script>", "<img src=x", `href="javascript:`} {
				if strings.Contains(h, raw) {
					t.Errorf("HTML contains %q unescaped", raw)
				}
			}
			for _, tag := range tagRE.FindAllString(h, -1) {
				if regexp.MustCompile(`(?i)\son[a-z]+\s*=`).MatchString(tag) {
					t.Errorf("a tag carries an event handler: %s", tag)
				}
			}
			if !strings.Contains(h, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Error("the hostile title is not shown, escaped")
			}
			checkSelfContained(t, page)

			for name, md := range map[string][]byte{"report.md": Markdown(r), "contact.md": ContactMessage(r)} {
				text := stripCode(string(md))
				if m := regexp.MustCompile(`(^|[^\\])<[A-Za-z/!]`).FindString(text); m != "" {
					t.Errorf("%s has raw HTML outside code: %q", name, m)
				}
				if regexp.MustCompile(`(^|[^\\])\]\(`).MatchString(text) {
					t.Errorf("%s has a Markdown link made of report text", name)
				}
				checkTables(t, name, string(md))
			}
		})
	}
}

// stripCode removes fenced blocks and code spans, inside which Markdown
// shows text literally.
func stripCode(md string) string {
	var out []string
	fence := ""
	for _, line := range strings.Split(md, "\n") {
		if fence != "" {
			if strings.HasPrefix(line, fence) && strings.Trim(line, "`") == "" {
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(line, "```") {
			fence = line[:strings.IndexFunc(line+"x", func(r rune) bool { return r != '`' })]
			continue
		}
		out = append(out, stripSpans(line))
	}
	return strings.Join(out, "\n")
}

func stripSpans(line string) string {
	var b strings.Builder
	for i := 0; i < len(line); {
		if line[i] == '\\' && i+1 < len(line) {
			b.WriteString(line[i : i+2])
			i += 2
			continue
		}
		if line[i] != '`' {
			b.WriteByte(line[i])
			i++
			continue
		}
		n := 0
		for i+n < len(line) && line[i+n] == '`' {
			n++
		}
		fence := line[i : i+n]
		end := -1
		for j := i + n; j < len(line); {
			k := strings.Index(line[j:], fence)
			if k < 0 {
				break
			}
			k += j
			if (k+n == len(line) || line[k+n] != '`') && line[k-1] != '`' {
				end = k
				break
			}
			j = k + n
		}
		if end < 0 {
			b.WriteString(fence)
			i += n
			continue
		}
		b.WriteString("CODE")
		i = end + n
	}
	return b.String()
}

// checkTables checks that every row of every table has as many cells as its
// header: a pipe from the report would add one.
func checkTables(t *testing.T, name, md string) {
	t.Helper()
	cells := func(row string) int {
		n := 0
		for i := 0; i < len(row); i++ {
			switch row[i] {
			case '\\':
				i++
			case '|':
				n++
			}
		}
		return n
	}
	want := -1
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			want = -1
			continue
		}
		if want < 0 {
			want = cells(line)
			continue
		}
		if got := cells(line); got != want {
			t.Errorf("%s: table row has %d pipes, header %d: %s", name, got, want, line)
		}
	}
}

func TestMarkdownEscaping(t *testing.T) {
	for in, want := range map[string]string{
		"invalid_token":          "invalid_token",
		"_private_":              `\_private\_`,
		"a|b":                    `a\|b`,
		"<b>x</b>":               `\<b>x\</b>`,
		"# heading":              `# heading`,
		"1.2.3":                  `1.2.3`,
		"x &amp; y & z":          `x \&amp; y & z`,
		"[link](http://x)":       `\[link\](http://x)`,
		"two\nlines":             "two lines",
		"Privacy & Security":     "Privacy & Security",
		"`tick`":                 "\\`tick\\`",
		"*bold*":                 `\*bold\*`,
		"C:\\Users":              `C:\\Users`,
		"a - b":                  `a - b`,
		"~~strike~~":             `\~\~strike\~\~`,
		"don't_escape_inside123": "don't_escape_inside123",
	} {
		if got := mdText(in); got != want {
			t.Errorf("mdText(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"# heading":    `\# heading`,
		"1. item":      `1\. item`,
		"- not a list": `\- not a list`,
		"> quote":      `\> quote`,
		"plain text":   "plain text",
	} {
		if got := mdBlock(in); got != want {
			t.Errorf("mdBlock(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"plain":   "`plain`",
		"a`b":     "``a`b``",
		"`x`":     "`` `x` ``",
		"a ``` b": "````a ``` b````",
	} {
		if got := mdCode(in); got != want {
			t.Errorf("mdCode(%q) = %q, want %q", in, got, want)
		}
	}
	if got := mdCodeCell("a|b"); got != "`a\\|b`" {
		t.Errorf("mdCodeCell = %q", got)
	}
}

// byHand is what the agent puts on a fixing step.
func byHand(s steps.Step) []BrowserSteps {
	var out []BrowserSteps
	for _, b := range steps.Browsers {
		out = append(out, BrowserSteps{Browser: b, Steps: s.ByHand()[b]})
	}
	return out
}

func TestFormatValue(t *testing.T) {
	type cand struct {
		URL    string `json:"url"`
		Why    string `json:"why"`
		Status int    `json:"status"`
	}
	for _, c := range []struct {
		in   any
		want string
	}{
		{nil, "–"},
		{true, "yes"},
		{[]string{}, "none"},
		{[]string(nil), "–"},
		{[]string{"a", "b"}, "a, b"},
		{3, "3"},
		{float64(1.5), "1.5"},
		{[]cand{{"https://x/", "http to https", 0}, {"https://y/", "case", 401}},
			"https://x/ — http to https (status: 0)\nhttps://y/ — case (status: 401)"},
		// A failure kind in words; the status only where they do not say it.
		{[]map[string]any{{"url": "https://x/", "kind": "network_error", "status": 0}, {"url": "https://y/", "kind": "http_401", "status": 401},
			{"url": "https://z/", "kind": "other_status", "status": 404}},
			"https://x/ (result: a network error)\nhttps://y/ (result: 401 Unauthorized)\nhttps://z/ (result: an HTTP error, status: 404)"},
		// A "kind" that is no failure kind stays as it is.
		{map[string]any{"kind": "id_token", "status": 0}, "kind: id_token, status: 0"},
		{map[string]any{"a": 1.0, "b": "c"}, "a: 1, b: c"},
	} {
		if got := formatValue(c.in); got != c.want {
			t.Errorf("formatValue(%#v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestWriteDirWritesEveryFormat(t *testing.T) {
	dir := t.TempDir()
	r := sampleFixed()
	if err := WriteDir(dir, r, sampleFiles()); err != nil {
		t.Fatal(err)
	}
	want := []string{"report.json", "report.html", "report.md", "contact.md", "screenshots/00-reproduce-1.png", "screenshots/03-clear-cookies.png"}
	for _, name := range want {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	validate(t, data)
	var back Report
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	a := back.Artifacts
	if a.JSON != "report.json" || a.HTML != "report.html" || a.Markdown != "report.md" || a.Contact != "contact.md" {
		t.Errorf("report.json names the wrong files: %+v", a)
	}
	page, _ := os.ReadFile(filepath.Join(dir, "report.html"))
	if !strings.Contains(string(page), `href="report.json"`) || !strings.Contains(string(page), `href="contact.md"`) {
		t.Error("report.html does not link the files written beside it")
	}
	checkSelfContained(t, page)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") || strings.Contains(d.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The environment says why Chrome's sandbox was off; a report from before
// sandbox_off was written as root, the only way it was off then.
func TestSandboxRow(t *testing.T) {
	row := func(e Environment) string {
		for _, p := range newView(&Report{Environment: e}, nil).Env {
			if p.K == "Chrome's sandbox" {
				return p.V
			}
		}
		return ""
	}
	for _, c := range []struct {
		e    Environment
		want string
	}{
		{Environment{Sandbox: new(true)}, "on"},
		{Environment{Sandbox: new(false), SandboxOff: "FIX401_NO_SANDBOX is set"}, "off (FIX401_NO_SANDBOX is set)"},
		{Environment{Sandbox: new(false)}, "off (fix401 ran as root, where Chromium cannot use it)"},
		{Environment{RemoteBrowser: true}, ""},
	} {
		if got := row(c.e); got != c.want {
			t.Errorf("%+v: %q, want %q", c.e, got, c.want)
		}
	}
}

// A step's evidence reads alphabetically, but a before and after pair in
// time order, whatever the alphabet says.
func TestEvidenceOrder(t *testing.T) {
	ev := map[string]any{"ip_after": "10.0.0.2", "command": "resolvectl flush-caches", "ip_before": "10.0.0.1", "output": ""}
	var labels []string
	for _, p := range evidencePairs(ev) {
		labels = append(labels, p.K)
	}
	if got, want := strings.Join(labels, ", "), "command, ip before, ip after, output"; got != want {
		t.Errorf("evidence labels = %q, want %q", got, want)
	}
}

// A load's answer in contact.md says the status once: a kind whose words
// are the status adds nothing, one the status hides is said.
func TestContactLoad(t *testing.T) {
	st := func(n int) *int { return &n }
	for _, c := range []struct {
		l    Load
		want string
	}{
		{Load{Status: st(407), Kind: "proxy_407"}, "407 Proxy Authentication Required"},
		{Load{Status: st(401), Kind: "http_401"}, "401 Unauthorized"},
		{Load{Status: st(200), Kind: "soft_401"}, "200 OK, an access-denied or sign-in page"},
		{Load{NetError: "net::ERR_TUNNEL_CONNECTION_FAILED", Kind: "proxy_407"}, "net::ERR_TUNNEL_CONNECTION_FAILED, 407 Proxy Authentication Required"},
	} {
		if got := contactLoad(&c.l); got != c.want {
			t.Errorf("contactLoad(%+v) = %q, want %q", c.l, got, c.want)
		}
	}
}
