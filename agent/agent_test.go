package agent

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/cookiefile"
	"github.com/fix401/fix401/internal/har"
	"github.com/fix401/fix401/internal/lab"
	"github.com/fix401/fix401/internal/oscmd"
	"github.com/fix401/fix401/internal/testbrowser"
	"github.com/fix401/fix401/reports"
	"github.com/fix401/fix401/steps"
)

// One browser and one lab for the package; each diagnosis gets its own
// browser context, as `check` runs them.
var (
	labURL string
	theLab *lab.Lab
	schema *jsonschema.Schema
)

func TestMain(m *testing.M) {
	os.Exit(func() int {
		ln, err := lab.Listen("127.0.0.1:0")
		if err != nil {
			panic(err)
		}
		theLab = lab.New()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- lab.Serve(ctx, ln, theLab) }()
		defer func() { cancel(); <-done }()
		labURL = "http://" + ln.Addr().String()
		if schema, err = reports.CompileSchema(); err != nil {
			fmt.Fprintln(os.Stderr, "report schema:", err)
			return 1
		}
		// One browser for the binary, and a check that nothing of it is
		// left when the tests end.
		return testbrowser.Main(m)
	}())
}

func runDiag(t *testing.T, cfg Config) *Result {
	t.Helper()
	if cfg.Browser == nil {
		cfg.Browser = testbrowser.Get(t)
	}
	cfg.Isolated = true
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.MaxWait == 0 {
		cfg.MaxWait = 5 * time.Second
	}
	cfg.Screenshots = true
	res, err := Diagnose(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	data, err := reports.JSON(res.Report)
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(v); err != nil {
		t.Fatalf("report does not match the schema: %v", err)
	}
	if out := os.Getenv("FIX401_DEMO_OUT"); out != "" {
		// make demo keeps the enterprise cases' reports to open.
		name := strings.NewReplacer("/", "--", "'", "", ":", "").Replace(t.Name())
		if err := reports.WriteDir(filepath.Join(out, name), res.Report, res.Files); err != nil {
			t.Fatal(err)
		}
	}
	return res
}

func stepResult(r *reports.Report, id string) reports.Result {
	for _, s := range r.Steps {
		if s.ID == id {
			return s.Result
		}
	}
	return ""
}

func stepEvidence(r *reports.Report, id, key string) any {
	for _, s := range r.Steps {
		if s.ID == id {
			return s.Evidence[key]
		}
	}
	return nil
}

func TestReloginAnswersTheChallenge(t *testing.T) {
	for _, id := range []string{"basic", "digest"} {
		t.Run(id, func(t *testing.T) {
			res := runDiag(t, Config{URL: labURL + "/s/" + id + "/", Inputs: steps.Inputs{User: "alice", Password: "wonderland"},
				Secrets: []string{"wonderland"}})
			r := res.Report
			if r.Outcome != reports.Fixed || r.FixedBy == nil || *r.FixedBy != "relogin" || r.Confirmed == nil || !*r.Confirmed {
				t.Fatalf("outcome %s fixed_by %v confirmed %v", r.Outcome, r.FixedBy, r.Confirmed)
			}
			// Every step before relogin ran and left it failing.
			for _, s := range []string{"url-check", "reload", "clear-cache", "clear-cookies", "fresh-profile", "dns-flush"} {
				if got := stepResult(r, s); got != reports.StillFailing && got != reports.Info && got != reports.Skipped {
					t.Errorf("%s: %s", s, got)
				}
			}
			data, _ := reports.JSON(r)
			for _, secret := range []string{"wonderland", base64.StdEncoding.EncodeToString([]byte("alice:wonderland"))} {
				if bytes.Contains(data, []byte(secret)) {
					t.Errorf("report contains a secret %q", secret)
				}
			}
		})
	}
}

func TestReloginWrongPassword(t *testing.T) {
	res := runDiag(t, Config{URL: labURL + "/s/basic/", Only: []string{"relogin"},
		Inputs: steps.Inputs{User: "alice", Password: "not-the-password"}})
	r := res.Report
	if r.Outcome != reports.Unresolved || stepEvidence(r, "relogin", "credentials_rejected") != true {
		t.Fatalf("outcome %s, relogin evidence %v", r.Outcome, r.Steps[len(r.Steps)-1].Evidence)
	}
	if !strings.Contains(r.Diagnosis.Summary+strings.Join(r.Diagnosis.NextSteps, " "), "rejected") {
		t.Errorf("the diagnosis does not say the credentials were rejected: %q", r.Diagnosis.Summary)
	}
}

func TestReloginBearerToken(t *testing.T) {
	res := runDiag(t, Config{URL: labURL + "/s/bearer/", Only: []string{"relogin"},
		Inputs: steps.Inputs{BearerToken: "lab-token-ok", BearerEnv: "LAB_TOKEN"}, Secrets: []string{"lab-token-ok"}})
	if r := res.Report; r.Outcome != reports.Fixed || *r.FixedBy != "relogin" {
		t.Fatalf("outcome %s", r.Outcome)
	}
}

func TestNotAuthFailureStopsTheWalk(t *testing.T) {
	res := runDiag(t, Config{URL: labURL + "/s/forbidden/"})
	if r := res.Report; r.Outcome != reports.NotAuthFailure || len(r.Steps) != 1 || r.Diagnosis.Kind != "forbidden_403" {
		t.Fatalf("outcome %s steps %d kind %s", r.Outcome, len(r.Steps), r.Diagnosis.Kind)
	}
}

func TestDNSFlushWithFakeRunner(t *testing.T) {
	for _, tt := range []struct {
		name    string
		runner  *oscmd.Fake
		command string
		result  reports.Result
		ran     string
	}{
		{"root", &oscmd.Fake{Paths: map[string]bool{"resolvectl": true}, Root: true}, "", reports.StillFailing, "resolvectl flush-caches"},
		{"no rights", &oscmd.Fake{Paths: map[string]bool{"resolvectl": true}}, "", reports.Skipped, ""},
		{"refused", &oscmd.Fake{Paths: map[string]bool{"nscd": true}, Root: true, Answers: map[string]func() (string, error){
			"nscd -i hosts": func() (string, error) { return "nscd: Permission denied", fmt.Errorf("exit status 1") }}}, "", reports.Skipped, "nscd -i hosts"},
		{"custom", &oscmd.Fake{}, "my-flush --now", reports.StillFailing, "sh -c my-flush --now"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := runDiag(t, Config{URL: labURL + "/s/basic/", Only: []string{"dns-flush"},
				Inputs: steps.Inputs{Runner: tt.runner, DNSFlushCommand: tt.command, GOOS: "linux"}})
			r := res.Report
			if got := stepResult(r, "dns-flush"); got != tt.result {
				t.Fatalf("dns-flush %s, want %s (%+v)", got, tt.result, r.Steps)
			}
			if ran := strings.Join(tt.runner.Ran, "; "); ran != tt.ran {
				t.Errorf("ran %q, want %q", ran, tt.ran)
			}
			if tt.result == reports.Skipped && !strings.Contains(*r.Steps[1].SkipReason, "resolvectl flush-caches") && !strings.Contains(*r.Steps[1].SkipReason, "nscd") {
				t.Errorf("skip reason does not name the command: %s", *r.Steps[1].SkipReason)
			}
			if tt.result == reports.StillFailing && (stepEvidence(r, "dns-flush", "ip_before") != "127.0.0.1" || stepEvidence(r, "dns-flush", "ip_after") != "127.0.0.1") {
				t.Errorf("evidence %v", r.Steps[1].Evidence)
			}
		})
	}
}

