package bench

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkServe: 100 probes through `serve`'s /probe?check=NAME, four at a
// time, against one `check --concurrency 4` run of the same 100 checks
// (target ≤ 1.2). Both sides start their browser (the one each picks by
// itself) inside the timing, and each must pass every check.
func BenchmarkServe(b *testing.B) {
	cfg, _, _ := checkConfig(b, 100)
	var serveT, checkT time.Duration
	for b.Loop() {
		checkT += timed(b, 0, nil, bin, "check", "-q", "--config", cfg, "--concurrency", "4", "--out", b.TempDir())
		serveT += serveProbes(b, cfg, 100)
	}
	n := float64(b.N)
	fmt.Printf("\n  serve: 100 probes at concurrency 4 %.2fs, check --concurrency 4 of the same %.2fs: ratio %.2f (target ≤ 1.2)\n",
		serveT.Seconds()/n, checkT.Seconds()/n, serveT.Seconds()/checkT.Seconds())
}

// serveProbes starts serve, probes every check of cfg four at a time, and
// stops it: the time from start to the last answer.
func serveProbes(b *testing.B, cfg string, n int) time.Duration {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	start := time.Now()
	cmd := exec.Command(bin, "serve", "--config", cfg, "--listen", addr, "--concurrency", "4", "--queue", "200")
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	waitReady(b, addr)
	names := make(chan string, n)
	scen := []string{"healthy", "basic", "bearer", "negotiate", "soft-en", "no-challenge", "digest"}
	for i := range n {
		names <- fmt.Sprintf("c%02d-%s", i, scen[i%len(scen)])
	}
	close(names)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed []string
	for range 4 {
		wg.Go(func() {
			for name := range names {
				resp, err := http.Get("http://" + addr + "/probe?check=" + name)
				if err != nil {
					mu.Lock()
					failed = append(failed, name+": "+err.Error())
					mu.Unlock()
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if !strings.Contains(string(body), "probe_success 1") {
					mu.Lock()
					failed = append(failed, name)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	d := time.Since(start)
	if len(failed) > 0 {
		b.Fatalf("%d probes did not pass: %v", len(failed), failed)
	}
	return d
}

// BenchmarkServeMemory: the PSS of serve and its whole browser tree over
// 1,000 probes at concurrency 8, sampled as the probes go: the peak, and
// the last tenth's against the first tenth's (flat means no leak).
func BenchmarkServeMemory(b *testing.B) {
	if _, err := os.Stat("/proc/self/smaps_rollup"); err != nil {
		b.Skip("needs /proc smaps_rollup (Linux)")
	}
	const n = 1000
	for b.Loop() {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		cmd := exec.Command(bin, "serve", "--config", writeFile(b, "modules:\n  m:\n    timeout: 10s\n"), "--listen", addr,
			"--concurrency", "8", "--queue", "64")
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		waitReady(b, addr)
		urls := make(chan string, n)
		for i := range n {
			urls <- fmt.Sprintf("%s/s/%s/?n=%d", labURL, []string{"healthy", "basic", "soft-en", "bearer"}[i%4], i)
		}
		close(urls)
		var done atomic.Int32
		var samples []int64
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			for {
				select {
				case <-stop:
					return
				case <-time.After(500 * time.Millisecond):
					samples = append(samples, treePSS(cmd.Process.Pid))
				}
			}
		}()
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for u := range urls {
					resp, err := http.Get("http://" + addr + "/probe?target=" + url.QueryEscape(u))
					if err != nil {
						b.Errorf("probe: %v", err)
						continue
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					done.Add(1)
				}
			})
		}
		wg.Wait()
		close(stop)
		<-sampled
		cmd.Process.Kill()
		cmd.Wait()
		if done.Load() != n || len(samples) < 10 {
			b.Fatalf("%d probes answered, %d samples", done.Load(), len(samples))
		}
		tenth := len(samples) / 10
		avg := func(xs []int64) float64 {
			var s int64
			for _, x := range xs {
				s += x
			}
			return float64(s) / float64(len(xs)) / (1 << 20)
		}
		first, last := avg(samples[:tenth]), avg(samples[len(samples)-tenth:])
		fmt.Printf("\n  serve memory over %d probes at concurrency 8: peak PSS %.0f MiB; first tenth %.0f MiB, last tenth %.0f MiB (%.2f×)\n",
			n, float64(slices.Max(samples))/(1<<20), first, last, last/first)
		b.ReportMetric(float64(slices.Max(samples))/(1<<20), "peak-PSS-MiB")
	}
}

func waitReady(b *testing.B, addr string) {
	b.Helper()
	start := time.Now()
	for {
		if resp, err := http.Get("http://" + addr + "/-/ready"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Since(start) > 30*time.Second {
			b.Fatal("serve did not get ready in 30 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func writeFile(b *testing.B, content string) string {
	p := filepath.Join(b.TempDir(), "probes.yaml")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		b.Fatal(err)
	}
	return p
}
