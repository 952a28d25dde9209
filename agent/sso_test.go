package agent

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/realserver"
	"github.com/fix401/fix401/reports"
	"github.com/fix401/fix401/steps"
)

// ssoLab is a real OpenID Connect set-up: npm's oidc-provider as the
// identity provider at provider.test and Apache with mod_auth_openidc as
// the app at app.example — two registrable domains, so the provider is
// cross-site, both over https with a certificate authority of the test's
// own that the browser trusts through its NSS database.
type ssoLab struct {
	ca      *realserver.CA
	idp     *realserver.OIDCProvider
	browser *browser.Browser
	ports   map[string]int
}

const (
	appHost = "app.example"
	idpHost = "provider.test"
)

// newSSOLab starts the provider with a client per app name, each app's
// port picked first (the registration names its redirect URI).
func newSSOLab(t *testing.T, o realserver.OIDCOptions, apps map[string]string) *ssoLab {
	t.Helper()
	ca := realserver.NewCA(t, appHost, idpHost)
	l := &ssoLab{ca: ca, ports: map[string]int{}}
	for name, scheme := range apps {
		port := realserver.FreePort(t)
		l.ports[name] = port
		c := realserver.OIDCClient{ID: name, Secret: name + "-client-secret", ResponseTypes: []string{"code"},
			GrantTypes: []string{"authorization_code"}, AuthMethod: "client_secret_post",
			RedirectURIs: []string{fmt.Sprintf("%s://%s:%d/protected/redirect_uri", scheme, appHost, port)}}
		if strings.HasPrefix(name, "hybrid") {
			c.ResponseTypes = []string{"code id_token"}
			c.GrantTypes = []string{"authorization_code", "implicit"}
		}
		o.Clients = append(o.Clients, c)
	}
	o.Host = idpHost
	if o.Users == nil {
		o.Users = map[string]realserver.OIDCUser{
			"alice": {Password: "alice-idp-pw-2718"},
			"bob":   {Password: "bob-idp-pw-3141", MFA: true},
			// In 150 groups, which the id_token lists.
			"carol": {Password: "carol-idp-pw-1618", Groups: 150},
		}
	}
	l.idp = realserver.StartOIDCProvider(t, ca, o)
	l.browser = ssoBrowser(t, ca, appHost, idpHost)
	return l
}