// TestEveryScenario grades every lab scenario's whole outcome (outcome,
// kind, fixing step, findings), those that must stay unresolved included,
// and proves each step on the scenario that only it fixes: the walk ends
// fixed by that step, confirmed, and every step before it ran and left
// the page failing. Each scenario gets a lab of its own, since their state
// (windows, connections) is the point.
func TestEveryScenario(t *testing.T) {
	for _, s := range lab.Scenarios() {
		t.Run(s.ID, func(t *testing.T) {
			l := lab.New()
			ln, err := lab.Listen("127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			pln, err := lab.Listen("127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			served, proxied := make(chan error, 1), make(chan error, 1)
			go func() { served <- lab.Serve(ctx, ln, l) }()
			go func() { proxied <- lab.ServeProxy(ctx, pln, lab.NewProxy()) }()
			defer func() { cancel(); <-served; <-proxied }()
			base := "http://" + ln.Addr().String()

			in := steps.Inputs{User: s.Options.User, Password: s.Options.Password, BearerToken: s.Options.BearerToken,
				BearerEnv: "LAB_TOKEN", LoginURL: s.LoginTarget(base)}
			if s.Options.NeedsProxy {
				in.Proxy = "http://" + pln.Addr().String()
			}
			cfg := Config{URL: s.Target(base), Inputs: in, Secrets: []string{s.Options.Password, s.Options.BearerToken},
				Cookies: startingCookies(t, s, base)}
			if s.Options.StaleDNS {
				cfg.Browser, cfg.Inputs.DNSFlushCommand = staleDNS(t, ctx, ln.Addr())
			}
			if s.Hangs {
				cfg.Timeout = 2 * time.Second
			}
			res := runDiag(t, cfg)
			r := res.Report
			fixed := ""
			if r.FixedBy != nil {
				fixed = *r.FixedBy
			}
			if diff := s.Grade(string(r.Outcome), r.Diagnosis.Kind, fixed, r.Diagnosis.FindingIDs()); diff != "" {
				t.Errorf("%s (steps %+v)", diff, r.Steps)
			}
			if s.FixedBy == "" {
				return
			}
			if r.Outcome != reports.Fixed || r.FixedBy == nil || *r.FixedBy != s.FixedBy {
				t.Fatalf("outcome %s fixed by %v, want %s (steps %+v)", r.Outcome, r.FixedBy, s.FixedBy, r.Steps)
			}
			if r.Confirmed == nil || !*r.Confirmed {
				t.Errorf("the fix was not confirmed")
			}
			for _, st := range r.Steps[1 : len(r.Steps)-1] {
				if st.Result == reports.StepFixed || st.Result == reports.StepError {
					t.Errorf("step %s before %s: %s %s", st.ID, s.FixedBy, st.Result, st.Error)
				}
			}
			if last := r.Steps[len(r.Steps)-1]; last.ID != s.FixedBy || last.Action == "" {
				t.Errorf("last step %s, action %q", last.ID, last.Action)
			}
			if s.FixedBy == "dns-flush" {
				// The flush command really ran, and the name now reaches
				// the new server.
				ev := r.Steps[len(r.Steps)-1].Evidence
				if ev["ip_before"] != lab.OldServerIP || ev["ip_after"] != "127.0.0.1" || ev["exit_status"] != 0 {
					t.Errorf("dns-flush evidence %v", ev)
				}
			}
			if s.FixedBy == "url-check" && (r.Target.CorrectedURL == nil || !strings.HasSuffix(*r.Target.CorrectedURL, "/reports/q3")) {
				t.Errorf("corrected_url = %v", r.Target.CorrectedURL)
			}
		})
	}
}

// staleDNS sets up the stale-dns scenario for the lab listening at addr:
// the old server, and a browser of its own whose resolver names the old
// server until the returned flush command runs. It runs for real, through
// libnss_wrapper, which `make test` installs; without it the test skips
// outside CI and fails in CI.
func staleDNS(t *testing.T, ctx context.Context, addr net.Addr) (*browser.Browser, string) {
	t.Helper()
	r, err := lab.NewStaleDNS(t.TempDir())
	if errors.Is(err, lab.ErrNoNSSWrapper) && os.Getenv("CI") == "" {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	old, err := lab.ListenOldServer(addr)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- lab.ServeOldServer(ctx, old) }()
	t.Cleanup(func() { <-done })
	// Last, after the browsers closed (a dns-flush browser too).
	t.Cleanup(func() { r.Reap() })
	opts := testbrowser.Get(t).Options()
	opts.Env = r.Env
	b, err := browser.Launch(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b, r.FlushCommand
}

func TestUnresolvedFindsWhomToContact(t *testing.T) {
	res := runDiag(t, Config{URL: labURL + "/s/negotiate/", Only: []string{"reload"}})
	c := res.Report.Diagnosis.Contact
	// The lab is an IP address: no webmaster@ mailbox to offer.
	if c == nil || len(c.Emails) != 1 || c.Emails[0] != "security@lab.fix401.test" || c.Webmaster != "" {
		t.Fatalf("contact = %+v", c)
	}
}

func TestIsolateShowsTheMinimalFix(t *testing.T) {
	l := lab.New()
	ln, err := lab.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- lab.Serve(ctx, ln, l) }()
	defer func() { cancel(); <-done }()
	base := "http://" + ln.Addr().String()
	// relogin alone fixes basic from a fresh start.
	res := runDiag(t, Config{URL: base + "/s/basic/", Isolate: true, Only: []string{"reload", "clear-cache", "relogin"},
		Inputs: steps.Inputs{User: "alice", Password: "wonderland"}})
	r := res.Report
	if r.FixedBy == nil || *r.FixedBy != "relogin" || r.Confirmed == nil || !*r.Confirmed {
		t.Fatalf("fixed by %v confirmed %v", r.FixedBy, r.Confirmed)
	}
	if iso, _ := stepEvidence(r, "relogin", "isolated").(map[string]any); iso == nil || iso["fixed_alone"] != true {
		t.Errorf("isolated = %v", iso)
	}
	if r.Isolation == nil || *r.Isolation != reports.IsolationFixedAlone || r.IsolationPhrase() != "minimal fix: relogin (confirmed alone)" {
		t.Errorf("isolation %v: %q", r.Isolation, r.IsolationPhrase())
	}
	// conn-bound lets in a browser that connects beside the fixed one, as
	// --isolate's new context does: it says it could not re-create the
	// state, and that does not unconfirm the fix.
	res = runDiag(t, Config{URL: base + "/s/conn-bound/", Isolate: true})
	r = res.Report
	if r.FixedBy == nil || *r.FixedBy != "fresh-profile" || r.Confirmed == nil || !*r.Confirmed {
		t.Fatalf("conn-bound: fixed by %v confirmed %v", r.FixedBy, r.Confirmed)
	}
	if r.Isolation == nil || *r.Isolation != reports.IsolationNotReproduced || !strings.Contains(r.IsolationPhrase(), "could not re-create the starting state") {
		t.Errorf("conn-bound isolation %v: %q", r.Isolation, r.IsolationPhrase())
	}
}

// TestAllListsOnlyWhatFixesOnItsOwn: with --all, the steps after the fix
// are tried from the failing state, not from the fixed one: on
// stale-cookie, relogin (a Basic password the site does not ask for)
// does not "fix" a page that clear-cookies already fixed.
func TestAllListsOnlyWhatFixesOnItsOwn(t *testing.T) {
	base := testbrowser.Lab(t)
	r := runDiag(t, Config{URL: base + "/s/stale-cookie/", All: true, Only: []string{"clear-cookies", "fresh-profile", "relogin"},
		Inputs: steps.Inputs{User: "alice", Password: "wonderland"}, Cookies: startingCookies(t, labScenario(t, "stale-cookie"), base)}).Report
	if r.FixedBy == nil || *r.FixedBy != "clear-cookies" {
		t.Fatalf("fixed by %v", r.FixedBy)
	}
	want := map[string]reports.Result{"clear-cookies": reports.StepFixed, "fresh-profile": reports.StepFixed, "relogin": reports.StillFailing}
	for id, res := range want {
		if got := stepResult(r, id); got != res {
			t.Errorf("%s: %s, want %s", id, got, res)
		}
	}
}

func TestStartingCookiesAreLoaded(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie("sid"); err == nil && c.Value == "good" {
			fmt.Fprint(w, "<!doctype html><title>In</title>")
			return
		}
		w.WriteHeader(401)
	}))
	defer ts.Close()
	cookies := []browser.Cookie{{Name: "sid", Value: "good", Domain: "127.0.0.1", Path: "/"}}
	if r := runDiag(t, Config{URL: ts.URL, Only: []string{"reproduce"}, Cookies: cookies}).Report; r.Outcome != reports.Healthy {
		t.Errorf("with the cookie: %s", r.Outcome)
	}
	if r := runDiag(t, Config{URL: ts.URL, Only: []string{"reproduce"}}).Report; r.Outcome != reports.Unresolved {
		t.Errorf("without the cookie: %s", r.Outcome)
	}
}

