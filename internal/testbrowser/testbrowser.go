// Package testbrowser gives a test binary one lazily started Chromium (and
// labs of its tests' own, see Lab),
// shared by its tests (each opens its own tab or browser context), as
// chromedp's own tests share one, and checks when the tests end that no
// browser process and no temporary profile of the binary is left behind.
//
// A package's TestMain calls Main; its tests call Get. Everything the
// binary's browsers write goes under a private TMPDIR, so that what is
// left can be told apart from anything else on the machine.
package testbrowser

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/lab"
)

var (
	once   sync.Once
	shared *browser.Browser
	err    error
	tmp    string // the binary's private TMPDIR
)

// Main runs the tests, closes the shared browser, and fails the binary if
// a browser process or a temporary profile is left. It returns the exit
// code for os.Exit.
func Main(m *testing.M) int {
	// Short: Chromium's socket path under TMPDIR must fit in ~104 bytes.
	dir, e := os.MkdirTemp("", "tb")
	if e != nil {
		fmt.Fprintln(os.Stderr, "testbrowser:", e)
		return 1
	}
	tmp = dir
	defer os.RemoveAll(dir)
	os.Setenv("TMPDIR", dir)
	before := goleak.IgnoreCurrent()
	code := m.Run()
	if shared != nil {
		if e := shared.Close(); e != nil {
			fmt.Fprintln(os.Stderr, "testbrowser: closing the shared browser:", e)
			code = 1
		}
	}
	if left := Leftovers(dir); len(left) > 0 {
		fmt.Fprintf(os.Stderr, "testbrowser: left behind by the tests:\n  %s\n", strings.Join(left, "\n  "))
		code = 1
	}
	// Every goroutine a session or a browser started ends with it.
	if err := goleak.Find(before); err != nil && code == 0 {
		fmt.Fprintf(os.Stderr, "testbrowser: goroutines left running after the browser closed: %v\n", err)
		code = 1
	}
	return code
}

// Get returns the binary's shared browser, starting it on first use.
func Get(t testing.TB) *browser.Browser {
	t.Helper()
	once.Do(func() {
		path, e := browser.Find("", os.Getenv)
		if e != nil {
			err = fmt.Errorf("%v (%s)", e, browser.InstallHint("linux"))
			return
		}
		shared, err = browser.Launch(context.Background(), browser.Options{ExecPath: path, Getenv: os.Getenv})
	})
	if err != nil {
		t.Fatalf("no browser: %v", err)
	}
	return shared
}

// settle bounds how long Leftovers gives browsers that are shutting down
// (a crash handler, a profile written last) to finish.
const settle = 10 * time.Second

// Leftovers lists the browser processes whose command line names dir and
// the files left in dir, once whatever is still ending has had settle to
// end.
func Leftovers(dir string) []string {
	deadline := time.Now().Add(settle)
	for {
		left := append(processesUnder(dir), filesUnder(dir)...)
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// processesUnder lists the processes whose command line mentions dir
// (Linux /proc; elsewhere none are found).
func processesUnder(dir string) []string {
	entries, _ := os.ReadDir("/proc")
	var out []string
	for _, e := range entries {
		if e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		cmd, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !strings.Contains(string(cmd), dir) {
			continue
		}
		argv := strings.Split(strings.TrimRight(string(cmd), "\x00"), "\x00")
		out = append(out, fmt.Sprintf("process %s: %s", e.Name(), filepath.Base(argv[0])))
	}
	return out
}

// filesUnder lists what is left in dir (a profile, Chromium's own temp
// folders), one entry per top-level name.
func filesUnder(dir string) []string {
	entries, _ := os.ReadDir(dir)
	var out []string
	for _, e := range entries {
		out = append(out, "file "+filepath.Join(dir, e.Name()))
	}
	return out
}

// Lab serves a practice lab of the test's own on a free loopback port,
// stopped when the test ends, and returns its base URL: state of one
// test's lab (windows, connections) never reaches another's.
func Lab(t testing.TB) string {
	t.Helper()
	base, stop, err := lab.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stop() })
	return base
}
