package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fix401/fix401/internal/lab"
)

// TestInterrupt sends SIGINT, then SIGTERM (what Kubernetes, systemd and
// Task Scheduler send), to a real fix401 process in the middle of a load:
// it must stop at once, close the browser, remove its profile, write a
// complete report that says "interrupted", and exit 130 or 143.
func TestInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "fix401")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/fix401/fix401/cmd/fix401").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	ln, err := lab.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- lab.Serve(ctx, ln, lab.New()) }()
	defer func() { cancel(); <-done }()

	for _, sig := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, ExitInterrupted}, {syscall.SIGTERM, ExitTerminated}} {
		t.Run(sig.sig.String(), func(t *testing.T) { interrupt(t, bin, "http://"+ln.Addr().String()+"/s/hang/", sig.sig, sig.code) })
	}
}

func interrupt(t *testing.T, bin, url string, sig syscall.Signal, want int) {
	dir := t.TempDir()
	// A short TMPDIR: Chromium's socket path must fit in ~104 bytes.
	tmp, err := os.MkdirTemp("/tmp", "i")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(dir, "out")
	cmd := exec.Command(bin, "diagnose", "--timeout", "60s", "--log-format", "json", "--log-level", "debug", "--out", out, url)
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once the first load is under way, as a person would.
	sc := bufio.NewScanner(stderr)
	var seen strings.Builder
	for sc.Scan() {
		seen.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), "reproduce") {
			break
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	start := time.Now()
	cmd.Process.Signal(sig)
	err = cmd.Wait()
	took := time.Since(start)
	if code := cmd.ProcessState.ExitCode(); code != want {
		t.Fatalf("exit code %d (%v), want %d; stderr so far: %s", code, err, want, seen.String())
	}
	if took > 15*time.Second {
		t.Errorf("took %s to stop", took) // generous: a bound, not a timing
	}
	data, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Outcome string  `json:"outcome"`
		Error   *string `json:"error"`
	}
	words := map[syscall.Signal]string{syscall.SIGINT: "interrupted", syscall.SIGTERM: "terminated (SIGTERM)"}[sig]
	if err := json.Unmarshal(data, &r); err != nil || r.Outcome != "error" || r.Error == nil || *r.Error != words {
		t.Fatalf("report: %v %s", err, data)
	}
	left, _ := os.ReadDir(tmp)
	for _, e := range left {
		t.Errorf("left behind in TMPDIR: %s", e.Name())
	}
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file left in --out: %s", e.Name())
		}
	}
}
