package agent

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/harfile"
	netlogpkg "github.com/fix401/fix401/internal/netlog"
	"github.com/fix401/fix401/internal/realserver"
	"github.com/fix401/fix401/internal/testhar"
	"github.com/fix401/fix401/reports"
)

// analyzeFile diagnoses a HAR file as `fix401 analyze` does, with the
// network log at netlog beside it when one is given.
func analyzeFile(t *testing.T, path, netlog string) *reports.Report {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rec, err := harfile.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	loads := browser.Replay(rec.Requests, 1)
	if netlog != "" {
		nl, err := netlogpkg.Open(netlog)
		if err != nil {
			t.Fatal(err)
		}
		as, err := nl.Read(0)
		if err != nil {
			t.Fatal(err)
		}
		browser.AttachSignIn(loads, as)
	}
	res, err := Analyze(Recording{Loads: loads, Creator: rec.Creator, Entries: rec.Entries}, AnalyzeConfig{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return res.Report
}

// TestAnalyzeSingleSignOnRecordings: HARs Playwright recorded of sign-ins
// through a real OpenID Provider (oidc-provider + mod_auth_openidc, as in
// TestSSOOpenIDConnect), a person at the keyboard, diagnosed from the
// recording alone.
func TestAnalyzeSingleSignOnRecordings(t *testing.T) {
	l := newSSOLab(t, realserver.OIDCOptions{}, map[string]string{"app": "https", "unregistered": "https", "big": "https"})
	app := l.app(t, "app", realserver.OpenIDCOptions{})
	provider := fmt.Sprintf("%s:%d", idpHost, l.idp.Port)
	record := func(t *testing.T, url, user, password string) string {
		return testhar.Playwright(t, testhar.Options{URLs: []string{url}, IgnoreHTTPSErrors: true,
			HostRules: []string{"MAP " + appHost + " 127.0.0.1", "MAP " + idpHost + " 127.0.0.1"}, SignIn: user, SignInPassword: password})
	}
	t.Run("sent to the provider's sign-in page: sso_sign_in_required", func(t *testing.T) {
		r := analyzeFile(t, record(t, app.URL("/protected/"), "", ""), "")
		f := finding(r, "sso_sign_in_required")
		if r.Diagnosis.Kind != "soft_401" || r.Outcome != reports.Unresolved || f == nil || f.Evidence["provider"] != provider {
			t.Fatalf("kind %s outcome %s findings %v", r.Diagnosis.Kind, r.Outcome, findingIDs(r))
		}
	})
	t.Run("a wrong password: the provider's form came back, credentials_rejected", func(t *testing.T) {
		r := analyzeFile(t, record(t, app.URL("/protected/"), "alice", "not-alices-password"), "")
		if r.Outcome != reports.Unresolved || finding(r, "credentials_rejected") == nil {
			t.Fatalf("kind %s outcome %s findings %v: %s", r.Diagnosis.Kind, r.Outcome, findingIDs(r), r.Diagnosis.Summary)
		}
	})
	t.Run("the right password: no failure recorded", func(t *testing.T) {
		r := analyzeFile(t, record(t, app.URL("/protected/"), "alice", "alice-idp-pw-2718"), "")
		// The recording starts at the provider's page, as a sign-in does,
		// and ends on the app's page: no failure, and the report says so.
		if r.Outcome != reports.Healthy || finding(r, "credentials_rejected") != nil || !strings.Contains(r.Diagnosis.Summary, "signing in let it through") {
			t.Fatalf("outcome %s findings %v: %s", r.Outcome, findingIDs(r), r.Diagnosis.Summary)
		}
	})
	t.Run("a redirect URI the provider does not know: idp_error", func(t *testing.T) {
		bad := l.app(t, "unregistered", realserver.OpenIDCOptions{RedirectPath: "/protected/oidc-callback"})
		r := analyzeFile(t, record(t, bad.URL("/protected/"), "", ""), "")
		f := finding(r, "idp_error")
		if f == nil || f.Evidence["error"] != "invalid_redirect_uri" {
			t.Fatalf("kind %s findings %v", r.Diagnosis.Kind, findingIDs(r))
		}
	})
	t.Run("a session cookie too big to store: sso_redirect_loop", func(t *testing.T) {
		big := l.app(t, "big", realserver.OpenIDCOptions{Conf: "OIDCScope \"openid profile\"\nOIDCSessionType client-cookie\nOIDCSessionCookieChunkSize 0\n"})
		r := analyzeFile(t, record(t, big.URL("/protected/"), "carol", "carol-idp-pw-1618"), "")
		loop := finding(r, "sso_redirect_loop")
		if loop == nil {
			t.Fatalf("kind %s outcome %s findings %v: %s", r.Diagnosis.Kind, r.Outcome, findingIDs(r), r.Diagnosis.Summary)
		}
		if hosts, _ := loop.Evidence["hosts"].([]string); !slices.Contains(hosts, provider) {
			t.Errorf("loop %s %v", loop.Title, loop.Evidence)
		}
	})
}

// TestAnalyzeClockSkewRecording: a provider 15 minutes behind issuing
// 60 s id_tokens through the browser (TestSSOClockSkew's set-up), signed
// in to by a person while Playwright recorded.
func TestAnalyzeClockSkewRecording(t *testing.T) {
	l := newSSOLab(t, realserver.OIDCOptions{ClockOffset: "-15m", IDTokenTTL: 60}, map[string]string{"hybrid": "https"})
	app := l.app(t, "hybrid", realserver.OpenIDCOptions{ResponseType: "code id_token", ResponseMode: "form_post"})
	har := testhar.Playwright(t, testhar.Options{URLs: []string{app.URL("/protected/")}, IgnoreHTTPSErrors: true,
		HostRules: []string{"MAP " + appHost + " 127.0.0.1", "MAP " + idpHost + " 127.0.0.1"}, SignIn: "alice", SignInPassword: "alice-idp-pw-2718"})
	r := analyzeFile(t, har, "")
	if finding(r, "clock_skew") == nil || finding(r, "token_expired") == nil {
		t.Fatalf("kind %s outcome %s findings %v: %s", r.Diagnosis.Kind, r.Outcome, findingIDs(r), r.Diagnosis.Summary)
	}
}

// TestAnalyzeKerberosRecording: a person's browser met a real Kerberos
// site (MIT KDC + Apache mod_auth_gssapi) that it may not sign in to (no
// AuthServerAllowlist), recorded by Playwright with the browser's network
// log beside it, as chrome://net-export writes it: the HAR alone cannot
// say why Negotiate failed, the log can.
func TestAnalyzeKerberosRecording(t *testing.T) {
	site := startKerberosSite(t)
	t.Setenv("KRB5_CONFIG", site.kdc.Conf)
	cache := "FILE:" + filepath.Join(t.TempDir(), "cc")
	t.Setenv("KRB5CCNAME", cache)
	site.kdc.Kinit(t, "alice@"+realm, "alice-kerberos-pw", cache, "10h")
	target := site.apache.URL("krb.localhost", "/private/")
	har := testhar.Playwright(t, testhar.Options{URLs: []string{target}})
	// The network log of the same page in the person's browser, as
	// chrome://net-export writes it: Chromium's own --log-net-log. Not
	// Playwright's browser: its profiles are new, and a new profile fails
	// its first Negotiate before the Kerberos library is asked.
	netlog := filepath.Join(t.TempDir(), "net-export.json")
	chrome, err := browser.Find("", os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	// A profile that has met Negotiate before, as a person's has (see
	// browser.seedLocalState).
	profile := t.TempDir()
	if err := os.WriteFile(filepath.Join(profile, "Local State"), []byte(`{"net":{"received_http_auth_negotiate_headers":true}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	dump := exec.Command(chrome, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir="+profile,
		"--log-net-log="+netlog, "--net-log-capture-mode=Default", "--dump-dom", target)
	if out, err := dump.CombinedOutput(); err != nil {
		t.Fatalf("chromium --dump-dom: %v\n%s", err, out)
	}

	r := analyzeFile(t, har, "")
	if r.Diagnosis.Kind != "http_401" || len(r.Diagnosis.Challenges) == 0 || r.Diagnosis.Challenges[0].Scheme != "Negotiate" {
		t.Fatalf("kind %s challenges %v", r.Diagnosis.Kind, r.Diagnosis.Challenges)
	}
	if !slices.ContainsFunc(r.Diagnosis.Warnings, func(w string) bool { return strings.Contains(w, "--netlog") }) {
		t.Errorf("without the log the report should say what it cannot tell: %q", r.Diagnosis.Warnings)
	}

	withLog := analyzeFile(t, har, netlog)
	if finding(withLog, "negotiate_not_allowed") == nil {
		t.Fatalf("with the network log: findings %v, warnings %q", findingIDs(withLog), withLog.Diagnosis.Warnings)
	}
}
