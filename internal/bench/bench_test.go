package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/lab"
)

var (
	bin    string // the fix401 binary under test
	chrome string
	labURL string
)

func TestMain(m *testing.M) {
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "fix401-bench-")
		if err != nil {
			panic(err)
		}
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "fix401")
		if out, err := exec.Command("go", "build", "-o", bin, "github.com/fix401/fix401/cmd/fix401").CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building fix401: %v\n%s", err, out)
			return 1
		}
		if chrome, err = browser.Find("", os.Getenv); err != nil {
			fmt.Fprintln(os.Stderr, "bench: no Chromium")
			return 1
		}
		ln, err := lab.Listen("127.0.0.1:0")
		if err != nil {
			panic(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- lab.Serve(ctx, ln, lab.New()) }()
		defer func() { cancel(); <-done }()
		labURL = "http://" + ln.Addr().String()
		return m.Run()
	}())
}

// timed runs a command and returns its wall time. The command must exit
// with want: a side that crashed or failed is not fast, it is broken.
func timed(b *testing.B, want int, env []string, name string, args ...string) time.Duration {
	b.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	d := time.Since(start)
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		b.Fatalf("%s: %v\n%s", name, err, out)
	}
	if code != want {
		b.Fatalf("%s %s: exit %d, want %d\n%s", filepath.Base(name), strings.Join(args, " "), code, want, out)
	}
	return d
}

// bareLoad is the reference: Chromium started by hand to fetch one page.
func bareLoad(b *testing.B, url string) time.Duration {
	dir := b.TempDir()
	return timed(b, 0, nil, chrome, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+dir, "--dump-dom", url)
}

func launches(b *testing.B, dir string) int64 {
	data, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		b.Fatal(err)
	}
	var r struct {
		Environment struct {
			BrowserLaunches int64 `json:"browser_launches"`
		} `json:"environment"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		b.Fatal(err)
	}
	return r.Environment.BrowserLaunches
}

// BenchmarkReproduce: `diagnose --steps reproduce` against bare
// `chromium --headless --dump-dom` of the same lab URL (target ≤ 1.5).
func BenchmarkReproduce(b *testing.B) {
	url := labURL + "/s/basic/"
	var fix, bare time.Duration
	var launched int64
	for i := 0; b.Loop(); i++ {
		out := filepath.Join(b.TempDir(), "r")
		fix += timed(b, 11, nil, bin, "diagnose", "--steps", "reproduce", "-q", "--out", out, url) // 11: unresolved
		bare += bareLoad(b, url)
		launched = launches(b, out)
	}
	ratio := float64(fix) / float64(bare)
	b.ReportMetric(ratio, "ratio-vs-chromium")
	b.ReportMetric(float64(launched), "launches/run")
	b.ReportMetric(0, "ns/op")
	fmt.Printf("reproduce: fix401 %.2fs vs bare chromium %.2fs per run: ratio %.2f (target ≤ 1.5); browser launches per run: %d (fix401 loads the page twice and writes a report, bare chromium loads it once)\n",
		fix.Seconds()/float64(b.N), bare.Seconds()/float64(b.N), ratio, launched)
}
