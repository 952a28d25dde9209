package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fix401/fix401/internal/realserver"
)

// bareBrowser is the reference for one page load and one browser start:
// chromedp with nothing of fix401 (no interception, no recording, no
// screenshots). It is the only chromedp use outside internal/browser, and
// it is a yardstick, not product code.
func bareBrowser(b *testing.B) (start time.Duration, load func(url string) time.Duration, done func()) {
	dir := b.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chrome), chromedp.UserDataDir(dir),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true))
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t0 := time.Now()
	if err := chromedp.Do(ctx); err != nil {
		b.Fatal(err)
	}
	start = time.Since(t0)
	load = func(url string) time.Duration {
		t := time.Now()
		if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil && !strings.Contains(err.Error(), "ERR_INVALID_AUTH_CREDENTIALS") {
			// A 401 page without interception is this net error in
			// headless Chrome, and still the time of a load; any other
			// error is a broken reference.
			b.Fatalf("bare load of %s: %v", url, err)
		}
		return time.Since(t)
	}
	return start, load, func() { cancel(); acancel() }
}

type walkReport struct {
	DurationMS  int64 `json:"duration_ms"`
	Environment struct {
		BrowserLaunches int64 `json:"browser_launches"`
	} `json:"environment"`
	FixedBy *string `json:"fixed_by"`
	Steps   []struct {
		ID         string `json:"id"`
		DurationMS int64  `json:"duration_ms"`
		Load       *struct {
			DurationMS int64 `json:"duration_ms"`
		} `json:"load"`
		Loads []json.RawMessage `json:"loads"`
	} `json:"steps"`
}

func (r walkReport) loads() int {
	n := 0
	for _, s := range r.Steps {
		switch {
		case len(s.Loads) > 0:
			n += len(s.Loads)
		case s.Load != nil:
			n++
		}
	}
	return n + 1 // the confirmation load
}

// BenchmarkWalk: the full walk on the scenario only relogin fixes, every
// step running, against bare page loads and browser starts in the same run.
func BenchmarkWalk(b *testing.B) {
	benchWalk(b, "walk", labURL+"/s/basic/", []string{"FIX401_PASSWORD=wonderland"}, "--user", "alice")
}

// BenchmarkKerberosWalk: the full walk on a real Kerberos site (MIT KDC,
// Apache mod_auth_gssapi) with no ticket on the machine, fixed by relogin
// with a principal (kinit into a cache of the run's own), against its own
// lower bound: bare browser starts plus bare loads, in the same run.
func BenchmarkKerberosWalk(b *testing.B) {
	kdc := realserver.StartKDC(b, "FIX401.TEST", map[string]string{".localhost": "FIX401.TEST"})
	kdc.AddUser(b, "alice", "alice-kerberos-pw")
	keytab := filepath.Join(b.TempDir(), "http.keytab")
	kdc.AddService(b, "krb.localhost", keytab)
	apache := realserver.StartGSSAPIApache(b, kdc, keytab, map[string]string{
		"www/private/index.html": "<!doctype html><title>Intranet</title><h1>Welcome</h1>"})
	env := []string{"KRB5_CONFIG=" + kdc.Conf, "KRB5CCNAME=FILE:" + filepath.Join(b.TempDir(), "no-ticket"),
		"FIX401_PASSWORD=alice-kerberos-pw"}
	benchWalk(b, "kerberos walk", apache.URL("krb.localhost", "/private/"), env,
		"--user", "alice@FIX401.TEST", "--auth-server-allowlist", "krb.localhost")
}

// benchWalk times `diagnose URL args…` (which must end fixed by relogin)
// against the same number of bare loads of URL and bare browser starts.
func benchWalk(b *testing.B, name, url string, env []string, args ...string) {
	var walk, ref, refLoads, refStarts time.Duration
	var rep walkReport
	var cacheRatio, cookieRatio float64
	for b.Loop() {
		out := filepath.Join(b.TempDir(), "w")
		walk += timed(b, 10, env, bin, append([]string{"diagnose", "-q", "--out", out, url}, args...)...)
		data, err := os.ReadFile(filepath.Join(out, "report.json"))
		if err != nil {
			b.Fatal(err)
		}
		rep = walkReport{}
		if err := json.Unmarshal(data, &rep); err != nil || rep.FixedBy == nil || *rep.FixedBy != "relogin" {
			b.Fatalf("the walk did not end fixed by relogin: %v %s", err, data)
		}
		start, load, done := bareBrowser(b)
		load(url) // the first load of a browser pays for the tab
		var one time.Duration
		const samples = 5
		for range samples {
			one += load(url)
		}
		done()
		one /= samples
		// The reference: every load the walk made, as a bare load, plus one
		// bare browser start per browser the walk started.
		ref += time.Duration(rep.loads())*one + time.Duration(rep.Environment.BrowserLaunches)*start
		refLoads += time.Duration(rep.loads()) * one
		refStarts += time.Duration(rep.Environment.BrowserLaunches) * start
		for _, s := range rep.Steps {
			r := float64(s.DurationMS) / float64(one.Milliseconds()+1)
			switch s.ID {
			case "clear-cache":
				cacheRatio = r
			case "clear-cookies":
				cookieRatio = r
			}
		}
	}
	ratio := float64(walk) / float64(ref)
	b.ReportMetric(ratio, "ratio-vs-bare")
	b.ReportMetric(float64(rep.Environment.BrowserLaunches), "launches/run")
	b.ReportMetric(cacheRatio, "clear-cache/reload")
	b.ReportMetric(cookieRatio, "clear-cookies/reload")
	b.ReportMetric(0, "ns/op")
	// The stricter reading: the walk less one bare start per browser it
	// started, against its loads alone.
	loadsOnly := float64(walk-refStarts) / float64(refLoads)
	b.ReportMetric(loadsOnly, "ratio-loads-only")
	fmt.Printf("%s: fix401 %.2fs vs bare %.2fs (%d loads + %d browser starts): ratio %.2f (target ≤ 1.5); less the starts, against the loads alone: %.2f; clear-cache %.1f× a reload, clear-cookies %.1f× a reload\n",
		name, walk.Seconds()/float64(b.N), ref.Seconds()/float64(b.N), rep.loads(), rep.Environment.BrowserLaunches, ratio,
		loadsOnly, cacheRatio, cookieRatio)
}
