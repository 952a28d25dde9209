package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var plantedHAR = filepath.Join("..", "..", "testdata", "har", "planted.har")

// runHar runs fix401 with args, stdin in, and returns the exit code,
// stdout and stderr.
func runHar(t *testing.T, in []byte, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	io := &IO{In: bytes.NewReader(in), Out: &stdout, ErrOut: &stderr, Getenv: func(string) string { return "" }}
	code := Run(context.Background(), args, io)
	return code, stdout.String(), stderr.String()
}

// copyPlanted puts the fixture in a temporary folder and returns its path.
func copyPlanted(t *testing.T) (string, []byte) {
	t.Helper()
	data, err := os.ReadFile(plantedHAR)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "signin.har")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p, data
}

// checkHAR checks out is a sanitized copy of the fixture: JSON, HAR 1.2,
// all 15 entries, and none of the fixture's session cookies.
func checkHAR(t *testing.T, out []byte) {
	t.Helper()
	var h struct {
		Log struct {
			Version string
			Entries []json.RawMessage
		}
	}
	if err := json.Unmarshal(out, &h); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	if h.Log.Version != "1.2" || len(h.Log.Entries) != 15 {
		t.Errorf("version %q, %d entries", h.Log.Version, len(h.Log.Entries))
	}
	for _, secret := range []string{"sidV4lue9f8e7d6c5b4a3", "Pa55w0rd!Planted", "authC0deP1a2n3t4e5d"} {
		if bytes.Contains(out, []byte(secret)) {
			t.Errorf("%s is in the output", secret)
		}
	}
}

// oneLine checks stderr is one line "fix401: …", and maybe a hint.
func checkOneLine(t *testing.T, stderr string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	if len(lines) == 0 || len(lines) > 2 || !strings.HasPrefix(lines[0], "fix401: ") || len(lines) == 2 && !strings.HasPrefix(lines[1], "hint: ") {
		t.Errorf("stderr is not one line (and a hint): %q", stderr)
	}
	if strings.Contains(stderr, "goroutine") || strings.Contains(stderr, "panic") {
		t.Errorf("a stack trace: %s", stderr)
	}
}

func TestHarSanitizeToFile(t *testing.T) {
	in, orig := copyPlanted(t)
	dir := filepath.Dir(in)
	out := filepath.Join(dir, "signin-sanitized.har")
	code, stdout, stderr := runHar(t, nil, "har", "sanitize", in, "-o", out)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout %q, want nothing (the copy went to -o)", stdout)
	}
	if !strings.HasPrefix(stderr, "fix401: sanitized 15 entries into "+out+": ") || strings.Count(stderr, "\n") != 1 ||
		!strings.Contains(stderr, "cookies") || !strings.Contains(stderr, "JWT signatures") || !strings.Contains(stderr, "dropped 3 custom fields") {
		t.Errorf("summary %q", stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	checkHAR(t, data)
	if now, _ := os.ReadFile(in); !bytes.Equal(now, orig) {
		t.Error("the input changed")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("files left in the folder: %v", entries)
	}
}

func TestHarSanitizeStdinStdout(t *testing.T) {
	_, orig := copyPlanted(t)
	code, stdout, stderr := runHar(t, orig, "har", "sanitize", "-")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	checkHAR(t, []byte(stdout))
	if !strings.HasPrefix(stderr, "fix401: sanitized 15 entries to standard output: ") {
		t.Errorf("summary %q", stderr)
	}
	code, stdout2, _ := runHar(t, orig, "har", "sanitize", "-", "-o", "-")
	if code != ExitOK || stdout2 != stdout {
		t.Errorf("-o - : exit %d, same output %v", code, stdout2 == stdout)
	}
}

// badHARs are files that are not a HAR 1.2, by what is wrong.
var badHARs = func() map[string]string {
	entry := `{"startedDateTime":"2026-01-01T00:00:00Z","time":1,"request":{"method":"GET","url":"https://a.example/"},"response":{"status":200},"cache":{},"timings":{"send":0,"wait":0,"receive":0}}`
	return map[string]string{
		"not JSON":        "<html>not a HAR</html>",
		"JSON not HAR":    `{"hello": "world"}`,
		"truncated":       `{"log":{"version":"1.2","creator":{"name":"x","version":"1"},"entries":[` + entry + `,{"startedDateTime":"20`,
		"HAR 1.1":         `{"log":{"version":"1.1","creator":{"name":"x","version":"1"},"entries":[]}}`,
		"missing entries": `{"log":{"version":"1.2","creator":{"name":"x","version":"1"},"pages":[]}}`,
		"empty":           ``,
	}
}()

func TestHarSanitizeBadInput(t *testing.T) {
	for name, content := range badHARs {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, "bad.har")
			if err := os.WriteFile(in, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out.har")
			code, stdout, stderr := runHar(t, nil, "har", "sanitize", in, "-o", out)
			if code != ExitUsage {
				t.Errorf("exit %d, want 2: %s", code, stderr)
			}
			checkOneLine(t, stderr)
			if !strings.Contains(stderr, in) {
				t.Errorf("the message does not name the file: %q", stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q", stdout)
			}
			if left, _ := os.ReadDir(dir); len(left) != 1 {
				t.Errorf("files left behind: %v (no partial output, no temporary file)", left)
			}
			// The same from standard input.
			code, _, stderr = runHar(t, []byte(content), "har", "sanitize", "-")
			if code != ExitUsage {
				t.Errorf("stdin: exit %d, want 2: %s", code, stderr)
			}
			checkOneLine(t, stderr)
		})
	}
	// Not a file at all.
	for name, path := range map[string]string{"missing": filepath.Join(t.TempDir(), "nope.har"), "folder": t.TempDir()} {
		code, _, stderr := runHar(t, nil, "har", "sanitize", path)
		if code != ExitUsage {
			t.Errorf("%s: exit %d, want 2", name, code)
		}
		checkOneLine(t, stderr)
	}
}

