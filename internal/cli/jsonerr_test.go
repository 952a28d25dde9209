package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// jsonCommands is every command of the tree that has a --json flag, as
// the words that name it ("check", "har sanitize").
func jsonCommands(t *testing.T) [][]string {
	t.Helper()
	var out [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		if c.Flags().Lookup("json") != nil {
			out = append(out, path)
		}
		for _, sub := range c.Commands() {
			walk(sub, append(append([]string(nil), path...), sub.Name()))
		}
	}
	walk(NewRootCmd(&IO{Getenv: func(string) string { return "" }}), nil)
	if len(out) < 4 {
		t.Fatalf("only %v have --json: the tree was not walked", out)
	}
	return out
}

// runBuffered runs a command line with buffers for streams and no
// environment beyond what getenv gives.
func runBuffered(args []string, getenv func(string) string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	io := &IO{In: &bytes.Buffer{}, Out: &stdout, ErrOut: &stderr, Getenv: getenv}
	code := Run(context.Background(), args, io)
	return code, stdout.String(), stderr.String()
}

// checkJSONError fails unless stdout is one JSON error object whose
// exit_code is the exit status, and stderr says the same in words.
func checkJSONError(t *testing.T, code int, stdout, stderr string) map[string]any {
	t.Helper()
	if code == ExitOK {
		t.Fatalf("exit 0, want a failure\nstdout: %s\nstderr: %s", stdout, stderr)
	}
	if strings.Count(stdout, "\n") != 1 || !strings.HasSuffix(stdout, "\n") {
		t.Fatalf("exit %d: stdout is not one line:\n%q\nstderr: %s", code, stdout, stderr)
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(stdout), &obj); err != nil {
		t.Fatalf("exit %d: stdout is not a JSON object: %v\n%s", code, err, stdout)
	}
	msg, _ := obj["error"].(string)
	if msg == "" {
		t.Errorf("exit %d: no error message in %s", code, stdout)
	}
	if ec, _ := obj["exit_code"].(float64); int(ec) != code {
		t.Errorf("exit %d, but the object says exit_code %v: %s", code, obj["exit_code"], stdout)
	}
	if !strings.Contains(stderr, "fix401: ") {
		t.Errorf("exit %d: stderr does not say why:\n%s", code, stderr)
	}
	return obj
}

// TestEveryJSONFailurePrintsAnErrorObject: with --json, whatever fails
// (a flag, an argument, a file, a config, the browser), stdout holds the
// JSON error object, so that a program reading stdout always gets an
// answer it can parse.
func TestEveryJSONFailurePrintsAnErrorObject(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	badConfig := write("bad.yaml", "checks:\n  - name: nf\n    url: http://127.0.0.1:1/\n    expect: healty\n  - name: x\n    kookies: a.txt\n    url: http://127.0.0.1:1/\n")
	goodConfig := write("good.yaml", "checks:\n  - name: a\n    url: http://127.0.0.1:1/\n")
	notHAR := write("not.har", "this is not JSON")
	out := filepath.Join(dir, "out")

	// A bad flag, for every command that has --json, however --json is
	// spelled.
	for _, path := range jsonCommands(t) {
		for _, spelling := range []string{"--json", "--json=true", "--json=1"} {
			args := append(append([]string(nil), path...), spelling, "--no-such-flag")
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				code, stdout, stderr := runBuffered(args, nil)
				checkJSONError(t, code, stdout, stderr)
				if code != ExitUsage {
					t.Errorf("exit %d, want %d", code, ExitUsage)
				}
			})
		}
	}

	cases := []struct {
		name string
		args []string
		code int
	}{
		{"diagnose bad URL", []string{"diagnose", "--json", "ftp://x/"}, ExitUsage},
		{"diagnose no URL", []string{"diagnose", "--json"}, ExitUsage},
		{"diagnose bad log level", []string{"diagnose", "--json", "--log-level", "loud", "http://127.0.0.1:1/"}, ExitUsage},
		{"diagnose no browser", []string{"diagnose", "--json", "--chrome", "/nonexistent/chrome", "--out", out + "1", "http://127.0.0.1:1/"}, ExitBrowser},
		{"check no config", []string{"check", "--json"}, ExitUsage},
		{"check missing config", []string{"check", "--json", "--config", filepath.Join(dir, "nope.yaml")}, ExitUsage},
		{"check invalid config", []string{"check", "--json", "--config", badConfig}, ExitUsage},
		{"check bad shard", []string{"check", "--json", "--config", goodConfig, "--shard", "3/3"}, ExitUsage},
		{"check no browser", []string{"check", "--json", "--config", goodConfig, "--out", out + "2", "--chrome", "/nonexistent/chrome"}, ExitBrowser},
		{"analyze missing file", []string{"analyze", "--json", filepath.Join(dir, "nope.har")}, ExitUsage},
		{"analyze not a HAR", []string{"analyze", "--json", "--out", out + "3", notHAR}, ExitUsage},
		{"explain nothing", []string{"explain", "--json"}, ExitUsage},
		{"explain empty", []string{"explain", "--json", "--", ""}, ExitUsage},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runBuffered(c.args, nil)
			obj := checkJSONError(t, code, stdout, stderr)
			if code != c.code {
				t.Errorf("exit %d, want %d\nstderr: %s", code, c.code, stderr)
			}
			if c.name == "check invalid config" {
				// The problems, one by one, as stderr lists them.
				ps, _ := obj["problems"].([]any)
				if len(ps) != 2 {
					t.Fatalf("problems %v, want 2: %s", obj["problems"], stdout)
				}
				p, _ := ps[0].(map[string]any)
				if p["file"] != badConfig || p["line"] != float64(4) || p["path"] != "checks[0].expect" ||
					!strings.Contains(p["message"].(string), `did you mean healthy?`) {
					t.Errorf("first problem %v", p)
				}
				if obj["error"] != "2 problems in "+badConfig+"; nothing was run" {
					t.Errorf("error %q", obj["error"])
				}
			}
		})
	}

	// A config given by a relative path: the problems' file is absolute,
	// as every path --json prints; the message says it as given.
	t.Run("check invalid config, relative", func(t *testing.T) {
		t.Chdir(dir)
		code, stdout, stderr := runBuffered([]string{"check", "--json", "--config", "bad.yaml"}, nil)
		obj := checkJSONError(t, code, stdout, stderr)
		ps, _ := obj["problems"].([]any)
		if len(ps) == 0 || ps[0].(map[string]any)["file"] != badConfig || obj["error"] != "2 problems in bad.yaml; nothing was run" {
			t.Errorf("%s", stdout)
		}
	})

	// Without --json (or with --json=false) stdout stays empty.
	for _, args := range [][]string{
		{"check", "--config", badConfig},
		{"check", "--json=false", "--config", badConfig},
	} {
		if code, stdout, _ := runBuffered(args, nil); code != ExitUsage || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q", args, code, stdout)
		}
	}
	// After "--", --json is a header value to explain, not the flag.
	if _, stdout, _ := runBuffered([]string{"explain", "--", "--json"}, nil); strings.HasPrefix(stdout, "{") {
		t.Errorf("explain -- --json printed JSON: %s", stdout)
	}
}
