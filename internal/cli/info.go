package cli

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/fix401/fix401/reports"
	"github.com/fix401/fix401/steps"
)

func newStepsCmd(io *IO) *cobra.Command {
	return &cobra.Command{
		Use:   "steps",
		Short: "List the steps, in the order they run, with what each does",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			for i, s := range steps.All() {
				fmt.Fprintf(io.Out, "%2d. %-15s %s\n", i+1, s.ID(), s.Help())
			}
			return nil
		},
	}
}

func newVersionCmd(io *IO) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			fmt.Fprintf(io.Out, "fix401 %s (%s, %s/%s)\n", Version(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}

// exitCodesHelp is the exit-code contract of DESIGN.md §2.
const exitCodesHelp = `Exit codes

  code  diagnose                                   check
  0     healthy: no auth failure reproduced        every check passed
  1     internal error (also: --max-time ran out)  internal error
  2     usage or bad input (bad URL, bad flag,     same
        unreadable file, --out is a file)
  3     browser unavailable (not found, failed     same
        to start, remote endpoint unreachable)
  10    fixed: a step made the page load           -
  11    unresolved: no step fixed it               -
  12    not an auth failure (403, 404, DNS, TLS,   -
        refused, timeout)
  20    -                                          at least one check did not
                                                   pass (failed, or an error
                                                   such as --max-time)
  130   interrupted (Ctrl-C); the report of what   same
        was done is still written
  143   terminated (SIGTERM, as Kubernetes,        same
        systemd and Task Scheduler stop a job);
        the report of what was done is written

fix401 analyze FILE.har exits 0 when the recording shows no authentication
failure, 11 when it shows one, 12 for another failure, 2 for a file that is
not a readable HAR. fix401 har sanitize exits 0 when the copy was written,
2 otherwise. fix401 explain exits 0 whenever it could read the values; its
output says whether the header is valid.
`

func newExitCodesTopic() *cobra.Command {
	c := &cobra.Command{
		Use:   "exit-codes",
		Short: "The exit codes and what they mean",
		Long:  exitCodesHelp,
		Run:   func(c *cobra.Command, args []string) { fmt.Fprint(c.OutOrStdout(), exitCodesHelp) },
	}
	// A help topic, not a command: `fix401 help exit-codes` shows the text only.
	c.SetHelpFunc(func(c *cobra.Command, _ []string) { fmt.Fprint(c.OutOrStdout(), exitCodesHelp) })
	return c
}

func newReportSchemaTopic() *cobra.Command {
	show := func(c *cobra.Command, _ []string) { c.OutOrStdout().Write(reports.Schema) }
	c := &cobra.Command{
		Use:   "report-schema",
		Short: "The JSON Schema every report.json follows",
		Long:  "Prints the JSON Schema (draft 2020-12) that every report.json fix401 writes follows.",
		Run:   show,
	}
	// A help topic: `fix401 help report-schema` prints the schema itself.
	c.SetHelpFunc(show)
	return c
}
