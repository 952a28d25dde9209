package agent

import (
	"slices"
	"strings"
	"testing"

	"github.com/fix401/fix401/internal/realserver"
	"github.com/fix401/fix401/reports"
	"github.com/fix401/fix401/steps"
)

// TestRolesOnTomcat signs in to a real Tomcat 10 whose application needs
// the role "manager" (a BASIC security-constraint): the right password of
// an account without the role is a 403 after sign-in, which is a matter
// of access, never a wrong password.
func TestRolesOnTomcat(t *testing.T) {
	tc := realserver.StartTomcat(t, map[string]string{
		"index.html": "<!doctype html><title>Quarterly reports</title><h1>Quarterly reports</h1>",
		"WEB-INF/web.xml": `<?xml version="1.0" encoding="UTF-8"?>
<web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
  <security-constraint>
    <web-resource-collection><web-resource-name>reports</web-resource-name><url-pattern>/*</url-pattern></web-resource-collection>
    <auth-constraint><role-name>manager</role-name></auth-constraint>
  </security-constraint>
  <login-config><auth-method>BASIC</auth-method><realm-name>Reports</realm-name></login-config>
  <security-role><role-name>manager</role-name></security-role>
</web-app>
`,
	}, `  <role rolename="manager"/>
  <role rolename="staff"/>
  <user username="alice" password="alice-tomcat-pw" roles="manager"/>
  <user username="bob" password="bob-tomcat-pw" roles="staff"/>`)
	target := tc.URL("localhost", "/")
	for _, c := range []struct {
		name, user, password string
		outcome              reports.Outcome
		finding, not         string
	}{
		{"the right role", "alice", "alice-tomcat-pw", reports.Fixed, "", "credentials_rejected"},
		{"the right password without the role", "bob", "bob-tomcat-pw", reports.Unresolved, "authenticated_but_forbidden", "credentials_rejected"},
		{"a wrong password", "alice", "not-alice-pw", reports.Unresolved, "credentials_rejected", "authenticated_but_forbidden"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := runDiag(t, Config{URL: target, Only: []string{"relogin"},
				Inputs: steps.Inputs{User: c.user, Password: c.password}, Secrets: []string{c.password}}).Report
			ids := findingIDs(r)
			if r.Outcome != c.outcome || c.finding != "" && !slices.Contains(ids, c.finding) || slices.Contains(ids, c.not) {
				t.Fatalf("outcome %s findings %v (summary %s)", r.Outcome, ids, r.Diagnosis.Summary)
			}
			for _, s := range r.Steps {
				if s.ID == "relogin" && (s.Action == "" || !strings.Contains(s.Action, "Basic")) {
					t.Errorf("relogin's action does not name the challenge it answered: %q", s.Action)
				}
			}
			if c.finding == "authenticated_but_forbidden" {
				for _, n := range r.Diagnosis.NextSteps {
					if strings.Contains(n, "password is wrong") || strings.Contains(n, "check the user name and password") {
						t.Errorf("next steps blame the password: %q", n)
					}
				}
			}
		})
	}
}
