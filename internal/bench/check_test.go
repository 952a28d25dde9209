package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fix401/fix401/internal/browser"
)

// checkConfig writes a config of n lab URLs, cycling through scenarios
// with a known expectation.
func checkConfig(b *testing.B, n int) (string, []string, []int) {
	scen := []struct{ id, expect string }{
		{"healthy", "healthy"}, {"basic", "auth_required"}, {"bearer", "auth_required"}, {"negotiate", "auth_required"},
		{"soft-en", "auth_required"}, {"no-challenge", "auth_required"}, {"digest", "auth_required"},
	}
	var sb strings.Builder
	sb.WriteString("checks:\n")
	var urls []string
	var codes []int // what `diagnose --steps reproduce` of each URL exits with
	for i := range n {
		s := scen[i%len(scen)]
		u := fmt.Sprintf("%s/s/%s/?n=%d", labURL, s.id, i)
		urls = append(urls, u)
		code := 11 // unresolved: only reproduce runs
		if s.expect == "healthy" {
			code = 0
		}
		codes = append(codes, code)
		fmt.Fprintf(&sb, "  - name: c%02d-%s\n    url: %s\n    expect: %s\n", i, s.id, u, s.expect)
	}
	p := filepath.Join(b.TempDir(), "checks.yaml")
	if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	return p, urls, codes
}

// checkEngines are the browsers the check benchmarks run: the full one
// diagnose picks, then the headless shell check picks, when one is there.
func checkEngines() []string {
	engines := []string{chrome}
	if shell, err := browser.FindShell("", os.Getenv); err == nil && shell != chrome {
		engines = append(engines, shell)
	}
	return engines
}

// BenchmarkCheck: 50 lab URLs through `check --concurrency 4` against 50
// sequential `diagnose --steps reproduce` processes on the same URLs
// (target ≥ 4×), and concurrency 1 against 4. Both sides run the same
// browser, given with --chrome: once with the full Chromium diagnose
// prefers, and once with the headless shell check prefers, when one is
// installed. The last line compares each command with the browser it picks
// by itself.
func BenchmarkCheck(b *testing.B) {
	cfg, urls, codes := checkConfig(b, 50)
	engines := checkEngines()
	c4 := make([]time.Duration, len(engines))
	c1 := make([]time.Duration, len(engines))
	seq := make([]time.Duration, len(engines))
	for b.Loop() {
		for i, e := range engines {
			c4[i] += timed(b, 0, nil, bin, "check", "-q", "--chrome", e, "--config", cfg, "--concurrency", "4", "--out", b.TempDir())
			c1[i] += timed(b, 0, nil, bin, "check", "-q", "--chrome", e, "--config", cfg, "--concurrency", "1", "--out", b.TempDir())
			for j, u := range urls {
				seq[i] += timed(b, codes[j], nil, bin, "diagnose", "-q", "--chrome", e, "--steps", "reproduce", "--out", b.TempDir(), u)
			}
		}
	}
	n := float64(b.N)
	fmt.Println() // after the benchmark's name, which `go test` prints first
	for i, e := range engines {
		fmt.Printf("check with %s: 50 URLs in %.1fs at concurrency 4, %.1fs at 1, %.1fs as 50 diagnose processes: speed-up %.1f× (target ≥ 4×), concurrency 1→4: %.2f× (each diagnose process loads its page twice and writes a report; check loads each page once and writes none, since every check passes)\n",
			filepath.Base(e), c4[i].Seconds()/n, c1[i].Seconds()/n, seq[i].Seconds()/n, float64(seq[i])/float64(c4[i]), float64(c1[i])/float64(c4[i]))
	}
	last := len(engines) - 1
	if last > 0 {
		fmt.Printf("check with %s (its own pick) against diagnose with %s (its own pick): speed-up %.1f×\n",
			filepath.Base(engines[last]), filepath.Base(engines[0]), float64(seq[0])/float64(c4[last]))
	}
	// The metrics are check's own browser's: the one a scheduled run gets.
	b.ReportMetric(float64(seq[last])/float64(c4[last]), "speedup-vs-processes")
	b.ReportMetric(float64(c1[last])/float64(c4[last]), "speedup-c1-to-c4")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkCheckMemory: the peak PSS of fix401 and its whole browser tree
// at concurrency 8 (target ≤ 1.5 GiB), sampled from /proc, with each
// browser BenchmarkCheck runs.
func BenchmarkCheckMemory(b *testing.B) {
	if _, err := os.Stat("/proc/self/smaps_rollup"); err != nil {
		b.Skip("needs /proc smaps_rollup (Linux)")
	}
	cfg, _, _ := checkConfig(b, 50)
	engines := checkEngines()
	peak := make([]int64, len(engines))
	for b.Loop() {
		for i, e := range engines {
			cmd := exec.Command(bin, "check", "-q", "--chrome", e, "--config", cfg, "--concurrency", "8", "--out", b.TempDir())
			if err := cmd.Start(); err != nil {
				b.Fatal(err)
			}
			done := make(chan struct{})
			var waitErr error
			go func() { waitErr = cmd.Wait(); close(done) }()
			t := time.NewTicker(50 * time.Millisecond)
		sample:
			for {
				select {
				case <-done:
					break sample
				case <-t.C:
					peak[i] = max(peak[i], treePSS(cmd.Process.Pid))
				}
			}
			t.Stop()
			if waitErr != nil {
				// Every check passes: any other exit is a broken run.
				b.Fatalf("check at concurrency 8 with %s: %v", filepath.Base(e), waitErr)
			}
		}
	}
	fmt.Println()
	for i, e := range engines {
		fmt.Printf("check memory with %s: peak PSS of fix401 + browser tree at concurrency 8: %.0f MiB (target ≤ 1536 MiB)\n",
			filepath.Base(e), float64(peak[i])/(1<<20))
	}
	b.ReportMetric(float64(slices.Max(peak))/(1<<20), "peak-PSS-MiB")
	b.ReportMetric(0, "ns/op")
}

// treePSS sums the PSS (bytes) of pid and all its descendants.
func treePSS(root int) int64 {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// The command may hold spaces; the fields after ")" are fixed.
		f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
		if len(f) > 1 {
			ppid, _ := strconv.Atoi(f[1])
			children[ppid] = append(children[ppid], pid)
		}
	}
	var total int64
	queue := []int{root}
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		queue = append(queue, children[pid]...)
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "Pss:") {
				kb, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
				total += kb << 10
			}
		}
	}
	return total
}
