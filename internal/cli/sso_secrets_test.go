package cli

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fix401/fix401/internal/realserver"
)

// TestNoSSOSecretReachesAnyOutput signs in through a real OpenID Provider
// with the id_token posted through the browser (response type "code
// id_token", form_post), then greps everything diagnose wrote, with debug
// logs, for every one-time value of the dance: the codes, tokens, state
// and nonce the provider handed out, the cookie values of both hosts, and
// the password. Names stay; values never.
func TestNoSSOSecretReachesAnyOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	const (
		app, provider = "app.example", "provider.test"
		password      = "alice-sso-pw-5772"
	)
	ca := realserver.NewCA(t, app, provider)
	appPort := realserver.FreePort(t)
	issued := filepath.Join(t.TempDir(), "issued.txt")
	idp := realserver.StartOIDCProvider(t, ca, realserver.OIDCOptions{
		Host:   provider,
		Issued: issued,
		Users:  map[string]realserver.OIDCUser{"alice": {Password: password}},
		Clients: []realserver.OIDCClient{{ID: "app", Secret: "app-client-secret-4242", ResponseTypes: []string{"code id_token"},
			GrantTypes: []string{"authorization_code", "implicit"}, AuthMethod: "client_secret_post",
			RedirectURIs: []string{fmt.Sprintf("https://%s:%d/protected/redirect_uri", app, appPort)}}},
	})
	site := realserver.StartOpenIDCApp(t, ca, idp, realserver.OpenIDCOptions{Host: app, Port: appPort, ClientID: "app",
		ClientSecret: "app-client-secret-4242", ResponseType: "code id_token", ResponseMode: "form_post",
		// The app's own cookies' values, for the grep.
		// mod_log_config is built into Debian's httpd.
		Conf: "LogFormat \"%{Set-Cookie}o\" setcookie\nCustomLog {{DIR}}/setcookie.log setcookie\n"})

	dir := t.TempDir()
	bin := filepath.Join(dir, "fix401")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/fix401/fix401/cmd/fix401").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	out := filepath.Join(dir, "out")
	cmd := exec.Command(bin, "diagnose", "--log-level", "debug", "--steps", "clear-cookies,relogin", "--out", out, "--user", "alice",
		"--host-rule", "MAP "+app+" 127.0.0.1", "--host-rule", "MAP "+provider+" 127.0.0.1", site.URL("/protected/"))
	cmd.Env = append(append(os.Environ(), ca.BrowserEnv...), "FIX401_PASSWORD="+password)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Run()
	if code := cmd.ProcessState.ExitCode(); code != ExitFixed {
		t.Fatalf("exit %d, want %d\n%s", code, ExitFixed, stderr.String())
	}

	secrets := []string{password, "app-client-secret-4242"}
	add := func(file string, split func(string) []string) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			for _, v := range split(line) {
				// Short values (a cookie's "1") are no secret.
				if v = strings.TrimSpace(v); len(v) >= 8 {
					secrets = append(secrets, v)
				}
			}
		}
	}
	add(issued, func(l string) []string { return []string{l} })
	add(filepath.Join(site.Dir, "setcookie.log"), func(l string) []string {
		var vals []string
		for _, c := range strings.Split(l, ", ") {
			pair, _, _ := strings.Cut(c, ";")
			if _, v, ok := strings.Cut(pair, "="); ok {
				vals = append(vals, v)
			}
		}
		return vals
	})
	kinds := map[string]bool{}
	for _, s := range secrets {
		switch {
		case strings.Count(s, ".") == 2 && strings.HasPrefix(s, "eyJ"):
			kinds["jwt"] = true
		case len(s) > 100:
			kinds["cookie"] = true
		}
	}
	if len(secrets) < 8 || !kinds["jwt"] || !kinds["cookie"] {
		t.Fatalf("too few planted values to prove anything (%d: %v)", len(secrets), kinds)
	}

	texts := map[string][]byte{"stdout": stdout.Bytes(), "stderr": stderr.Bytes()}
	filepath.Walk(out, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			texts[p], _ = os.ReadFile(p)
		}
		return nil
	})
	if !bytes.Contains(texts[filepath.Join(out, "network.har")], []byte("/protected/redirect_uri")) {
		t.Fatal("the HAR lacks the provider's answer: the test proves nothing")
	}
	for name, data := range texts {
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s contains a secret value %.12q…", filepath.Base(name), s)
			}
		}
	}
	// The names stay: the evidence still reads.
	rep := string(texts[filepath.Join(out, "report.json")])
	for _, want := range []string{"mod_auth_openidc_state_[redacted]", "state=[redacted]", "nonce=[redacted]", `"sign_in_hops"`} {
		if !strings.Contains(rep+string(texts[filepath.Join(out, "network.har")]), want) {
			t.Errorf("the outputs lost %q", want)
		}
	}
}
