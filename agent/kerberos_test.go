package agent

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/oscmd"
	"github.com/fix401/fix401/internal/proc"
	"github.com/fix401/fix401/internal/realserver"
	"github.com/fix401/fix401/reports"
	"github.com/fix401/fix401/steps"
)

// kerberosSite is a real MIT KDC with the realm FIX401.TEST and Apache
// with mod_auth_gssapi protecting /private/ on a few *.localhost names
// (Chromium resolves them all to loopback, so nothing machine-wide is
// changed): krb.localhost has a service principal, stale.localhost one
// whose key changed after its keytab was written, nospn.localhost none,
// and *.other.localhost belongs to a realm with no trust.
type kerberosSite struct {
	kdc    *realserver.KDC
	apache *realserver.Apache
}

const realm = "FIX401.TEST"

func startKerberosSite(t *testing.T) *kerberosSite {
	t.Helper()
	kdc := realserver.StartKDC(t, realm, map[string]string{
		".localhost": realm, ".other.localhost": "OTHER.TEST",
	})
	kdc.AddUser(t, "alice", "alice-kerberos-pw")
	keytab := filepath.Join(t.TempDir(), "http.keytab")
	kdc.AddService(t, "krb.localhost", keytab)
	kdc.AddService(t, "stale.localhost", keytab)
	kdc.Rekey(t, "stale.localhost")
	apache := realserver.StartGSSAPIApache(t, kdc, keytab, map[string]string{
		"www/private/index.html": "<!doctype html><title>Intranet</title><h1>Welcome to the intranet</h1>",
		"www/index.html":         "<!doctype html><title>Home</title><h1>Home</h1>",
	})
	return &kerberosSite{kdc: kdc, apache: apache}
}

