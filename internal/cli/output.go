package cli

import (
	"github.com/fix401/fix401/agent"
	"github.com/fix401/fix401/internal/outdir"
)

// writeRun writes a diagnosis's folder: HAR, screenshots, every report format.
func writeRun(dir string, res *agent.Result, browserProduct string, secrets []string) error {
	return outdir.Write(dir, res, Version(), browserProduct, secrets)
}
