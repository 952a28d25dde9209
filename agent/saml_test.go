package agent

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/har"
	"github.com/fix401/fix401/internal/realserver"
	"github.com/fix401/fix401/reports"
	"github.com/fix401/fix401/steps"
)

const samlIdPHost = "idp.saml.test"

// TestSSOSAML diagnoses and repairs a real SAML 2.0 sign-in: Debian's
// SimpleSAMLphp as the identity provider and Apache mod_auth_mellon as the
// app, on two registrable domains over https with the test's own CA.
func TestSSOSAML(t *testing.T) {
	ca := realserver.NewCA(t, appHost, samlIdPHost)
	ports := map[string]int{"app": realserver.FreePort(t), "insecure": realserver.FreePort(t), "unknown": realserver.FreePort(t)}
	idp := realserver.StartSAMLIdP(t, ca, realserver.SAMLIdPOptions{
		Host:  samlIdPHost,
		Users: map[string]string{"alice": "alice-saml-pw-1414"},
		SPs:   []realserver.SAMLSP{realserver.MellonSP(appHost, ports["app"]), realserver.MellonSP(appHost, ports["insecure"])},
	})
	app := realserver.StartMellonApp(t, ca, idp, realserver.MellonOptions{Host: appHost, Port: ports["app"]})
	b := ssoBrowser(t, ca, appHost, samlIdPHost)
	run := func(t *testing.T, target string, only []string, in steps.Inputs) *reports.Report {
		t.Helper()
		var secrets []string
		if in.Password != "" {
			secrets = append(secrets, in.Password)
		}
		return runDiag(t, Config{URL: target, Browser: b, Only: only, Inputs: in, Secrets: secrets}).Report
	}
	provider := fmt.Sprintf("%s:%d", samlIdPHost, idp.Port)
	target := app.URL("/protected/")

	t.Run("the SAML sign-in page is a soft 401 named by its provider", func(t *testing.T) {
		r := run(t, target, []string{"reload"}, steps.Inputs{})
		f := finding(r, "sso_sign_in_required")
		if r.Diagnosis.Kind != "soft_401" || f == nil {
			t.Fatalf("kind %s findings %v: %s", r.Diagnosis.Kind, findingIDs(r), r.Diagnosis.Summary)
		}
		if f.Evidence["provider"] != provider || f.Evidence["protocol"] != "SAML" {
			t.Errorf("evidence %v", f.Evidence)
		}
	})
	t.Run("relogin signs in through the SAML provider", func(t *testing.T) {
		res := runDiag(t, Config{URL: target, Browser: b, Only: []string{"relogin"},
			Inputs: steps.Inputs{User: "alice", Password: "alice-saml-pw-1414"}, Secrets: []string{"alice-saml-pw-1414"}})
		r := res.Report
		if r.Outcome != reports.Fixed || *r.FixedBy != "relogin" {
			t.Fatalf("outcome %s findings %v: %s", r.Outcome, findingIDs(r), r.Diagnosis.Summary)
		}
		if stepEvidence(r, "relogin", "protocol") != "SAML" {
			t.Errorf("relogin evidence protocol %v", stepEvidence(r, "relogin", "protocol"))
		}
		// The dance's one-time values, as the browser saw them: the
		// request, the provider's AuthState, the relay state, both hosts'
		// cookies. None reaches the report or the HAR.
		secrets := append(browser.CredentialValues(res.Requests), "alice-saml-pw-1414")
		for _, q := range res.Requests {
			for _, h := range append(slices.Clone(q.Redirects), q) {
				u, err := url.Parse(h.URL)
				if err != nil {
					continue
				}
				for _, k := range []string{"SAMLRequest", "AuthState", "RelayState"} {
					// mellon's RelayState is the page's own address.
					if v := u.Query().Get(k); len(v) >= 8 && !strings.HasPrefix(v, "http") {
						secrets = append(secrets, v)
					}
				}
			}
		}
		if len(secrets) < 5 {
			t.Fatalf("only %d values planted", len(secrets))
		}
		pages := []har.Page{}
		for _, p := range res.Pages {
			pages = append(pages, har.Page{Load: p.Index, Title: p.Title, Started: p.Started})
		}
		harData, err := har.Build(pages, res.Requests, har.Options{Secrets: []string{"alice-saml-pw-1414"}})
		if err != nil {
			t.Fatal(err)
		}
		js, _ := reports.JSON(r)
		for name, data := range map[string][]byte{"report.json": js, "report.md": reports.Markdown(r), "network.har": harData} {
			for _, s := range secrets {
				if strings.Contains(string(data), s) {
					t.Errorf("%s holds a one-time value %.16q…", name, s)
				}
			}
		}
		if !strings.Contains(string(harData), "SAMLRequest=[redacted]") || !strings.Contains(string(harData), "AuthState=[redacted]") {
			t.Error("the HAR lost the parameters' names")
		}
	})
	t.Run("a wrong password is credentials_rejected", func(t *testing.T) {
		r := run(t, target, []string{"relogin"}, steps.Inputs{User: "alice", Password: "not-alices-saml-password"})
		if r.Outcome != reports.Unresolved || finding(r, "credentials_rejected") == nil {
			t.Fatalf("outcome %s findings %v", r.Outcome, findingIDs(r))
		}
	})
	t.Run("an app the provider does not know is idp_error", func(t *testing.T) {
		unknown := realserver.StartMellonApp(t, ca, idp, realserver.MellonOptions{Host: appHost, Port: ports["unknown"], Unregistered: true})
		r := run(t, unknown.URL("/protected/"), []string{"reload"}, steps.Inputs{})
		f := finding(r, "idp_error")
		if r.Diagnosis.Kind != "soft_401" || f == nil || finding(r, "sso_sign_in_required") != nil {
			t.Fatalf("kind %s findings %v: %s", r.Diagnosis.Kind, findingIDs(r), r.Diagnosis.Summary)
		}
		if f.Evidence["error"] != "Metadata not found" || f.Evidence["protocol"] != "SAML" || f.Evidence["provider"] != provider {
			t.Errorf("%s %v", f.Title, f.Evidence)
		}
	})
	t.Run("mellon's SameSite=None cookie without Secure is refused", func(t *testing.T) {
		// MellonSecureCookie Off (mellon's own default): its cookie test
		// cookie is SameSite=None without Secure, which browsers refuse.
		insecure := realserver.StartMellonApp(t, ca, idp, realserver.MellonOptions{Host: appHost, Port: ports["insecure"], InsecureCookie: true})
		r := run(t, insecure.URL("/protected/"), []string{"relogin"}, steps.Inputs{User: "alice", Password: "alice-saml-pw-1414"})
		f := finding(r, "cookie_blocked")
		if r.Outcome != reports.Unresolved || f == nil || f.Severity != reports.Cause {
			t.Fatalf("outcome %s findings %v: %s", r.Outcome, findingIDs(r), r.Diagnosis.Summary)
		}
		cookies := f.Evidence["cookies"].([]map[string]any)
		if !slices.ContainsFunc(cookies, func(c map[string]any) bool {
			return c["name"] == "mellon-cookie" && strings.Contains(fmt.Sprint(c["reasons"]), "SameSiteNoneInsecure")
		}) {
			t.Errorf("cookies %v", cookies)
		}
	})
}

