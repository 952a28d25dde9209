package cli

import (
	"errors"
	"fmt"
	stdio "io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/fix401/fix401/agent"
	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/harfile"
	"github.com/fix401/fix401/internal/harsanitize"
	"github.com/fix401/fix401/internal/inputfile"
	"github.com/fix401/fix401/internal/netlog"
	"github.com/fix401/fix401/internal/outdir"
	"github.com/fix401/fix401/reports"
)

// maxHAR bounds a HAR to read: a long recording of a busy page is a few
// hundred megabytes; more is not a HAR a browser exported.
const maxHAR = 4 << 30

// AnalyzeOptions are analyze's flags.
type AnalyzeOptions struct {
	Out       string
	NetLog    string
	Force     bool
	JSON      bool
	Quiet     bool
	NoColor   bool
	LogLevel  string
	LogFormat string
	now       func() time.Time
}

func newAnalyzeCmd(io *IO) *cobra.Command {
	o := &AnalyzeOptions{now: time.Now}
	c := &cobra.Command{
		Use:   "analyze FILE.har",
		Short: "Diagnose a HAR someone else recorded: no browser, the same judge and findings",
		Long: `Reads a HAR 1.2 recorded by Chrome, Edge or Firefox DevTools, Playwright, Charles
or Fiddler (- reads standard input), judges each page load in it as a live run
judges its loads, and writes the usual report folder (report.html, report.md,
report.json, contact.md and a sanitized copy of the HAR as network.har).
No remedy runs: the report says which request failed, how, every challenge,
the causes a recording can show, and the remedy to try first.

Exit codes: 0 no authentication failure in the recording, 11 an
authentication failure, 12 another failure (403, 404, network error),
2 a file that is not a readable HAR.`,
		Example: `  fix401 analyze customer.har --out ./ticket-4711
  fix401 analyze --json - < customer.har`,
		Args: exactArgs(1, "the HAR file to analyze (- for standard input)"),
		RunE: func(c *cobra.Command, args []string) error {
			return runAnalyze(io, o, args[0])
		},
	}
	f := c.Flags()
	f.StringVar(&o.Out, "out", "", "a new or empty folder for the report (default: a new folder named after the host and time)")
	f.StringVar(&o.NetLog, "netlog", "", "the browser's network log of the same session (chrome://net-export's JSON): why integrated sign-in (Negotiate/NTLM) failed")
	f.BoolVar(&o.Force, "force", false, "let --out replace a previous fix401 report in that folder (nothing else there is touched)")
	f.BoolVar(&o.JSON, "json", false, "print the JSON report on stdout")
	logFlags(c, &o.LogLevel, &o.LogFormat, &o.Quiet, &o.NoColor)
	return c
}

func runAnalyze(io *IO, o *AnalyzeOptions, path string) error {
	bo := BrowserOptions{LogLevel: o.LogLevel, LogFormat: o.LogFormat, NoColor: o.NoColor, Timeout: time.Second}
	if err := bo.validate(); err != nil {
		return err
	}
	name := path
	if path == "-" {
		// Kept in a file of the run's own while it is read: the report's
		// network.har is a sanitized copy of it, a second pass.
		tmp, err := os.CreateTemp("", "fix401-analyze-*.har")
		if err != nil {
			return &ExitError{Code: ExitInternal, Err: fmt.Errorf("keeping standard input: %v", err)}
		}
		defer os.Remove(tmp.Name())
		_, err = stdio.Copy(tmp, stdio.LimitReader(io.In, maxHAR+1))
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return &ExitError{Code: ExitUsage, Err: fmt.Errorf("reading standard input: %v", err)}
		}
		path, name = tmp.Name(), "standard input"
	} else if err := inputfile.Check(path, maxHAR); err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	f, err := os.Open(path)
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("%s: %v", name, unwrapPathError(err))}
	}
	defer f.Close()
	// The sanitized copy for the report is written beside the analysis, on
	// another core: the two passes over a large file take as long as one.
	copied := make(chan sanitizedCopy, 1)
	go func() { copied <- sanitizeCopy(path) }()
	waitCopy := sync.OnceValue(func() sanitizedCopy { return <-copied })
	defer func() {
		if c := waitCopy(); c.path != "" {
			os.Remove(c.path) // moved into the report, or not wanted
		}
	}()
	rec, err := harfile.Read(stdio.LimitReader(f, maxHAR+1))
	var fe *harfile.FormatError
	if errors.As(err, &fe) {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("%s: %s", name, fe.Msg)}
	}
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("%s: %v", name, err)}
	}
	if len(rec.Requests) == 0 {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("%s: the HAR has no requests", name),
			Hint: "record it again: open the Network panel, tick \u201cPreserve log\u201d, load the failing page, then export"}
	}
	loads := browser.Replay(rec.Requests, 1)
	if o.NetLog != "" {
		if err := inputfile.Check(o.NetLog, maxHAR); err != nil {
			return &ExitError{Code: ExitUsage, Err: fmt.Errorf("--netlog %v", err)}
		}
		nl, err := netlog.Open(o.NetLog)
		var as []netlog.Attempt
		if err == nil {
			as, err = nl.Read(0)
		}
		if err != nil {
			return &ExitError{Code: ExitUsage, Err: fmt.Errorf("--netlog %s: not a network log Chrome wrote (chrome://net-export): %v", o.NetLog, err)}
		}
		browser.AttachSignIn(loads, as)
	}
	res, err := agent.Analyze(agent.Recording{
		Loads: loads, Creator: rec.Creator, Browser: rec.Browser, Entries: rec.Entries,
	}, agent.AnalyzeConfig{Version: Version(), Now: o.now, Log: bo.logger(io)})
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("%s: %v", name, err)}
	}
	rep := res.Report

	// The folder is claimed once the file is known to be a HAR: a bad file
	// leaves no empty folder behind.
	var claim *outdir.Claim
	if o.Out == "" {
		claim, err = takeDefaultOut(firstURL(loads), o.now())
		if claim != nil {
			o.Out = claim.Dir
		}
	} else {
		claim, err = outdir.Take(o.Out, o.Force)
	}
	if err != nil {
		return outErr(err)
	}
	defer claim.Release()
	if err := writeAnalysis(o.Out, res, waitCopy()); err != nil {
		return &ExitError{Code: ExitInternal, Err: fmt.Errorf("writing the report: %w", err)}
	}
	if o.JSON {
		shown := *rep
		if abs, err := filepath.Abs(o.Out); err == nil {
			shown.Artifacts.Dir = abs
		}
		data, err := reports.JSON(&shown)
		if err != nil {
			return err
		}
		io.Out.Write(data)
	} else {
		color := bo.color(io, io.OutTTY)
		w := io.Out
		fmt.Fprintf(w, "  %s %s\n", mark(stepResult(rep), color), recordingLine(rep, rec))
		fmt.Fprintf(w, "  %s\n", analyzeVerdict(rep))
		for _, f := range rep.Diagnosis.Findings {
			if f.Severity == reports.Cause {
				fmt.Fprintf(w, "  cause: %s [%s]\n", f.Title, f.ID)
			}
		}
		if len(rep.Diagnosis.NextSteps) > 0 && rep.Outcome != reports.Healthy {
			fmt.Fprintf(w, "  %s\n", rep.Diagnosis.NextSteps[0])
		}
		fmt.Fprintf(w, "  report: %s  (also report.json, report.md, contact.md, network.har)\n", filepath.Join(o.Out, "report.html"))
	}
	switch rep.Outcome {
	case reports.Healthy:
		return nil
	case reports.Unresolved:
		return silentExit(ExitUnresolved)
	default:
		return silentExit(ExitNotAuth)
	}
}

