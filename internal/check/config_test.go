package check

import (
	"errors"
	"github.com/fix401/fix401/steps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// env is the injected environment of the config tests.
func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

var testEnv = env("LAB", "http://127.0.0.1:8401", "REPORTS_PASSWORD", "s3cret-pw", "API_TOKEN", "tok-123456")

func parse(t *testing.T, src string) (*Config, []string) {
	t.Helper()
	cfg, err := Parse("checks.yaml", []byte(src), t.TempDir(), testEnv)
	if err == nil {
		return cfg, nil
	}
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("Parse: %v is not a *ConfigError", err)
	}
	return nil, strings.Split(ce.Error(), "\n")
}

// Every problem is one line with file, line and field; the whole file is
// checked, so several problems come out of one run.
func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"two documents", `
checks:
  - name: a
    url: https://a.example/
---
checks:
  - name: b
    url: https://b.example/
`, []string{`checks.yaml:5: the file holds more than one YAML document (a second starts here, at ---): give one config per file`}},
		{"a near miss of an expectation", `
checks:
  - name: a
    url: https://a.example/
    expect: healty
`, []string{`checks.yaml:5: checks[0].expect: unknown expectation "healty" (did you mean healthy?): want healthy, auth_required or {fixed_by: STEP}`}},
		{"unsupported scheme", `
checks:
  - name: a
    url: https://a.example/
  - name: b
    url: https://b.example/
  - name: c
    url: ftp://files.example/q3
`, []string{`checks.yaml:8: checks[2].url: unsupported scheme "ftp"`}},
		{"every problem at once", `
defaults:
  timeout: soon
checks:
  - name: reports
    url: https://intranet.example/reports/q3
    pasword_env: X
  - name: reports
    url: http://
  - url: https://c.example/
    expect: sometimes
`, []string{
			`checks.yaml:3: defaults.timeout: bad duration "soon": want a number with a unit, e.g. 20s or 1m30s`,
			`checks.yaml:7: checks[0].pasword_env: unknown key (did you mean password_env?)`,
			`checks.yaml:8: checks[1].name: duplicate name "reports" (first at line 5)`,
			`checks.yaml:9: checks[1].url: malformed URL "http://": no host`,
			`checks.yaml:10: checks[2]: missing name`,
			`checks.yaml:11: checks[2].expect: want healthy, auth_required or {fixed_by: STEP}, got "sometimes"`,
		}},
		{"missing url", `
checks:
  - name: a
    expect: healthy
`, []string{`checks.yaml:3: checks[0]: missing url`}},
		{"duplicate names ignore case", `
checks:
  - {name: Reports, url: "https://a.example/"}
  - {name: reports, url: "https://b.example/"}
`, []string{`checks.yaml:4: checks[1].name: duplicate name "reports" (first at line 3)`}},
		{"inline password key", `
checks:
  - name: a
    url: https://a.example/
    user: alice
    password: wonderland
`, []string{
			`checks.yaml:5: checks[0].user: user "alice" has no password: add password_env or password_file`,
			`checks.yaml:6: checks[0].password: inline secret: use password_env/password_file/bearer_token_env`,
		}},
		{"a proxy user without its password, and the reverse", `
checks:
  - name: a
    url: https://a.example/
    proxy_user: px
  - name: b
    url: https://b.example/
    proxy_password_env: HOME
`, []string{
			`checks.yaml:5: checks[0].proxy_user: proxy user "px" has no password: add proxy_password_env`,
			`checks.yaml:8: checks[1].proxy_password_env: HOME is not set`,
			`checks.yaml:8: checks[1].proxy_password_env: a proxy password needs a proxy user: add proxy_user:`,
		}},
		{"a JSON config is told its JSON mistake", `{
  "checks": [
    {"name": "a" "url": "https://a.example/"}
  ]
}
`, []string{`checks.yaml:3: not valid JSON: invalid character '"' after object key:value pair`}},
		{"inline token keys", `
defaults:
  token: abc
checks:
  - name: a
    url: https://a.example/
    bearer_token: xyz
`, []string{
			`checks.yaml:3: defaults.token: inline secret: use password_env/password_file/bearer_token_env`,
			`checks.yaml:7: checks[0].bearer_token: inline secret: use password_env/password_file/bearer_token_env`,
		}},
		{"password in the URL", `
checks:
  - name: a
    url: https://alice:wonderland@a.example/
`, []string{`checks.yaml:4: checks[0].url: inline secret: use password_env/password_file/bearer_token_env`}},
		{"secret query parameter", `
checks:
  - name: a
    url: https://a.example/report?id=7&access_token=eyJhbGciOi
  - name: b
    login_url: https://a.example/login?api_key=12345
    url: https://a.example/
`, []string{
			`checks.yaml:4: checks[0].url: inline secret: use password_env/password_file/bearer_token_env`,
			`checks.yaml:6: checks[1].login_url: inline secret: use password_env/password_file/bearer_token_env`,
		}},
		{"unset environment variables", `
checks:
  - name: a
    url: ${NOPE}/s/basic/
    user: alice
    password_env: MISSING_PASSWORD
  - name: b
    url: https://b.example/
    bearer_token_env: $API_TOKEN
`, []string{
			`checks.yaml:4: checks[0].url: ${NOPE} is not set`,
			`checks.yaml:6: checks[0].password_env: MISSING_PASSWORD is not set`,
			`checks.yaml:9: checks[1].bearer_token_env: "$API_TOKEN" is not an environment variable name (write the name, without $)`,
		}},
		{"unreadable files", `
checks:
  - name: a
    url: https://a.example/
    user: alice
    password_file: no-such-password.txt
    cookies: no-such-cookies.txt
`, []string{
			`checks.yaml:6: checks[0].password_file: cannot read DIR/no-such-password.txt: no such file or directory`,
			`checks.yaml:7: checks[0].cookies: cannot read DIR/no-such-cookies.txt: no such file or directory`,
		}},
		{"bad durations", `
checks:
  - name: a
    url: https://a.example/
    timeout: 20
    max_wait: -5s
`, []string{
			`checks.yaml:5: checks[0].timeout: bad duration "20": want a number with a unit, e.g. 20s or 1m30s`,
			`checks.yaml:6: checks[0].max_wait: bad duration "-5s": must be positive`,
		}},
		{"bad expect", `
checks:
  - {name: a, url: "https://a.example/", expect: {fixed_by: relog}}
  - {name: b, url: "https://a.example/", expect: {fixed_by: reproduce}}
  - {name: c, url: "https://a.example/", expect: {fixd_by: reload}}
  - {name: d, url: "https://a.example/", expect: fixed_by}
  - {name: e, url: "https://a.example/", expect: [healthy]}
`, []string{
			`checks.yaml:3: checks[0].expect.fixed_by: unknown step "relog" (did you mean reload?) (steps: reproduce, url-check, reload, clear-cache, clear-cookies, fresh-profile, dns-flush, integrated-auth, relogin, via-proxy)`,
			`checks.yaml:4: checks[1].expect.fixed_by: reproduce cannot fix anything: it is the baseline`,
			`checks.yaml:5: checks[2].expect.fixd_by: unknown key (did you mean fixed_by?): want healthy, auth_required or {fixed_by: STEP}`,
			`checks.yaml:6: checks[3].expect: fixed_by needs a step: write {fixed_by: STEP}`,
			`checks.yaml:7: checks[4].expect: want healthy, auth_required or {fixed_by: STEP}, got a list`,
		}},
		{"expectations the steps can never meet", `
checks:
  - name: a
    url: https://a.example/
    steps: [reproduce, reload]
    expect: {fixed_by: clear-cookies}
  - name: b
    url: https://a.example/
    skip: [reload]
    expect: {fixed_by: reload}
  - name: c
    url: https://a.example/
    expect: {fixed_by: relogin}
  - name: d
    url: https://a.example/
    expect: {fixed_by: via-proxy}
`, []string{
			`checks.yaml:6: checks[0].expect.fixed_by: clear-cookies is not in steps, so it can never fix the page`,
			`checks.yaml:10: checks[1].expect.fixed_by: reload is in skip, so it can never fix the page`,
			`checks.yaml:13: checks[2].expect.fixed_by: relogin needs credentials: add user with password_env or password_file, bearer_token_env, or proxy_user with proxy_password_env`,
			`checks.yaml:16: checks[3].expect.fixed_by: via-proxy needs a proxy: add proxy:`,
		}},
		{"bad steps lists", `
checks:
  - name: a
    url: https://a.example/
    steps: [reproduce, reload, clear-cokies, reload]
    skip: [reproduce]
  - name: b
    url: https://a.example/
    steps: {reload: true}
`, []string{
			`checks.yaml:5: checks[0].steps[2]: unknown step "clear-cokies" (did you mean clear-cookies?) (steps: reproduce, url-check, reload, clear-cache, clear-cookies, fresh-profile, dns-flush, integrated-auth, relogin, via-proxy)`,
			`checks.yaml:5: checks[0].steps[3]: reload is listed twice`,
			`checks.yaml:6: checks[0].skip[0]: reproduce cannot be skipped: it is the baseline every check starts from`,
			`checks.yaml:9: checks[1].steps: want a list of step ids, got a mapping`,
		}},
		{"credentials that do not add up", `
checks:
  - name: a
    url: https://a.example/
    password_env: REPORTS_PASSWORD
  - name: b
    url: https://a.example/
    user: alice
    password_env: REPORTS_PASSWORD
    password_file: /etc/passwd
`, []string{
			`checks.yaml:5: checks[0].password_env: a password needs a user: add user:`,
			`checks.yaml:10: checks[1].password_file: give password_env or password_file, not both`,
		}},
		{"names must be folder names", `
checks:
  - {name: "../etc", url: "https://a.example/"}
  - {name: "q3 reports", url: "https://a.example/"}
  - {name: nul, url: "https://a.example/"}
`, []string{
			`checks.yaml:3: checks[0].name: name "../etc" cannot name a folder: use letters, digits, '.', '_' and '-', starting with a letter or digit`,
			`checks.yaml:4: checks[1].name: name "q3 reports" cannot name a folder: use letters, digits, '.', '_' and '-', starting with a letter or digit`,
			`checks.yaml:5: checks[2].name: name "nul" is a reserved device name on Windows`,
		}},
		{"structure", `
check:
  - name: a
`, []string{
			`checks.yaml:2: check: unknown key (did you mean checks?) (keys: defaults, checks, modules)`,
			`checks.yaml:2: no checks: add a checks: list`,
		}},
		{"duplicate keys", `
checks:
  - name: a
    url: https://a.example/
    url: https://b.example/
`, []string{`checks.yaml:5: checks[0].url: duplicate key (first at line 4)`}},
		{"a check that is not a mapping", `
checks:
  - https://a.example/
`, []string{`checks.yaml:3: checks[0]: want a mapping with name and url, got "https://a.example/"`}},
		{"name in defaults", `
defaults:
  name: x
checks:
  - {name: a, url: "https://a.example/"}
`, []string{`checks.yaml:3: defaults.name: a name belongs to one check, not to defaults`}},
		{"empty list", "checks: []\n", []string{`checks.yaml:1: checks: empty list: add at least one check`}},
		{"empty file", "# nothing yet\n", []string{`checks.yaml: empty config: want a checks: list`}},
		// Syntax errors carry the YAML parser's own line, which can be the one
		// before the culprit.
		{"YAML syntax", "checks:\n  - name: a\n\turl: b\n", []string{`checks.yaml:2: found a tab character that violates indentation`}},
		{"YAML syntax without a line", "checks: a: b\n", []string{`checks.yaml: mapping values are not allowed in this context`}},
		{"JSON syntax", `{"checks": [{"name": "a", "url": "https://a.example/",}`, []string{`checks.yaml:1: not valid JSON: invalid character '}' looking for beginning of object key string`}},
		{"not a URL", `
checks:
  - {name: a, url: "intranet reports"}
  - {name: b, url: "https://a.example:99999/"}
`, []string{
			`checks.yaml:3: checks[0].url: "intranet reports" is not a URL`,
			`checks.yaml:4: checks[1].url: malformed URL "https://a.example:99999/": bad port "99999"`,
		}},
		{"a bad URL after expansion says so", `
checks:
  - {name: a, url: "${LAB}:x/"}
`, []string{`checks.yaml:3: checks[0].url: not a URL after expanding ${LAB}:x/: …: invalid port … after host`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := Parse("checks.yaml", []byte(tt.src), dir, testEnv)
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("Parse error = %v, want a *ConfigError", err)
			}
			got := strings.Split(strings.ReplaceAll(ce.Error(), dir, "DIR"), "\n")
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestConfigDefaultsAndExpansion(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pw.txt"), []byte("from-a-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cookies.txt"), []byte("# Netscape HTTP Cookie File\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	src := `
defaults:
  timeout: 20s
  expect: auth_required
  user: alice
  password_env: REPORTS_PASSWORD
  steps: reproduce, reload
checks:
  - name: basic
    url: ${LAB}/s/basic/
  - name: home
    url: $LAB/s/healthy/?page=1&token=${API_TOKEN}
    expect: healthy
    timeout: 5s
    user: bob
    password_file: pw.txt
    cookies: cookies.txt
    steps: [reproduce, clear-cookies, relogin]
  - name: fixed
    url: intranet.example/reports
    expect: {fixed_by: relogin}
    steps: [reproduce, relogin]
    max_wait: 1m
    login_url: ${LAB}/login
`
	cfg, err := Parse("checks.yaml", []byte(src), dir, testEnv)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Checks) != 3 {
		t.Fatalf("got %d checks, want 3", len(cfg.Checks))
	}
	basic, home, fixed := cfg.Checks[0], cfg.Checks[1], cfg.Checks[2]

	if basic.URL != "http://127.0.0.1:8401/s/basic/" || basic.Timeout != 20*time.Second || basic.Expect.Kind != ExpectAuthRequired {
		t.Errorf("basic did not get the defaults: %+v", basic)
	}
	if got := basic.Credentials(); got != (Credentials{User: "alice", Password: "s3cret-pw"}) {
		t.Errorf("basic credentials = %+v", got)
	}
	if !reflect.DeepEqual(basic.Steps, []string{"reproduce", "reload"}) {
		t.Errorf("basic steps = %q, want the default's", basic.Steps)
	}
	if basic.Line != 9 {
		t.Errorf("basic line = %d, want 9", basic.Line)
	}

	// A secret from the environment in the URL is fine (it is not in the file).
	if home.URL != "http://127.0.0.1:8401/s/healthy/?page=1&token=tok-123456" {
		t.Errorf("home URL = %q", home.URL)
	}
	if home.Timeout != 5*time.Second || home.Expect.Kind != ExpectHealthy {
		t.Errorf("home overrides lost: %+v", home)
	}
	// password_file replaces the default password_env's value, and paths
	// start at the config's folder.
	if got := home.Credentials(); got != (Credentials{User: "bob", Password: "from-a-file"}) {
		t.Errorf("home credentials = %+v", got)
	}
	if home.PasswordEnv != "" {
		t.Errorf("home has password_file and inherited password_env %q too", home.PasswordEnv)
	}
	if home.Cookies != filepath.Join(dir, "cookies.txt") {
		t.Errorf("home cookies = %q", home.Cookies)
	}
	if fixed.URL != "https://intranet.example/reports" {
		t.Errorf("a URL without a scheme gets https://, as diagnose does: %q", fixed.URL)
	}
	if fixed.Expect != (Expect{Kind: ExpectFixedBy, Step: "relogin"}) || fixed.MaxWait != time.Minute {
		t.Errorf("fixed = %+v", fixed)
	}
	if fixed.LoginURL != "http://127.0.0.1:8401/login" {
		t.Errorf("login_url = %q", fixed.LoginURL)
	}
	if got := fixed.Secrets(); !reflect.DeepEqual(got, []string{"s3cret-pw"}) {
		t.Errorf("secrets = %q", got)
	}
}

// JSON is YAML: the same file as JSON parses to the same checks, and its
// errors have lines too.
func TestConfigJSON(t *testing.T) {
	src := "{\n\t\"defaults\": {\"timeout\": \"10s\"},\n\t\"checks\": [\n\t\t{\"name\": \"a\", \"url\": \"${LAB}/s/healthy/\"},\n\t\t{\"name\": \"b\", \"url\": \"gopher://x\", \"expect\": {\"fixed_by\": \"reload\"}}\n\t]\n}\n"
	_, problems := parse(t, src)
	want := []string{`checks.yaml:5: checks[1].url: unsupported scheme "gopher"`}
	if !reflect.DeepEqual(problems, want) {
		t.Errorf("problems = %q, want %q", problems, want)
	}
	cfg, problems := parse(t, strings.Replace(src, "gopher://x", "https://x.example/", 1))
	if problems != nil {
		t.Fatal(problems)
	}
	if cfg.Checks[1].Expect.Step != "reload" || cfg.Checks[0].Timeout != 10*time.Second {
		t.Errorf("checks = %+v", cfg.Checks)
	}
}

func TestConfigDefaultExpectIsHealthy(t *testing.T) {
	cfg, problems := parse(t, "checks:\n  - {name: a, url: \"https://a.example/\"}\n")
	if problems != nil {
		t.Fatal(problems)
	}
	if cfg.Checks[0].Expect.Kind != ExpectHealthy {
		t.Errorf("expect = %v, want healthy", cfg.Checks[0].Expect)
	}
}

// A problem in a default is reported once, at the default, not once per
// check that inherits it.
func TestConfigDefaultProblemOnce(t *testing.T) {
	_, problems := parse(t, "defaults:\n  expect: maybe\nchecks:\n  - {name: a, url: \"https://a.example/\"}\n  - {name: b, url: \"https://b.example/\"}\n")
	want := []string{`checks.yaml:2: defaults.expect: want healthy, auth_required or {fixed_by: STEP}, got "maybe"`}
	if !reflect.DeepEqual(problems, want) {
		t.Errorf("problems = %q, want %q", problems, want)
	}
}

func TestLoadUnreadable(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"), testEnv)
	var ce *ConfigError
	if err == nil || errors.As(err, &ce) || !strings.HasSuffix(err.Error(), "nope.yaml: no such file or directory") {
		t.Errorf("Load = %v, want a plain 'no such file' error", err)
	}
}

func TestKnownStepsStartWithTheSteps(t *testing.T) {
	got := KnownSteps()
	if ids := steps.IDs(); !reflect.DeepEqual(got, ids) {
		t.Errorf("KnownSteps = %q", got)
	}
}

// TestExpandedValuesAreKept: what ${VAR}s put in the file is known, so the
// browser's environment can be kept free of it.
func TestExpandedValuesAreKept(t *testing.T) {
	cfg, err := Parse("checks.yaml", []byte("checks:\n  - name: a\n    url: https://a.example/?key=${API_KEY}\n"), t.TempDir(),
		func(k string) string { return map[string]string{"API_KEY": "k3y-v4lue"}[k] })
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(cfg.Expanded, "k3y-v4lue") {
		t.Errorf("Expanded = %q", cfg.Expanded)
	}
	// In the URL's parameters, it is a secret every output masks.
	c := cfg.Checks[0]
	if !slices.Contains(c.URLSecrets(), "k3y-v4lue") || !slices.Contains(c.Secrets(), "k3y-v4lue") || strings.Contains(c.ShownURL(), "k3y-v4lue") {
		t.Errorf("url secrets %q, secrets %q, shown %q", c.URLSecrets(), c.Secrets(), c.ShownURL())
	}
}

// TestURLPasswordFromAVariable: a password put in a URL by ${VAR} is
// refused, and a message about a URL never quotes what a variable held.
func TestURLPasswordFromAVariable(t *testing.T) {
	getenv := func(k string) string { return map[string]string{"PW": "Sup3rSecretPw", "PORT": "Sup3rSecretPort"}[k] }
	_, err := Parse("checks.yaml", []byte("checks:\n  - name: a\n    url: https://alice:${PW}@a.example/\n  - name: b\n    url: https://a.example:${PORT}/\n"), t.TempDir(), getenv)
	if err == nil {
		t.Fatal("accepted")
	}
	msg := err.Error()
	for _, s := range []string{"Sup3rSecretPw", "Sup3rSecretPort"} {
		if strings.Contains(msg, s) {
			t.Errorf("the message quotes a variable's value: %s", msg)
		}
	}
	if !strings.Contains(msg, "checks[0].url: the URL carries a password") {
		t.Errorf("problems: %s", msg)
	}
}

func TestModules(t *testing.T) {
	cfg, err := Parse("probes.yaml", []byte(`
defaults:
  timeout: 7s
modules:
  intranet:
    user: probe
    password_env: PROBE_PW
    diagnose: true
`), t.TempDir(), func(k string) string { return map[string]string{"PROBE_PW": "pw-123456"}[k] })
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Checks) != 0 || !slices.Equal(cfg.ModuleNames(), []string{"defaults", "intranet"}) {
		t.Fatalf("checks %d modules %v", len(cfg.Checks), cfg.ModuleNames())
	}
	c, ok := cfg.Probe("intranet", "https://intranet.example/")
	if !ok || c.URL != "https://intranet.example/" || c.Timeout != 7*time.Second || c.User != "probe" || !c.Diagnose || c.Credentials().Password != "pw-123456" {
		t.Errorf("%+v", c)
	}
	if _, ok := cfg.Probe("nope", "https://x/"); ok {
		t.Error("an unknown module")
	}
	for text, want := range map[string]string{
		"modules:\n  a:\n    url: https://x/\n":    "a module has no url",
		"modules:\n  a:\n    diagnose: maybe\n":    `want true or false, got "maybe"`,
		"modules:\n  defaults:\n    timeout: 1s\n": "defaults is the module of the top-level defaults",
		"modules:\n  a:\n    user: x\n":            "has no password",
		"modules: [a]\n":                           "want a mapping of module names",
	} {
		_, err := Parse("probes.yaml", []byte(text), t.TempDir(), func(string) string { return "" })
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", text, err, want)
		}
	}
}