// TestReferencePagesThroughChromium serves the real servers' default 401
// pages (testdata/401-pages) to real Chromium, as 401 with their
// headers and as 200, and checks the judging of the load.
func TestReferencePagesThroughChromium(t *testing.T) {
	dir := filepath.Join("..", "testdata", "401-pages")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		name := e.Name()
		if strings.HasSuffix(name, ".source.txt") || strings.HasSuffix(name, ".md") || strings.HasSuffix(name, ".json") {
			continue
		}
		body, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		ctype := "text/html; charset=utf-8"
		if strings.HasSuffix(name, ".txt") {
			ctype = "text/plain; charset=utf-8"
		}
		for _, status := range []int{401, 200} {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", ctype)
				w.WriteHeader(status)
				w.Write(body)
			}))
			res := runDiag(t, Config{URL: ts.URL + "/protected", Only: []string{"reproduce"}})
			ts.Close()
			want := "http_401"
			if status == 200 {
				want = "soft_401"
			}
			if got := res.Report.Diagnosis.Kind; got != want {
				t.Errorf("%s served as %d: %s, want %s", name, status, got, want)
			}
			if strings.HasPrefix(name, "iis-401.") || strings.HasPrefix(name, "iis6-401.") {
				if res.Report.Diagnosis.IISSubstatus == nil {
					t.Errorf("%s: no IIS sub-status", name)
				}
			}
			n++
		}
	}
	if n < 20 {
		t.Errorf("only %d reference loads", n)
	}
}