func TestHarSanitizeRefusesToOverwriteInput(t *testing.T) {
	in, orig := copyPlanted(t)
	dir := filepath.Dir(in)
	link := filepath.Join(dir, "link.har")
	if err := os.Symlink(in, link); err != nil {
		t.Fatal(err)
	}
	hard := filepath.Join(dir, "hard.har")
	if err := os.Link(in, hard); err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(mustGetwd(t), in)
	if err != nil {
		t.Fatal(err)
	}
	for name, args := range map[string][]string{
		"same path":                 {in, "-o", in},
		"same path, other spelling": {in, "-o", rel},
		"same path, --force":        {in, "-o", in, "--force"},
		"through a symlink":         {in, "-o", link, "--force"},
		"input is the symlink":      {link, "-o", in, "--force"},
		"hard link":                 {in, "-o", hard, "--force"},
	} {
		code, _, stderr := runHar(t, nil, append([]string{"har", "sanitize"}, args...)...)
		if code != ExitUsage || !strings.Contains(stderr, "refusing to overwrite") {
			t.Errorf("%s: exit %d, %q", name, code, stderr)
		}
		checkOneLine(t, stderr)
	}
	if now, _ := os.ReadFile(in); !bytes.Equal(now, orig) {
		t.Error("the input changed")
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the symlink was replaced")
	}
	if left, _ := os.ReadDir(dir); len(left) != 3 {
		t.Errorf("files in the folder: %v", left)
	}
}

func mustGetwd(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}

func TestHarSanitizeExistingOutput(t *testing.T) {
	in, _ := copyPlanted(t)
	out := filepath.Join(filepath.Dir(in), "out.har")
	if err := os.WriteFile(out, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runHar(t, nil, "har", "sanitize", in, "-o", out)
	if code != ExitUsage || !strings.Contains(stderr, "exists") || !strings.Contains(stderr, "hint: --force replaces it") {
		t.Errorf("exit %d, %q", code, stderr)
	}
	if data, _ := os.ReadFile(out); string(data) != "keep me" {
		t.Error("OUT was overwritten without --force")
	}
	code, _, stderr = runHar(t, nil, "har", "sanitize", in, "-o", out, "--force")
	if code != ExitOK {
		t.Fatalf("--force: exit %d, %s", code, stderr)
	}
	data, _ := os.ReadFile(out)
	checkHAR(t, data)
	// A folder that does not exist, a folder as OUT.
	for _, o := range []string{filepath.Join(filepath.Dir(in), "no", "such", "out.har"), filepath.Dir(in)} {
		code, _, stderr := runHar(t, nil, "har", "sanitize", in, "-o", o, "--force")
		if code != ExitUsage {
			t.Errorf("-o %s: exit %d", o, code)
		}
		checkOneLine(t, stderr)
	}
}

func TestHarSanitizeUsage(t *testing.T) {
	for _, args := range [][]string{{"har"}, {"har", "bogus"}, {"har", "sanitize"}, {"har", "sanitize", "a.har", "b.har"}, {"har", "sanitize", "--bogus", "a.har"}} {
		code, stdout, stderr := runHar(t, nil, args...)
		if code != ExitUsage {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, stderr)
		}
		if stdout != "" {
			t.Errorf("%v: stdout %q", args, stdout)
		}
		checkOneLine(t, stderr)
	}
}
