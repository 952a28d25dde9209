package agent

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/realserver"
	"github.com/fix401/fix401/reports"
	"github.com/fix401/fix401/steps"
)

// TestProxyOnSquid goes through a real squid that asks for Basic proxy
// credentials, set as the machine's proxy (http_proxy, as on Linux), to a
// real nginx that may ask for its own: each challenge gets its own
// credentials.
func TestProxyOnSquid(t *testing.T) {
	// The site behind the proxy: nginx, with Basic on /reports/.
	site := realserver.StartNginx(t, `
    location /reports/ {
      auth_basic "Reports";
      auth_basic_user_file {{DIR}}/htpasswd;
    }
`, map[string]string{
		"htpasswd":               realserver.Htpasswd(t, map[string]string{"alice": "alice-site-pw"}),
		"www/open/index.html":    "<!doctype html><title>Intranet</title><h1>Welcome</h1>",
		"www/reports/index.html": "<!doctype html><title>Reports</title><h1>Quarterly reports</h1>",
	})
	port := fmt.Sprint(site.Port)
	// A name only the proxy knows: Chromium sends loopback names past it.
	squid := realserver.StartSquid(t, map[string]string{"pxuser": "proxy-pw-4711"}, map[string]string{"app.corp.test": "127.0.0.1"})
	base := "http://app.corp.test:" + port

	// Full Chromium, and the headless shell check and serve pick, whose
	// tabs intercept from the start only where a proxy may answer 407.
	path, err := browser.Find("", os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	engines := []string{path}
	if shell, err := browser.FindShell("", os.Getenv); err == nil && browser.IsShell(shell) {
		engines = append(engines, shell)
	} else if os.Getenv("CI") != "" {
		t.Fatal("no headless shell installed: make deps installs chromium-headless-shell")
	}
	for _, exe := range engines {
		t.Run(filepath.Base(exe), func(t *testing.T) { proxyOnSquid(t, exe, squid.URL(), base) })
	}
}

func proxyOnSquid(t *testing.T, exe, proxy, base string) {
	b, err := browser.Launch(context.Background(), browser.Options{ExecPath: exe, Env: []string{"http_proxy=" + proxy}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })

	for _, c := range []struct {
		name     string
		path     string
		in       steps.Inputs
		outcome  reports.Outcome
		findings []string
		action   string
	}{
		{"no proxy credentials", "/open/", steps.Inputs{}, reports.Unresolved, []string{"proxy_auth_required"}, ""},
		{"the proxy's credentials", "/open/", steps.Inputs{ProxyUser: "pxuser", ProxyPassword: "proxy-pw-4711"},
			reports.Fixed, []string{"proxy_auth_required"}, `proxy's Basic challenge as "pxuser"`},
		{"a wrong proxy password", "/open/", steps.Inputs{ProxyUser: "pxuser", ProxyPassword: "not-the-proxy-pw"},
			reports.Unresolved, []string{"proxy_auth_required", "proxy_credentials_rejected"}, ""},
		{"the proxy and the site both ask", "/reports/", steps.Inputs{ProxyUser: "pxuser", ProxyPassword: "proxy-pw-4711", User: "alice", Password: "alice-site-pw"},
			reports.Fixed, []string{"proxy_auth_required"}, `and the site's Basic challenge as "alice"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := runDiag(t, Config{URL: base + c.path, Browser: b, Only: []string{"relogin"}, Inputs: c.in,
				Secrets: slices.DeleteFunc([]string{c.in.Password, c.in.ProxyPassword}, func(s string) bool { return s == "" })}).Report
			ids := findingIDs(r)
			if r.Outcome != c.outcome || r.Diagnosis.Kind != "proxy_407" {
				t.Fatalf("outcome %s kind %s findings %v: %s", r.Outcome, r.Diagnosis.Kind, ids, r.Diagnosis.Summary)
			}
			for _, f := range c.findings {
				if !slices.Contains(ids, f) {
					t.Errorf("finding %s missing: %v", f, ids)
				}
			}
			if slices.Contains(ids, "credentials_rejected") {
				t.Errorf("the site's credentials reported rejected: %v", ids)
			}
			for _, s := range r.Steps {
				if s.ID == "relogin" && c.action != "" && !strings.Contains(s.Action, c.action) {
					t.Errorf("relogin: %q, want it to say %q", s.Action, c.action)
				}
			}
			data, _ := reports.JSON(r)
			for _, secret := range []string{"proxy-pw-4711", "not-the-proxy-pw", "alice-site-pw"} {
				if strings.Contains(string(data), secret) {
					t.Errorf("the report holds %q", secret)
				}
			}
		})
	}
}