// statefulScenarios are the lab's scenarios whose failure lives in a
// browser's history with the site (a cookie, a cache, a connection, a
// restart window): each new browser must meet it again.
var statefulScenarios = []string{"recycle", "stale-cache", "stale-cookie", "stale-token", "conn-bound"}

func labScenario(t *testing.T, id string) lab.Scenario {
	t.Helper()
	for _, s := range lab.Scenarios() {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("no lab scenario %q", id)
	return lab.Scenario{}
}

// TestLabCanBeUsedAgain diagnoses each stateful scenario twice on one lab:
// both runs reproduce it and are fixed by its remedy, and the second run's
// --isolate re-creates the starting state in a new browser context.
func TestLabCanBeUsedAgain(t *testing.T) {
	for _, id := range statefulScenarios {
		t.Run(id, func(t *testing.T) {
			s := labScenario(t, id)
			base := testbrowser.Lab(t)
			for run := 1; run <= 2; run++ {
				r := runDiag(t, Config{URL: s.Target(base), Isolate: run == 2, Cookies: startingCookies(t, s, base)}).Report
				if r.Outcome != reports.Fixed || r.FixedBy == nil || *r.FixedBy != s.FixedBy || r.Diagnosis.Kind != s.Expect {
					t.Fatalf("run %d: outcome %s kind %s fixed_by %v, want fixed by %s (%s)", run, r.Outcome, r.Diagnosis.Kind, r.FixedBy, s.FixedBy, s.Expect)
				}
				if run == 1 {
					continue
				}
				iso, _ := stepEvidence(r, s.FixedBy, "isolated").(map[string]any)
				if id == "conn-bound" {
					// A new browser context opens its connection while the
					// fixed browser's is still open: like any second
					// browser then, it is let in. --isolate says so.
					if iso == nil || iso["reproduced"] != false {
						t.Errorf("isolated: %v", iso)
					}
					continue
				}
				if iso == nil || iso["reproduced"] != true || iso["fixed_alone"] != true {
					t.Errorf("isolated: %v", iso)
				}
			}
		})
	}
}

// TestLabScenariosNeedTheRemedysEffect takes the remedy's effect away and
// shows the scenario then stays broken: reload without its wait, and
// fresh-profile keeping the old browser process.
func TestLabScenariosNeedTheRemedysEffect(t *testing.T) {
	t.Run("reload without the wait", func(t *testing.T) {
		s := labScenario(t, "recycle")
		r := runDiag(t, Config{URL: s.Target(testbrowser.Lab(t)), Only: []string{"reload"}, MaxWait: time.Millisecond}).Report
		if r.Outcome != reports.Unresolved || stepResult(r, "reload") != reports.StillFailing {
			t.Fatalf("outcome %s, reload %s", r.Outcome, stepResult(r, "reload"))
		}
	})
	t.Run("fresh-profile in the old process", func(t *testing.T) {
		s := labScenario(t, "conn-bound")
		cfg := Config{URL: s.Target(testbrowser.Lab(t)), Only: []string{"fresh-profile"}, keepProcess: true}
		r := runDiag(t, cfg).Report
		if r.Outcome != reports.Unresolved || stepResult(r, "fresh-profile") != reports.StillFailing {
			t.Fatalf("outcome %s, fresh-profile %s", r.Outcome, stepResult(r, "fresh-profile"))
		}
	})
}

// TestOrdinaryWordPasswordsDoNotGarbleTheReport: passwords that are
// ordinary words, short, or in the page's own text are kept out of the
// data they travel in, not searched for in finished text: the report
// reads whole, and only what a page shows after it was sent the password
// is masked.
func TestOrdinaryWordPasswordsDoNotGarbleTheReport(t *testing.T) {
	for _, pw := range []string{"page", "the", "password", "pa"} {
		t.Run(pw, func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if u, p, ok := r.BasicAuth(); ok && u == "alice" && p == pw {
					// A page that echoes what it was sent.
					fmt.Fprintf(w, "<!doctype html><title>Welcome, your password is %s</title><h1>Welcome</h1>", pw)
					return
				}
				w.Header().Set("WWW-Authenticate", `Basic realm="the page portal password"`)
				w.WriteHeader(401)
				fmt.Fprint(w, "<!doctype html><title>Sign in to the page</title><h1>This page needs the password of the portal</h1>")
			}))
			defer ts.Close()
			res := runDiag(t, Config{URL: ts.URL + "/", Only: []string{"reload", "relogin"},
				Inputs: steps.Inputs{User: "alice", Password: pw}, Secrets: []string{pw}})
			r := res.Report
			// The HAR too: the 401 page of the loads before relogin keeps
			// its words, the page that echoed the password loses it.
			data, err := har.Build(nil, res.Requests, har.Options{Sent: res.Sent, SentFrom: res.SentFrom})
			if err != nil {
				t.Fatal(err)
			}
			// Chrome reports no headers of the retry that carried the
			// answer: the HAR still shows that it was sent.
			if !bytes.Contains(data, []byte(`"value": "Basic [redacted]"`)) {
				t.Errorf("the HAR does not show the Authorization relogin sent:\n%s", data)
			}
			if !bytes.Contains(data, []byte("<h1>This page needs the password of the portal</h1>")) {
				t.Errorf("the HAR garbled a page that never saw the password:\n%s", data)
			}

			if r.Outcome != reports.Fixed || r.FixedBy == nil || *r.FixedBy != "relogin" {
				t.Fatalf("outcome %s fixed by %v", r.Outcome, r.FixedBy)
			}
			if !strings.Contains(r.Diagnosis.Summary, `realm "the page portal password"`) {
				t.Errorf("the summary lost words: %q", r.Diagnosis.Summary)
			}
			if got := r.Steps[0].Load.Title; got != "Sign in to the page" {
				t.Errorf("a page that never saw the password is masked: %q", got)
			}
			var ours []string // fix401's own words, and what pages showed before the password was sent
			for _, s := range r.Steps {
				ours = append(ours, s.Action)
				if s.ID == "relogin" {
					// The page that echoed the password: masked, however
					// short or ordinary the password.
					want := "Welcome, your password is [redacted]"
					if pw == "password" {
						want = "Welcome, your [redacted] is [redacted]"
					}
					if s.Load == nil || s.Load.Title != want {
						t.Errorf("the page that echoed the password: title %q, want %q", s.Load.Title, want)
					}
					continue
				}
				ours = append(ours, s.Load.Title, s.Load.Reason)
			}
			text := strings.Join(append(ours, r.Diagnosis.Summary, strings.Join(r.Diagnosis.NextSteps, " ")), " ")
			if strings.Contains(text, "[redacted]") {
				t.Errorf("the report is garbled with [redacted]:\n%s", text)
			}
		})
	}
}

