package bench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bigHAR writes a HAR of about size bytes as a browser exports a long
// session: page loads of a 401 sign-in page, each with scripts,
// stylesheets and API calls whose bodies are kept, as DevTools' "with
// content" export keeps them.
func bigHAR(b *testing.B, size int64) string {
	p := filepath.Join(b.TempDir(), "big.har")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprint(w, `{"log":{"version":"1.2","creator":{"name":"WebInspector","version":"537.36"},"pages":[],"entries":[`)
	body, _ := json.Marshal(strings.Repeat("var x = 'abcdefghijklmnopqrstuvwxyz0123456789';\n", 600)) // ≈29 KB of script
	page, _ := json.Marshal(`<html><head><title>Sign in</title></head><body><h1>Sign in to Reports</h1><form method=post action=/login><input name=user><input type=password name=pw></form></body></html>`)
	start := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	var written int64
	for i := 0; written < size; i++ {
		if i > 0 {
			w.WriteString(",")
		}
		at := start.Add(time.Duration(i) * 10 * time.Millisecond).Format(time.RFC3339Nano)
		var e string
		if i%20 == 0 {
			e = fmt.Sprintf(`{"startedDateTime":%q,"time":20,"_resourceType":"document","request":{"method":"GET","url":"https://intranet.example/reports/%d","httpVersion":"http/1.1","headers":[{"name":"Accept","value":"text/html"},{"name":"Cookie","value":"sid=abcdefgh%d"}],"queryString":[],"cookies":[],"headersSize":-1,"bodySize":0},"response":{"status":401,"statusText":"Unauthorized","httpVersion":"http/1.1","headers":[{"name":"WWW-Authenticate","value":"Bearer realm=\"reports\", error=\"invalid_token\""},{"name":"Content-Type","value":"text/html"}],"cookies":[],"content":{"size":200,"mimeType":"text/html","text":%s},"redirectURL":"","headersSize":-1,"bodySize":200},"cache":{},"timings":{"blocked":1,"dns":-1,"connect":-1,"send":0,"wait":18,"receive":1}}`, at, i, i, page)
		} else {
			e = fmt.Sprintf(`{"startedDateTime":%q,"time":5,"_resourceType":"script","request":{"method":"GET","url":"https://intranet.example/static/app-%d.js","httpVersion":"http/1.1","headers":[{"name":"Accept","value":"*/*"}],"queryString":[],"cookies":[],"headersSize":-1,"bodySize":0},"response":{"status":200,"statusText":"OK","httpVersion":"http/1.1","headers":[{"name":"Content-Type","value":"application/javascript"}],"cookies":[],"content":{"size":29400,"mimeType":"application/javascript","text":%s},"redirectURL":"","headersSize":-1,"bodySize":29400},"cache":{},"timings":{"blocked":1,"dns":-1,"connect":-1,"send":0,"wait":3,"receive":1}}`, at, i, body)
		}
		n, _ := w.WriteString(e)
		written += int64(n)
	}
	fmt.Fprint(w, `]}}`)
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	return p
}

// peakRSS runs a command, which must exit with want, and returns its wall
// time and its peak resident memory (the kernel's maxrss).
func peakRSS(b *testing.B, want int, name string, args ...string) (time.Duration, int64) {
	b.Helper()
	cmd := exec.Command(name, args...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	code := cmd.ProcessState.ExitCode()
	if code != want {
		b.Fatalf("%s %s: exit %d (want %d): %v\n%s", name, strings.Join(args, " "), code, want, err, out)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return took, ru.Maxrss * 1024
}

// BenchmarkAnalyze: `fix401 analyze` of a 50 MB HAR (exit 11 required)
// against the bare reference of reading it at all, node's JSON.parse of
// the same file (exit 0 required): time and peak memory, as ratios. Since
// analyze streams, its peak memory should stay well under the file's size.
func BenchmarkAnalyze(b *testing.B) {
	const size = 50 << 20
	har := bigHAR(b, size)
	fi, _ := os.Stat(har)
	node, err := exec.LookPath("node")
	if err != nil {
		b.Fatal("node is missing: make deps installs it")
	}
	var fixT, nodeT time.Duration
	var fixM, nodeM int64
	for b.Loop() {
		t, m := peakRSS(b, 11, bin, "analyze", "-q", "--out", filepath.Join(b.TempDir(), "out"), har)
		fixT += t
		fixM = max(fixM, m)
		t, m = peakRSS(b, 0, node, "-e", "JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'))", har)
		nodeT += t
		nodeM = max(nodeM, m)
	}
	n := time.Duration(b.N)
	mb := float64(fi.Size()) / (1 << 20)
	fmt.Printf("\nanalyze of a %.0f MB HAR: fix401 analyze %v (%.0f MB/s), peak %d MiB; node JSON.parse %v, peak %d MiB: time ratio %.2f, memory ratio %.2f, fix401's peak %.2f× the file\n",
		mb, (fixT / n).Round(time.Millisecond), mb/(fixT/n).Seconds(), fixM>>20, (nodeT / n).Round(time.Millisecond), nodeM>>20,
		float64(fixT)/float64(nodeT), float64(fixM)/float64(nodeM), float64(fixM)/float64(fi.Size()))
	b.ReportMetric(float64(fixT)/float64(nodeT), "time-ratio-vs-JSON.parse")
	b.ReportMetric(float64(fixM>>20), "peak-MiB")
}

// BenchmarkSanitize: `fix401 har sanitize` of a 50 MB HAR (exit 0
// required) against the bare reference of rewriting it at all, node's
// JSON.parse then JSON.stringify of the same file into another (exit 0
// required): throughput in MB/s and peak memory, as ratios.
func BenchmarkSanitize(b *testing.B) {
	const size = 50 << 20
	har := bigHAR(b, size)
	fi, _ := os.Stat(har)
	node, err := exec.LookPath("node")
	if err != nil {
		b.Fatal("node is missing: make deps installs it")
	}
	dir := b.TempDir()
	var fixT, nodeT time.Duration
	var fixM, nodeM int64
	i := 0
	for b.Loop() {
		i++
		t, m := peakRSS(b, 0, bin, "har", "sanitize", har, "-o", filepath.Join(dir, fmt.Sprintf("s%d.har", i)))
		fixT += t
		fixM = max(fixM, m)
		t, m = peakRSS(b, 0, node, "-e", "const fs = require('fs'); fs.writeFileSync(process.argv[2], JSON.stringify(JSON.parse(fs.readFileSync(process.argv[1], 'utf8'))))", har, filepath.Join(dir, fmt.Sprintf("n%d.har", i)))
		nodeT += t
		nodeM = max(nodeM, m)
	}
	n := time.Duration(b.N)
	mb := float64(fi.Size()) / (1 << 20)
	fmt.Printf("\nsanitize of a %.0f MB HAR: fix401 har sanitize %v (%.0f MB/s), peak %d MiB; node parse+stringify %v (%.0f MB/s), peak %d MiB: time ratio %.2f, memory ratio %.2f\n",
		mb, (fixT / n).Round(time.Millisecond), mb/(fixT/n).Seconds(), fixM>>20, (nodeT / n).Round(time.Millisecond), mb/(nodeT/n).Seconds(), nodeM>>20,
		float64(fixT)/float64(nodeT), float64(fixM)/float64(nodeM))
	b.ReportMetric(mb/(fixT/n).Seconds(), "MB/s")
	b.ReportMetric(float64(fixT)/float64(nodeT), "time-ratio-vs-node")
	b.ReportMetric(float64(fixM>>20), "peak-MiB")
}
