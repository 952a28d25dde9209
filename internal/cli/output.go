package cli

import (
	"github.com/fix401/fix401/agent"
	"github.com/fix401/fix401/internal/outdir"
)

// writeRun writes a diagnosis's folder: HAR, screenshots, every report format.
func writeRun(dir string, res *agent.Result, browserProduct string, held []string) error {
	return outdir.Write(dir, res, Version(), browserProduct, held)
}

// writeReplacing writes into a folder that each run reuses (a demo
// scenario's): a previous report there is replaced, nothing else touched.
func writeReplacing(dir string, res *agent.Result, browserProduct string, held []string) error {
	claim, err := outdir.TakeInside(dir)
	if err != nil {
		return err
	}
	defer claim.Release()
	return writeRun(dir, res, browserProduct, held)
}
