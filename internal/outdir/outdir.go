// Package outdir writes one diagnosis's folder — the sanitized HAR of every
// load, the screenshots and every report format — the same way for
// `diagnose`, `demo` and `check`.
package outdir

import (
	"fmt"
	"maps"
	"slices"

	"github.com/fix401/fix401/agent"
	"github.com/fix401/fix401/internal/har"
	"github.com/fix401/fix401/reports"
)

// Write writes res into dir. version and browser name the tool and the
// browser in the HAR; held are literals the browser held from the start
// (the user's cookies, a check's ${VAR} parameters), scrubbed from all of
// it, as are the secrets the pages kept in their storage (res.Stored), and
// res.Sent are scrubbed from the loads that may have sent them.
func Write(dir string, res *agent.Result, version, browser string, held []string) error {
	pages := make([]har.Page, 0, len(res.Pages))
	for _, p := range res.Pages {
		pages = append(pages, har.Page{Load: p.Index, Title: p.Title, Started: p.Started, OnLoad: p.Duration})
	}
	data, err := har.Build(pages, res.Requests, har.Options{Version: version, Browser: browser, Secrets: append(slices.Clone(held), res.Stored...), Sent: res.Sent, SentFrom: res.SentFrom})
	if err != nil {
		return fmt.Errorf("building the HAR: %w", err)
	}
	files := make(map[string][]byte, len(res.Files)+1)
	maps.Copy(files, res.Files)
	files["network.har"] = data
	res.Report.Artifacts.HAR = "network.har"
	return reports.WriteDir(dir, res.Report, files)
}
