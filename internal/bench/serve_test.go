package bench

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"sync"
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
	for {
		if resp, err := http.Get("http://" + addr + "/-/ready"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Since(start) > 30*time.Second {
			b.Fatal("serve did not get ready in 30 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
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