// TestAWordPasswordCannotFakeAFix: a wrong password that is a word of the
// sign-in page ("in" of "Sign in") must not hide that page from the judge,
// or the sign-in page looks like the site and relogin like a fix.
func TestAWordPasswordCannotFakeAFix(t *testing.T) {
	for _, pw := range []string{"in", "Sign"} {
		r := runDiag(t, Config{URL: labURL + "/s/form-login/", Only: []string{"relogin"},
			Inputs: steps.Inputs{User: "alice", Password: pw}, Secrets: []string{pw}}).Report
		if r.Outcome != reports.Unresolved {
			t.Errorf("password %q: outcome %s, fixed by %v", pw, r.Outcome, r.FixedBy)
		}
	}
}

// TestEscalationReachesTheRightPeople: a security.txt contact is offered
// only as what it is, and a proxy's 407 or a host that cannot be reached
// gets no site-owner contact at all.
func TestEscalationReachesTheRightPeople(t *testing.T) {
	r := runDiag(t, Config{URL: labURL + "/s/negotiate/", Only: []string{"reload"}}).Report
	next := strings.Join(r.Diagnosis.NextSteps, " ")
	if !strings.Contains(next, "security@lab.fix401.test, which is meant for security reports") {
		t.Errorf("the security contact is not labelled: %q", next)
	}
	for _, url := range []string{labURL + "/s/proxy/", "http://127.0.0.1:1/"} {
		r := runDiag(t, Config{URL: url, Only: []string{"reload"}}).Report
		if r.Diagnosis.Contact != nil || strings.Contains(strings.Join(r.Diagnosis.NextSteps, " "), "contact the site owner") {
			t.Errorf("%s: a site-owner contact: %+v %q", url, r.Diagnosis.Contact, r.Diagnosis.NextSteps)
		}
	}
	if msg := string(reports.ContactMessage(runDiag(t, Config{URL: labURL + "/s/proxy/", Only: []string{"reload"}}).Report)); !strings.Contains(msg, "For the network team, not the site owner") {
		t.Errorf("contact.md for a 407:\n%s", msg)
	}
}

