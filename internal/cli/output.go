package cli

import (
	"fmt"

	"github.com/fix401/fix401/agent"
	"github.com/fix401/fix401/internal/har"
	"github.com/fix401/fix401/reports"
)

// writeRun writes a diagnosis's folder: the sanitized HAR of every load,
// the screenshots, and every report format, report.json last.
func writeRun(dir string, res *agent.Result, browserProduct string, secrets []string) error {
	pages := make([]har.Page, 0, len(res.Pages))
	for _, p := range res.Pages {
		pages = append(pages, har.Page{Load: p.Index, Title: p.Title, Started: p.Started, OnLoad: p.Duration})
	}
	data, err := har.Build(pages, res.Requests, har.Options{Version: Version(), Browser: browserProduct, Secrets: secrets})
	if err != nil {
		return fmt.Errorf("building the HAR: %w", err)
	}
	files := make(map[string][]byte, len(res.Files)+1)
	for k, v := range res.Files {
		files[k] = v
	}
	files["network.har"] = data
	res.Report.Artifacts.HAR = "network.har"
	return reports.WriteDir(dir, res.Report, files)
}