// ssoBrowser starts a browser that trusts the test's CA (an NSS database
// of its own, as a company's managed machine trusts its authority) and
// finds hosts on loopback (--host-rule).
func ssoBrowser(t *testing.T, ca *realserver.CA, hosts ...string) *browser.Browser {
	t.Helper()
	path, err := browser.Find("", os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	var rules []string
	for _, h := range hosts {
		rules = append(rules, "MAP "+h+" 127.0.0.1")
	}
	b, err := browser.Launch(context.Background(), browser.Options{ExecPath: path, Env: ca.BrowserEnv, HostRules: rules})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func (l *ssoLab) app(t *testing.T, name string, o realserver.OpenIDCOptions) *realserver.OpenIDCApp {
	t.Helper()
	o.Host, o.Port, o.ClientID, o.ClientSecret = appHost, l.ports[name], name, name+"-client-secret"
	return realserver.StartOpenIDCApp(t, l.ca, l.idp, o)
}

func (l *ssoLab) run(t *testing.T, target string, only []string, in steps.Inputs) *reports.Report {
	t.Helper()
	var secrets []string
	if in.Password != "" {
		secrets = append(secrets, in.Password)
	}
	return runDiag(t, Config{URL: target, Browser: l.browser, Only: only, Inputs: in, Secrets: secrets}).Report
}

func finding(r *reports.Report, id string) *reports.Finding {
	for i := range r.Diagnosis.Findings {
		if r.Diagnosis.Findings[i].ID == id {
			return &r.Diagnosis.Findings[i]
		}
	}
	return nil
}

// TestSSOOpenIDConnect diagnoses and repairs sign-in through a real
// OpenID Provider, each case a real set-up or misconfiguration of it.
func TestSSOOpenIDConnect(t *testing.T) {
	l := newSSOLab(t, realserver.OIDCOptions{}, map[string]string{"app": "https", "lax": "https", "suffix": "https", "unregistered": "https", "big": "https"})
	app := l.app(t, "app", realserver.OpenIDCOptions{})
	target := app.URL("/protected/")
	provider := fmt.Sprintf("%s:%d", idpHost, l.idp.Port)
	alice := steps.Inputs{User: "alice", Password: "alice-idp-pw-2718"}

	t.Run("the sign-in page is a soft 401 named by its provider", func(t *testing.T) {
		r := l.run(t, target, []string{"reload"}, steps.Inputs{})
		f := finding(r, "sso_sign_in_required")
		if r.Diagnosis.Kind != "soft_401" || r.Outcome != reports.Unresolved || f == nil {
			t.Fatalf("kind %s outcome %s findings %v", r.Diagnosis.Kind, r.Outcome, findingIDs(r))
		}
		if f.Evidence["provider"] != provider || f.Evidence["protocol"] != "OpenID Connect" || f.Evidence["request"] != provider+"/auth" {
			t.Errorf("evidence %v", f.Evidence)
		}
		if slices.Contains(findingIDs(r), "login_form") {
			t.Errorf("the provider's page is no login_form of the app's: %v", findingIDs(r))
		}
		// The test CA's certificates live two days.
		if exp, err := time.Parse(time.RFC3339, r.Steps[0].Loads[0].TLSCertExpires); err != nil || time.Until(exp) < 24*time.Hour || time.Until(exp) > 72*time.Hour {
			t.Errorf("tls_cert_expires %q", r.Steps[0].Loads[0].TLSCertExpires)
		}
	})
	t.Run("relogin signs in through the provider, identifier first", func(t *testing.T) {
		r := l.run(t, target, []string{"relogin"}, alice)
		if r.Outcome != reports.Fixed || *r.FixedBy != "relogin" {
			t.Fatalf("outcome %s findings %v: %s", r.Outcome, findingIDs(r), r.Diagnosis.Summary)
		}
		pages, _ := stepEvidence(r, "relogin", "pages").([]string)
		if !slices.Equal(pages, []string{"identifier", "password"}) || stepEvidence(r, "relogin", "provider") != provider {
			t.Errorf("evidence pages %v provider %v", stepEvidence(r, "relogin", "pages"), stepEvidence(r, "relogin", "provider"))
		}
	})
	t.Run("a wrong password is credentials_rejected", func(t *testing.T) {
		r := l.run(t, target, []string{"relogin"}, steps.Inputs{User: "alice", Password: "not-alices-password"})
		f := finding(r, "credentials_rejected")
		if r.Outcome != reports.Unresolved || f == nil || f.Severity != reports.Cause {
			t.Fatalf("outcome %s findings %v", r.Outcome, findingIDs(r))
		}
		if !strings.Contains(f.Title, provider) {
			t.Errorf("title %q", f.Title)
		}
	})
	t.Run("a second factor stops relogin: mfa_required", func(t *testing.T) {
		r := l.run(t, target, []string{"relogin"}, steps.Inputs{User: "bob", Password: "bob-idp-pw-3141"})
		if r.Outcome != reports.Unresolved || finding(r, "mfa_required") == nil || finding(r, "credentials_rejected") != nil {
			t.Fatalf("outcome %s findings %v", r.Outcome, findingIDs(r))
		}
	})
	t.Run("after clear-cookies relogin starts again from the app", func(t *testing.T) {
		// clear-cookies clears the provider's site data too, which makes
		// the provider's sign-in address seen at first stale: relogin must
		// follow the app's current redirect, not reopen that one.
		r := l.run(t, target, []string{"clear-cookies", "relogin"}, alice)
		if r.Outcome != reports.Fixed || *r.FixedBy != "relogin" {
			t.Fatalf("outcome %s findings %v: %s", r.Outcome, findingIDs(r), r.Diagnosis.Summary)
		}
		origins, _ := stepEvidence(r, "clear-cookies", "origins").([]string)
		if !slices.Contains(origins, "https://"+provider) {
			t.Errorf("clear-cookies cleared %v, not the provider's origin", origins)
		}
	})
	t.Run("a redirect URI the provider does not know is idp_error", func(t *testing.T) {
		bad := l.app(t, "unregistered", realserver.OpenIDCOptions{RedirectPath: "/protected/oidc-callback"})
		r := l.run(t, bad.URL("/protected/"), []string{"reload"}, steps.Inputs{})
		f := finding(r, "idp_error")
		if r.Diagnosis.Kind != "soft_401" || f == nil || f.Severity != reports.Cause {
			t.Fatalf("kind %s findings %v", r.Diagnosis.Kind, findingIDs(r))
		}
		if f.Evidence["error"] != "invalid_redirect_uri" || f.Evidence["provider"] != provider || !strings.Contains(f.Title, "not registered") {
			t.Errorf("finding %s %v", f.Title, f.Evidence)
		}
		if finding(r, "sso_sign_in_required") != nil {
			t.Errorf("an error page is no sign-in page: %v", findingIDs(r))
		}
	})
	t.Run("a SameSite=Lax state cookie is not sent with the provider's form post", func(t *testing.T) {
		// The module's OIDCCookieSameSite On makes its state cookie Lax;
		// with response_mode form_post the provider posts the answer back
		// from its own site, and the browser leaves the cookie out.
		lax := l.app(t, "lax", realserver.OpenIDCOptions{ResponseMode: "form_post", Conf: "OIDCCookieSameSite On\n"})
		r := l.run(t, lax.URL("/protected/"), []string{"relogin"}, alice)
		f := finding(r, "cookie_blocked")
		if r.Outcome != reports.Unresolved || f == nil || f.Severity != reports.Cause {
			t.Fatalf("outcome %s findings %v: %s", r.Outcome, findingIDs(r), r.Diagnosis.Summary)
		}
		if s := finding(r, "sso_sign_in_required"); s != nil && s.Severity == reports.Cause {
			t.Errorf("relogin signed in: the sign-in page is no longer the cause")
		}
		c := f.Evidence["cookies"].([]map[string]any)[0]
		if c["name"] != "mod_auth_openidc_state_[redacted]" || c["refused"] != "not sent" || c["domain"] != appHost ||
			!strings.Contains(fmt.Sprint(c["reasons"]), "SameSiteLax") {
			t.Errorf("cookie %v", c)
		}
		loads := r.Steps[len(r.Steps)-1].Loads
		if last := loads[len(loads)-1]; !strings.Contains(last.Reason, "did not accept the sign-in") {
			t.Errorf("relogin's last load: %s", last.Reason)
		}
	})
	t.Run("a cookie domain the browser may not set: cookie_blocked", func(t *testing.T) {
		// OIDCCookieDomain names "example", a top-level domain: the
		// browser stores no cookie for it, so the state is lost.
		suffix := l.app(t, "suffix", realserver.OpenIDCOptions{Conf: "OIDCCookieDomain example\n"})
		r := l.run(t, suffix.URL("/protected/"), []string{"relogin"}, alice)
		f := finding(r, "cookie_blocked")
		if r.Outcome != reports.Unresolved || f == nil {
			t.Fatalf("outcome %s findings %v: %s", r.Outcome, findingIDs(r), r.Diagnosis.Summary)
		}
		c := f.Evidence["cookies"].([]map[string]any)[0]
		if c["refused"] != "not stored" || !strings.Contains(fmt.Sprint(c["reasons"]), "InvalidDomain") {
			t.Errorf("cookie %v", c)
		}
	})
	t.Run("a session cookie too big to store loops: sso_redirect_loop", func(t *testing.T) {
		// The session kept in one cookie (no chunks) with carol's 150
		// groups in it: over 4 KB, so the browser drops it, and every
		// visit starts a sign-in that the provider's session answers.
		big := l.app(t, "big", realserver.OpenIDCOptions{Conf: "OIDCScope \"openid profile\"\nOIDCSessionType client-cookie\nOIDCSessionCookieChunkSize 0\n"})
		r := l.run(t, big.URL("/protected/"), []string{"relogin"}, steps.Inputs{User: "carol", Password: "carol-idp-pw-1618"})
		loop, blocked := finding(r, "sso_redirect_loop"), finding(r, "cookie_blocked")
		if r.Outcome != reports.Unresolved || loop == nil || blocked == nil {
			t.Fatalf("outcome %s findings %v: %s", r.Outcome, findingIDs(r), r.Diagnosis.Summary)
		}
		hosts, _ := loop.Evidence["hosts"].([]string)
		if !slices.Contains(hosts, provider) || loop.Evidence["rounds"].(int) < 2 {
			t.Errorf("loop %s %v", loop.Title, loop.Evidence)
		}
		for _, c := range loop.Evidence["cycle"].([]string) {
			if strings.ContainsAny(c, "?=") {
				t.Errorf("the cycle shows parameters: %q", c)
			}
		}
		c := blocked.Evidence["cookies"].([]map[string]any)[0]
		if c["name"] != "mod_auth_openidc_session" || !strings.Contains(fmt.Sprint(c["reasons"]), "ExceedsMaxSize") {
			t.Errorf("cookie %v", c)
		}
	})
}

// TestSSOClockSkew runs the provider with its clock 15 minutes behind and
// id_tokens that live 60 s, sent through the browser (response type
// "code id_token", form_post): the app refuses them.
func TestSSOClockSkew(t *testing.T) {
	l := newSSOLab(t, realserver.OIDCOptions{ClockOffset: "-15m", IDTokenTTL: 60}, map[string]string{"hybrid": "https"})
	app := l.app(t, "hybrid", realserver.OpenIDCOptions{ResponseType: "code id_token", ResponseMode: "form_post"})
	t.Run("a provider 15 min behind issues id_tokens already expired", func(t *testing.T) {
		r := l.run(t, app.URL("/protected/"), []string{"relogin"}, steps.Inputs{User: "alice", Password: "alice-idp-pw-2718"})
		skew, expired := finding(r, "clock_skew"), finding(r, "token_expired")
		if r.Outcome != reports.Unresolved || skew == nil || expired == nil {
			t.Fatalf("outcome %s findings %v: %s", r.Outcome, findingIDs(r), r.Diagnosis.Summary)
		}
		if off, _ := skew.Evidence["offset_s"].(int); off > -14*60 || off < -16*60 || skew.Evidence["host"] != fmt.Sprintf("%s:%d", idpHost, l.idp.Port) {
			t.Errorf("clock_skew %s %v", skew.Title, skew.Evidence)
		}
		if expired.Evidence["token"] != "id_token" || expired.Evidence["lifetime_s"] != 60 {
			t.Errorf("token_expired %s %v", expired.Title, expired.Evidence)
		}
	})
}

// TestExpiredTokenOfASinglePageApp: a single-page app keeps its access
// token (a JWT) in localStorage and sends it to its API, which refuses it
// as expired. The token's times are read in the page and from the request,
// never the token.
func TestExpiredTokenOfASinglePageApp(t *testing.T) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	exp := time.Now().Add(-2 * time.Hour).Unix()
	jwt := enc(`{"alg":"RS256","typ":"JWT"}`) + "." + enc(fmt.Sprintf(`{"sub":"alice","iat":%d,"exp":%d}`, exp-3600, exp)) + ".c2lnbmF0dXJlLXZhbHVlLTk4NzY"
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><title>Orders</title><h1>Orders</h1><script>
localStorage.setItem('app.auth', JSON.stringify({accessToken: %q}));
fetch('/api/orders', {headers: {Authorization: 'Bearer ' + JSON.parse(localStorage.getItem('app.auth')).accessToken}});
</script>`, jwt)
	})
	mux.HandleFunc("/api/orders", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="The token expired"`)
		w.WriteHeader(401)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	res := runDiag(t, Config{URL: srv.URL + "/", Only: []string{"reload"}})
	r := res.Report
	if r.Diagnosis.Kind != "subresource_401" {
		t.Fatalf("kind %s", r.Diagnosis.Kind)
	}
	var where []string
	for _, f := range r.Diagnosis.Findings {
		if f.ID == "token_expired" {
			where = append(where, fmt.Sprint(f.Evidence["where"]))
			if f.Evidence["expires"] != time.Unix(exp, 0).UTC().Format(time.RFC3339) || f.Severity != reports.Cause {
				t.Errorf("%s %v", f.Title, f.Evidence)
			}
		}
	}
	if !slices.Contains(where, "the page keeps in its localStorage") || !slices.ContainsFunc(where, func(s string) bool { return strings.HasPrefix(s, "the page sent to") }) {
		t.Errorf("token_expired found %v, findings %v", where, findingIDs(r))
	}
	data, _ := reports.JSON(r)
	if bytes.Contains(data, []byte(jwt[40:])) {
		t.Error("the report holds the token")
	}
}
