package check

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"
	"time"
)

// SummarySchema names the JSON summary's format.
const SummarySchema = "fix401.check/v1"

// Summary is a whole run: what `--json` prints and what JUnit and the
// metrics are made from.
type Summary struct {
	Schema     string    `json:"schema"`
	Config     string    `json:"config"`
	Shard      Shard     `json:"shard"`
	Total      int       `json:"total"` // checks in the config, every shard
	Version    string    `json:"version"`
	Browser    string    `json:"browser,omitempty"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	DurationMS int64     `json:"duration_ms"`
	Stopped    string    `json:"stopped,omitempty"` // why the run ended early
	Passed     int       `json:"passed"`
	Failed     int       `json:"failed"`
	Errors     int       `json:"errors"`
	Skipped    int       `json:"skipped"` // never started: the run ended first
	Checks     []Result  `json:"checks"`
}

// NewSummary counts the results.
func NewSummary(cfg *Config, shard Shard, results []Result, started, finished time.Time) *Summary {
	s := &Summary{
		Schema: SummarySchema, Config: cfg.File, Shard: shard, Total: len(cfg.Checks),
		StartedAt: started.UTC(), FinishedAt: finished.UTC(), DurationMS: finished.Sub(started).Milliseconds(),
		Checks: results,
	}
	if s.Checks == nil {
		s.Checks = []Result{}
	}
	for _, r := range results {
		switch r.Result {
		case Pass:
			s.Passed++
		case Fail:
			s.Failed++
		case Skipped:
			s.Skipped++
		default:
			s.Errors++
		}
	}
	return s
}

// OK reports whether every check of the run passed.
func (s *Summary) OK() bool { return s.Failed == 0 && s.Errors == 0 && s.Skipped == 0 }

// JSON renders the summary, indented, with a trailing newline.
func (s *Summary) JSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Table writes the summary for people: one row a check, a count, then a
// line for each check that did not pass with why and where its report is.
func (s *Summary) Table(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tRESULT\tSTATUS\tKIND\tFIXED BY\tTIME")
	for _, r := range s.Checks {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, r.Result, dash(statusText(r.Status)), dash(r.Kind), dash(r.FixedBy), seconds(r.Duration()))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%s in %s", s.counts(), seconds(time.Duration(s.DurationMS)*time.Millisecond))
	if s.Shard.Count > 1 {
		fmt.Fprintf(w, " (shard %s of %d checks)", s.Shard, s.Total)
	}
	fmt.Fprintln(w)
	if s.Stopped != "" {
		fmt.Fprintf(w, "stopped early: %s\n", s.Stopped)
	}
	for _, r := range s.Checks {
		if r.Result == Pass {
			continue
		}
		fmt.Fprintf(w, "  %s %s: %s\n", mark(r.Result), r.Name, r.Reason)
		if r.ReportDir != "" {
			fmt.Fprintf(w, "    report: %s\n", filepath.Join(r.ReportDir, "report.html"))
		}
	}
	return nil
}

func (s *Summary) counts() string {
	noun := "checks"
	if len(s.Checks) == 1 {
		noun = "check"
	}
	line := fmt.Sprintf("%d %s: %d passed, %d failed, %d errors", len(s.Checks), noun, s.Passed, s.Failed, s.Errors)
	if s.Skipped > 0 {
		line += fmt.Sprintf(", %d not started", s.Skipped)
	}
	return line
}

func mark(v Verdict) string {
	switch v {
	case Pass:
		return "✓"
	case Fail:
		return "✗"
	case Skipped:
		return "–"
	}
	return "!"
}

func statusText(code int) string {
	if code == 0 {
		return ""
	}
	return fmt.Sprint(code)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func seconds(d time.Duration) string {
	return fmt.Sprintf("%.1fs", d.Seconds())
}
