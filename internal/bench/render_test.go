package bench

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/fix401/fix401/agent"
	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/outdir"
	"github.com/fix401/fix401/steps"
)

// BenchmarkRender: writing every format (HTML, Markdown, contact, JSON,
// sanitized HAR, screenshots) of a report of every step, against the run's own
// page-load time (target ≤ 0.05); and the HAR's size per load.
func BenchmarkRender(b *testing.B) {
	b.StopTimer()
	ctx := context.Background()
	br, err := browser.Launch(ctx, browser.Options{ExecPath: chrome})
	if err != nil {
		b.Fatal(err)
	}
	defer br.Close()
	res, err := agent.Diagnose(ctx, agent.Config{URL: labURL + "/s/basic/", Browser: br, Isolated: true, Screenshots: true, All: true,
		Timeout: 10 * time.Second, Inputs: steps.Inputs{User: "alice", Password: "wonderland"}, Secrets: []string{"wonderland"}})
	if err != nil {
		b.Fatal(err)
	}
	if n, want := len(res.Report.Steps), len(steps.All()); n != want {
		b.Fatalf("%d steps, want every step (%d)", n, want)
	}
	var loads time.Duration
	for _, p := range res.Pages {
		loads += p.Duration
	}
	var render time.Duration
	var harSize int64
	b.StartTimer()
	for b.Loop() {
		dir := b.TempDir()
		t := time.Now()
		if err := outdir.Write(dir, res, "bench", br.Product(), []string{"wonderland"}); err != nil {
			b.Fatal(err)
		}
		render += time.Since(t)
		st, err := os.Stat(dir + "/network.har")
		if err != nil {
			b.Fatal(err)
		}
		harSize = st.Size()
	}
	per := render / time.Duration(b.N)
	ratio := float64(per) / float64(loads)
	b.ReportMetric(ratio, "render/page-loads")
	b.ReportMetric(float64(harSize)/float64(len(res.Pages)), "HAR-bytes/load")
	fmt.Printf("render: all formats of a %d-step report in %s, the run's %d page loads took %s: ratio %.3f (target ≤ 0.05); HAR %d bytes, %.0f bytes per load\n",
		len(res.Report.Steps), per.Round(time.Microsecond), len(res.Pages), loads.Round(time.Millisecond), ratio, harSize, float64(harSize)/float64(len(res.Pages)))
}
