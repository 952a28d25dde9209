package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fix401/fix401/internal/browser"
)

// peers are the libraries testdata/bench/peers.mjs drives, by the name it
// takes and their npm package's.
var peers = []struct{ arg, pkg string }{{"puppeteer", "puppeteer-core"}, {"playwright", "playwright-core"}}

// BenchmarkCheckPeers: BenchmarkCheck's 50 lab URLs through `check
// --concurrency 4` against the same URLs loaded by a Puppeteer and a
// Playwright script (testdata/bench/peers.mjs) that launch the same browser
// once, with fix401's switches, and load each URL in a browser context of its
// own, 4 at a time: fix401 / the faster peer, target ≤ 1.0. With each browser
// BenchmarkCheck runs. Before the timing, one untimed run of each peer on 7
// of the URLs (one of each scenario) shows what browser it really started.
func BenchmarkCheckPeers(b *testing.B) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		b.Fatal(err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		b.Fatal("node is missing: make deps installs Node.js and the npm packages the peers need (puppeteer-core, playwright-core)")
	}
	for _, p := range peers {
		if _, err := os.Stat(filepath.Join(root, ".cache", "npm", "node_modules", p.pkg, "package.json")); err != nil {
			b.Fatalf("%s is missing from .cache/npm: make deps installs it and the other peer, puppeteer-core and playwright-core", p.pkg)
		}
	}
	script := filepath.Join(root, "testdata", "bench", "peers.mjs")
	cfg, urls, _ := checkConfig(b, 50)
	dir := b.TempDir()
	all, some := filepath.Join(dir, "urls.txt"), filepath.Join(dir, "trial.txt")
	for f, list := range map[string][]string{all: urls, some: urls[:7]} {
		if err := os.WriteFile(f, []byte(strings.Join(list, "\n")+"\n"), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	engines := checkEngines()

	// The trial: each peer prints the browser's product and the
	// executables its processes run (from /proc), which must be the
	// engine's: a headless shell's product is "HeadlessChrome/…", a full
	// browser's "Chrome/…", and both peers must run the same programs.
	ran := make([][]string, len(engines))
	for i, e := range engines {
		var exes string
		for _, p := range peers {
			out, err := exec.Command(node, script, p.arg, e, "4", some, "--verbose").CombinedOutput()
			line := strings.TrimSpace(string(out))
			if err != nil {
				b.Fatalf("%s with %s: %v\n%s", p.pkg, e, err, line)
			}
			f := fields(line)
			product, exe := f["product"], f["exe"]
			if wantShell := browser.IsShell(e); strings.HasPrefix(product, "HeadlessChrome/") != wantShell || exe == "" {
				b.Fatalf("%s with %s started another browser: %s", p.pkg, e, line)
			}
			if exes != "" && exe != exes {
				b.Fatalf("the peers ran different programs with %s: %s against %s", e, exes, exe)
			}
			exes = exe
			ran[i] = append(ran[i], fmt.Sprintf("%s %s", p.pkg, f["version"]))
			if len(ran[i]) == len(peers) {
				ran[i] = append(ran[i], fmt.Sprintf("%s in %s", product, exes))
			}
		}
	}

	fix := make([]time.Duration, len(engines))
	peer := make([][]time.Duration, len(engines))
	for i := range peer {
		peer[i] = make([]time.Duration, len(peers))
	}
	for b.Loop() {
		for i, e := range engines {
			fix[i] += timed(b, 0, nil, bin, "check", "-q", "--chrome", e, "--config", cfg, "--concurrency", "4", "--out", b.TempDir())
			for j, p := range peers {
				peer[i][j] += timed(b, 0, nil, node, script, p.arg, e, "4", all)
			}
		}
	}
	n := float64(b.N)
	fmt.Println() // after the benchmark's name, which `go test` prints first
	for i, e := range engines {
		best := 0
		for j := range peers {
			if peer[i][j] < peer[i][best] {
				best = j
			}
		}
		ratio := float64(fix[i]) / float64(peer[i][best])
		fmt.Printf("check peers with %s: 50 URLs at concurrency 4, each in a browser context of its own: fix401 check %.1fs, %s %.1fs, %s %.1fs per run: fix401 / faster peer (%s) %.2f (target ≤ 1.0); the peers (%s) ran %s\n",
			filepath.Base(e), fix[i].Seconds()/n, peers[0].pkg, peer[i][0].Seconds()/n, peers[1].pkg, peer[i][1].Seconds()/n,
			peers[best].pkg, ratio, strings.Join(ran[i][:len(peers)], ", "), ran[i][len(peers)])
		b.ReportMetric(ratio, "ratio-vs-peer-"+filepath.Base(e))
	}
	b.ReportMetric(0, "ns/op")
}

// fields reads peers.mjs's --verbose line, "PKG VERSION key=value…", into
// a map that holds the version too.
func fields(line string) map[string]string {
	m := map[string]string{}
	// Anything the script printed before (a failed page) comes first.
	if i := strings.LastIndexByte(line, '\n'); i >= 0 {
		line = line[i+1:]
	}
	for i, f := range strings.Fields(line) {
		if k, v, ok := strings.Cut(f, "="); ok {
			m[k] = v
		} else if i == 1 {
			m["version"] = f
		}
	}
	return m
}