// kerberosBrowser starts a browser of the test's own (the ticket cache is
// read from its environment at start) with the hosts allowed.
func kerberosBrowser(t *testing.T, allow []string, profile string) *browser.Browser {
	t.Helper()
	path, err := browser.Find("", os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	b, err := browser.Launch(context.Background(), browser.Options{ExecPath: path, AuthServerAllowlist: allow, UserDataDir: profile})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// remoteBrowser is a Chromium fix401 did not start, reached over its
// DevTools port (--browser-url): fix401 cannot read its network log.
func remoteBrowser(t *testing.T) *browser.Browser {
	t.Helper()
	path, err := browser.Find("", os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "fix401-remote-")
	if err != nil {
		t.Fatal(err)
	}
	port := realserver.FreePort(t)
	cmd := exec.Command(path, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--remote-debugging-port="+strconv.Itoa(port), "--user-data-dir="+filepath.Join(dir, "profile"), "about:blank")
	// Its temporary files in its own folder, not the tests' TMPDIR.
	if err := os.Mkdir(filepath.Join(dir, "t"), 0o700); err != nil {
		t.Fatal(err)
	}
	cmd.Env = append(os.Environ(), "TMPDIR="+filepath.Join(dir, "t"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		proc.KillUsing(dir)
		os.RemoveAll(dir)
	})
	var b *browser.Browser
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if b, err = browser.Launch(context.Background(), browser.Options{RemoteURL: "http://127.0.0.1:" + strconv.Itoa(port)}); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func findingIDs(r *reports.Report) []string {
	var ids []string
	for _, f := range r.Diagnosis.Findings {
		ids = append(ids, f.ID)
	}
	return ids
}

// TestKerberos runs fix401 against the real KDC and Apache: each way
// integrated sign-in fails is told apart, and each fix is the right one.
func TestKerberos(t *testing.T) {
	site := startKerberosSite(t)
	kdc := site.kdc
	t.Setenv("KRB5_CONFIG", kdc.Conf)
	userCache := "FILE:" + filepath.Join(t.TempDir(), "user-cc")
	t.Setenv("KRB5CCNAME", userCache) // the user's own tickets
	signIn := func(t *testing.T, lifetime string) {
		os.Remove(userCache[len("FILE:"):])
		kdc.Kinit(t, "alice@"+realm, "alice-kerberos-pw", userCache, lifetime)
	}
	noTicket := func() { os.Remove(userCache[len("FILE:"):]) }
	target := site.apache.URL("krb.localhost", "/private/")
	diag := func(t *testing.T, b *browser.Browser, url string, only []string, in steps.Inputs, secrets ...string) *reports.Report {
		t.Helper()
		in.Runner = oscmd.System{}
		return runDiag(t, Config{URL: url, Browser: b, Only: only, Inputs: in, Secrets: secrets}).Report
	}
	expect := func(t *testing.T, r *reports.Report, outcome reports.Outcome, fixedBy string, findings ...string) {
		t.Helper()
		got := ""
		if r.FixedBy != nil {
			got = *r.FixedBy
		}
		if r.Outcome != outcome || got != fixedBy {
			t.Errorf("outcome %s fixed by %q, want %s by %q (summary: %s)", r.Outcome, got, outcome, fixedBy, r.Diagnosis.Summary)
		}
		ids := findingIDs(r)
		for _, f := range findings {
			if !slices.Contains(ids, f) {
				t.Errorf("finding %s missing; have %v", f, ids)
			}
		}
	}

	t.Run("a valid ticket signs in on the first load of a new profile", func(t *testing.T) {
		signIn(t, "10h")
		r := diag(t, kerberosBrowser(t, []string{"*.localhost"}, ""), target, nil, steps.Inputs{})
		expect(t, r, reports.Healthy, "")
		if r.Diagnosis.Intermittent {
			t.Error("reported intermittent")
		}
	})

	t.Run("without the seeded profile Chromium fails its first Negotiate", func(t *testing.T) {
		// The proof that the seed matters: a profile Chromium made itself
		// fails the first load and passes the next, a false "fixed by reload".
		signIn(t, "10h")
		r := diag(t, kerberosBrowser(t, []string{"*.localhost"}, t.TempDir()), target, []string{"reload"}, steps.Inputs{})
		if r.Outcome == reports.Healthy {
			t.Skip("this Chromium signs in at once even in a profile that never saw Negotiate")
		}
		expect(t, r, reports.Fixed, "reload")
	})

	t.Run("not allowed: integrated-auth fixes it, after every earlier step failed", func(t *testing.T) {
		signIn(t, "10h")
		r := diag(t, kerberosBrowser(t, nil, ""), target, nil, steps.Inputs{})
		expect(t, r, reports.Fixed, "integrated-auth", "negotiate_not_allowed")
		for _, s := range []string{"reload", "clear-cache", "clear-cookies", "fresh-profile"} {
			if got := stepResult(r, s); got != reports.StillFailing {
				t.Errorf("%s: %s", s, got)
			}
		}
		if h := stepEvidence(r, "integrated-auth", "host"); h != "krb.localhost" {
			t.Errorf("allowed host %v", h)
		}
	})

	t.Run("no ticket: relogin with a principal gets one, in a cache of its own", func(t *testing.T) {
		noTicket()
		r := diag(t, kerberosBrowser(t, []string{"*.localhost"}, ""), target, []string{"integrated-auth", "relogin"},
			steps.Inputs{User: "alice@" + realm, Password: "alice-kerberos-pw"}, "alice-kerberos-pw")
		expect(t, r, reports.Fixed, "relogin", "negotiate_no_ticket")
		if m := stepEvidence(r, "relogin", "method"); m != "kerberos" {
			t.Errorf("relogin method %v", m)
		}
		if stepResult(r, "integrated-auth") != reports.Skipped {
			t.Errorf("integrated-auth: %s (the host was allowed already)", stepResult(r, "integrated-auth"))
		}
		if _, err := os.Stat(userCache[len("FILE:"):]); err == nil {
			t.Error("relogin wrote into the user's own ticket cache")
		}
	})

	t.Run("expired ticket: found, and the user's cache is left byte for byte", func(t *testing.T) {
		signIn(t, "1s")
		deadline := time.Now().Add(10 * time.Second)
		for kdc.TicketValid(userCache) && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond) // the ticket's own end, not a guess
		}
		// Past the realm's tolerance too, or the KDC still honours it.
		time.Sleep(realserver.Skew + 200*time.Millisecond)
		before, err := os.ReadFile(userCache[len("FILE:"):])
		if err != nil {
			t.Fatal(err)
		}
		r := diag(t, kerberosBrowser(t, []string{"*.localhost"}, ""), target, []string{"relogin"},
			steps.Inputs{User: "alice@" + realm, Password: "alice-kerberos-pw"}, "alice-kerberos-pw")
		expect(t, r, reports.Fixed, "relogin", "negotiate_ticket_expired")
		after, _ := os.ReadFile(userCache[len("FILE:"):])
		if !bytes.Equal(before, after) {
			t.Error("the user's ticket cache changed")
		}
	})

	t.Run("a wrong password is kinit's refusal", func(t *testing.T) {
		noTicket()
		r := diag(t, kerberosBrowser(t, []string{"*.localhost"}, ""), target, []string{"relogin"},
			steps.Inputs{User: `FIX401\alice`, Password: "not-her-password"}, "not-her-password")
		expect(t, r, reports.Unresolved, "", "credentials_rejected", "negotiate_no_ticket")
		if a, _ := stepEvidence(r, "relogin", "kdc_answer").(string); a == "" {
			t.Error("no kdc_answer")
		}
	})

	t.Run("a remote browser: the cause cannot be told, and the report says so", func(t *testing.T) {
		signIn(t, "10h")
		r := diag(t, remoteBrowser(t), target, []string{"reload"}, steps.Inputs{})
		said := false
		for _, w := range r.Diagnosis.Warnings {
			said = said || strings.Contains(w, "could not be determined")
		}
		if !said || len(r.Diagnosis.Findings) != 0 {
			t.Errorf("warnings %q findings %v", r.Diagnosis.Warnings, findingIDs(r))
		}
	})

	for _, c := range []struct{ name, host, finding string }{
		{"a host with no service principal", "nospn.localhost", "negotiate_spn_unknown"},
		{"a host of another realm", "app.other.localhost", "negotiate_wrong_realm"},
		{"a keytab out of date", "stale.localhost", "negotiate_rejected"},
	} {
		t.Run(c.name, func(t *testing.T) {
			signIn(t, "10h")
			r := diag(t, kerberosBrowser(t, []string{"*.localhost"}, ""), site.apache.URL(c.host, "/private/"), []string{"reload"}, steps.Inputs{})
			expect(t, r, reports.Unresolved, "", c.finding)
			if len(r.Diagnosis.Findings) != 1 {
				t.Errorf("findings %v, want only %s", findingIDs(r), c.finding)
			}
		})
	}
}