func stepResult(rep *reports.Report) reports.Result {
	if len(rep.Steps) == 0 {
		return reports.Info
	}
	return rep.Steps[0].Result
}

// recordingLine says what was read: the tool, its entries and page loads.
func recordingLine(rep *reports.Report, rec *harfile.Recording) string {
	by := rec.Creator
	if by == "" {
		by = "an unnamed tool"
	}
	loads := 0
	if len(rep.Steps) > 0 {
		loads = len(rep.Steps[0].Loads)
	}
	return fmt.Sprintf("recording      %d requests in %d page load(s), recorded by %s", rec.Entries, loads, by)
}

// analyzeVerdict is the recording's outcome in one sentence.
func analyzeVerdict(rep *reports.Report) string {
	failure := failureWords(rep)
	where := ""
	switch {
	case rep.Target.FinalURL != "":
		where = " at " + rep.Target.FinalURL // where it failed, after redirects
	case rep.Target.URL != "":
		where = " at " + rep.Target.URL
	}
	switch rep.Outcome {
	case reports.Healthy:
		return "no authentication failure in the recording"
	case reports.Unresolved:
		return "authentication failure in the recording: " + failure + where
	}
	return "not an authentication failure: " + failure + where
}

func firstURL(loads []*browser.Load) string {
	for _, l := range loads {
		if l.URL != "" {
			return l.URL
		}
	}
	return ""
}

// sanitizedCopy is the recording sanitized by structure into a file of
// the run's own, or why it could not be.
type sanitizedCopy struct {
	path string
	err  error
}

// sanitizeCopy writes the recording at src sanitized as `fix401 har
// sanitize` does (two passes) (every entry and field the person's tool wrote, secrets
// replaced by pseudonyms), streamed, so that a large recording is never
// held whole.
func sanitizeCopy(src string) sanitizedCopy {
	in, err := os.Open(src)
	if err != nil {
		return sanitizedCopy{err: err}
	}
	defer in.Close()
	tmp, err := os.CreateTemp("", "fix401-network-*.har")
	if err != nil {
		return sanitizedCopy{err: err}
	}
	// Two passes: every secret first, so that a body echoing one the
	// recording sends only later loses it too.
	known, err := harsanitize.Collect(stdio.LimitReader(in, maxHAR+1))
	if err == nil {
		_, err = in.Seek(0, stdio.SeekStart)
	}
	if err == nil {
		_, err = harsanitize.Sanitize(stdio.LimitReader(in, maxHAR+1), tmp, harsanitize.Options{Version: Version(), Known: known})
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return sanitizedCopy{err: fmt.Errorf("sanitizing the recording: %w", err)}
	}
	return sanitizedCopy{path: tmp.Name()}
}

// writeAnalysis writes the report folder of an analysis, with the
// sanitized copy of the recording as its network.har. On an error nothing
// of the folder's new files stays.
func writeAnalysis(dir string, res *agent.Result, c sanitizedCopy) (err error) {
	if c.err != nil {
		return c.err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	harPath := filepath.Join(dir, "network.har")
	defer func() {
		if err != nil {
			os.Remove(harPath)
		}
	}()
	if err := moveFile(c.path, harPath); err != nil {
		return err
	}
	res.Report.Artifacts.HAR = "network.har"
	return reports.WriteDir(dir, res.Report, res.Files)
}

// moveFile renames src to dst, copying when they are on different file
// systems (the temporary folder often is), readable as the report is.
func moveFile(src, dst string) error {
	if err := os.Chmod(src, 0o644); err != nil {
		return err
	}
	if os.Rename(src, dst) == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".network.har.tmp-*")
	if err != nil {
		return err
	}
	if _, err := stdio.Copy(tmp, in); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), dst)
}