// startingCookies are the scenario's starting cookies for the lab at
// base, as diagnose --cookies reads them.
func startingCookies(t *testing.T, s lab.Scenario, base string) []browser.Cookie {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	txt := s.CookiesFile(u.Hostname())
	if txt == "" {
		return nil
	}
	cs, err := cookiefile.Parse([]byte(txt))
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// TestURLCheckLooksForNoProtectedAreaAbovePagesThatLoad: a page that loads
// while its own requests are refused, or a proxy's 407, has no protected
// area of the site's above it for url-check to name.
func TestURLCheckLooksForNoProtectedAreaAbovePagesThatLoad(t *testing.T) {
	for _, id := range []string{"subresource", "proxy"} {
		t.Run(id, func(t *testing.T) {
			r := runDiag(t, Config{URL: labURL + "/s/" + id + "/", Only: []string{"url-check"}}).Report
			var step *reports.Step
			for i := range r.Steps {
				if r.Steps[i].ID == "url-check" {
					step = &r.Steps[i]
				}
			}
			if step == nil {
				t.Fatalf("no url-check step: %+v", r.Steps)
			}
			if pf := stepEvidence(r, "url-check", "protected_from"); pf != nil || strings.Contains(step.Action, "protected area") {
				t.Errorf("kind %s: url-check named a protected area: %v / %s", r.Diagnosis.Kind, pf, step.Action)
			}
		})
	}
}

// A security.txt looked for and not found is no contact: the report does
// not point at a missing file (and a bare address has no webmaster).
func TestNoContactFromAMissingSecurityTxt(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/.well-known/security.txt" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
		w.WriteHeader(401)
	}))
	defer ts.Close()
	r := runDiag(t, Config{URL: ts.URL + "/app", Only: []string{"reload"}}).Report
	if r.Diagnosis.Contact != nil {
		t.Errorf("contact %+v", r.Diagnosis.Contact)
	}
	if msg := string(reports.ContactMessage(r)); strings.Contains(msg, "security.txt") {
		t.Errorf("contact.md:\n%s", msg)
	}
}