// TestSSOSAMLClockBehind runs SimpleSAMLphp with its clock 10 minutes
// behind: its assertions are already expired when mellon checks them.
func TestSSOSAMLClockBehind(t *testing.T) {
	ca := realserver.NewCA(t, appHost, samlIdPHost)
	port := realserver.FreePort(t)
	idp := realserver.StartSAMLIdP(t, ca, realserver.SAMLIdPOptions{Host: samlIdPHost, ClockOffset: "-10m",
		Users: map[string]string{"alice": "alice-saml-pw-1414"}, SPs: []realserver.SAMLSP{realserver.MellonSP(appHost, port)}})
	app := realserver.StartMellonApp(t, ca, idp, realserver.MellonOptions{Host: appHost, Port: port})
	b := ssoBrowser(t, ca, appHost, samlIdPHost)
	t.Run("assertions from a provider 10 min behind are expired", func(t *testing.T) {
		r := runDiag(t, Config{URL: app.URL("/protected/"), Browser: b, Only: []string{"relogin"},
			Inputs: steps.Inputs{User: "alice", Password: "alice-saml-pw-1414"}, Secrets: []string{"alice-saml-pw-1414"}}).Report
		skew, expired := finding(r, "clock_skew"), finding(r, "token_expired")
		if r.Outcome != reports.Unresolved || skew == nil || expired == nil {
			t.Fatalf("outcome %s findings %v: %s", r.Outcome, findingIDs(r), r.Diagnosis.Summary)
		}
		if expired.Evidence["token"] != "SAML assertion" {
			t.Errorf("token_expired %s %v", expired.Title, expired.Evidence)
		}
	})
}
