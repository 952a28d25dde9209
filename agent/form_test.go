package agent

import (
	"slices"
	"strings"
	"testing"

	"github.com/fix401/fix401/internal/realserver"
	"github.com/fix401/fix401/reports"
	"github.com/fix401/fix401/steps"
)

// TestLoginFormOnThe401Page signs in to a real Apache with mod_auth_form
// set up as its documentation shows: the protected URL answers 401 with
// no WWW-Authenticate and the login form as its ErrorDocument, at the
// same URL. relogin finds and fills that form; the finding names where
// it posts and its fields, never a value.
func TestLoginFormOnThe401Page(t *testing.T) {
	const form = `<!doctype html><html><head><title>Sign in</title></head><body><h1>Sign in to Reports</h1>
<form method="POST" action="/dologin.html">
<label>User <input type="text" name="httpd_username"></label>
<label>Password <input type="password" name="httpd_password"></label>
<input type="submit" value="Sign in">
</form></body></html>`
	conf := `<Location /private>
  AuthType form
  AuthName "Reports"
  AuthFormProvider file
  AuthUserFile {{DIR}}/passwd
  ErrorDocument 401 /login.html
  Session On
  SessionCookieName session path=/
  Require valid-user
</Location>
<Location /dologin.html>
  SetHandler form-login-handler
  AuthType form
  AuthName "Reports"
  AuthFormProvider file
  AuthUserFile {{DIR}}/passwd
  AuthFormLoginRequiredLocation "/login.html"
  AuthFormLoginSuccessLocation "/private/"
  Session On
  SessionCookieName session path=/
  Require all granted
</Location>
`
	apache := realserver.StartApache(t, []string{"authn_file", "auth_form", "session", "session_cookie", "request"}, conf, map[string]string{
		"passwd":                 realserver.Htpasswd(t, map[string]string{"alice": "alice-form-pw"}),
		"www/login.html":         form,
		"www/private/index.html": "<!doctype html><title>Reports</title><h1>Quarterly reports</h1>",
	})
	target := apache.URL("localhost", "/private/")

	t.Run("the form on the 401 page is found and named", func(t *testing.T) {
		r := runDiag(t, Config{URL: target, Only: []string{"reload"}}).Report
		ids := findingIDs(r)
		if !slices.Contains(ids, "login_form") || slices.Contains(ids, "no_challenge") {
			t.Fatalf("findings %v", ids)
		}
		for _, f := range r.Diagnosis.Findings {
			if f.ID != "login_form" {
				continue
			}
			if a, _ := f.Evidence["action"].(string); !strings.HasSuffix(a, "/dologin.html") {
				t.Errorf("action %v", f.Evidence["action"])
			}
			if fs, _ := f.Evidence["fields"].([]string); !slices.Contains(fs, "httpd_username") || !slices.Contains(fs, "httpd_password") {
				t.Errorf("fields %v", f.Evidence["fields"])
			}
		}
	})
	t.Run("relogin fills it", func(t *testing.T) {
		r := runDiag(t, Config{URL: target, Only: []string{"relogin"},
			Inputs: steps.Inputs{User: "alice", Password: "alice-form-pw"}, Secrets: []string{"alice-form-pw"}}).Report
		if r.Outcome != reports.Fixed || *r.FixedBy != "relogin" {
			t.Fatalf("outcome %s: %s", r.Outcome, r.Diagnosis.Summary)
		}
		if m := stepEvidence(r, "relogin", "method"); m != "form" {
			t.Errorf("method %v", m)
		}
	})
	t.Run("a refused password is credentials_rejected", func(t *testing.T) {
		r := runDiag(t, Config{URL: target, Only: []string{"relogin"},
			Inputs: steps.Inputs{User: "alice", Password: "not-alice-pw"}, Secrets: []string{"not-alice-pw"}}).Report
		if ids := findingIDs(r); r.Outcome != reports.Unresolved || !slices.Contains(ids, "credentials_rejected") {
			t.Fatalf("outcome %s findings %v", r.Outcome, ids)
		}
	})
}