// fix401's sentences quote the run's URL redacted, even where free text
// cannot tell where it ends (a stray space before a token's "=").
func TestStepActionsQuoteTheURLRedacted(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
		w.WriteHeader(401)
	}))
	defer ts.Close()
	r := runDiag(t, Config{URL: ts.URL + "/echo?token =SPACESEC2", Only: []string{"reload"}}).Report
	for _, s := range r.Steps {
		if strings.Contains(s.Action, "SPACESEC2") || !strings.Contains(r.Steps[0].Action, "token =[redacted]") {
			t.Errorf("%s: %q", s.ID, s.Action)
		}
	}
}

// What a URL's parameters put in the page-text mask looks like a secret:
// words under a token's name ("session=expired") stay readable in the
// report, while the URL itself loses them all the same.
func TestURLSecretsLeaveWordsAlone(t *testing.T) {
	got := urlSecrets("https://h/login?session=expired&auth=required&ctx=login&pin=1234&token=Ab3dEf6h&sid=" + strings.Repeat("x", 16))
	for _, want := range []string{"1234", "Ab3dEf6h", strings.Repeat("x", 16)} {
		if !slices.Contains(got, want) {
			t.Errorf("%q misses %q", got, want)
		}
	}
	for _, word := range []string{"expired", "required", "login"} {
		if slices.Contains(got, word) {
			t.Errorf("%q masks the word %q", got, word)
		}
	}
}
