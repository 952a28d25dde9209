package cli

import (
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fix401/fix401/internal/check"
	"github.com/fix401/fix401/reports"
)

// Human output (progress on stderr, the per-check lines, the text
// summaries) says what happened in words; the enum values it is made from
// (still_failing, not_auth_failure, http_401) are for the machine outputs:
// --json, report.json and the fields of --log-format json.

// kindPhrase is a failure kind in words (see reports.KindPhrase).
func kindPhrase(kind string) string { return reports.KindPhrase(kind) }

// kindShort is a failure kind in a word or two, for a table column.
func kindShort(kind string) string {
	switch kind {
	case "", "none":
		return "-"
	case "http_401":
		return "401 Unauthorized"
	case "soft_401":
		return "access-denied page"
	case "subresource_401":
		return "401 on requests"
	case "proxy_407":
		return "proxy sign-in"
	case "forbidden_403":
		return "403 Forbidden"
	case "other_status":
		return "HTTP error"
	case "network_error":
		return "network error"
	}
	return strings.ReplaceAll(kind, "_", " ")
}

// stepResultWords is a step's result as the piped progress line says it
// ("reload still failing in 88ms"): the baseline's result says whether the
// failure was seen, and a diagnostic step's "info" is just done.
func stepResultWords(step string, r reports.Result) string {
	switch r {
	case reports.Failing:
		if step == "reproduce" {
			return "found the failure"
		}
		return "failing"
	case reports.Info:
		if step == "reproduce" {
			return "found no failure"
		}
		return "done"
	case reports.StillFailing:
		return "still failing"
	case reports.StepFixed:
		return "fixed"
	case reports.Skipped:
		return "skipped"
	case reports.StepError:
		return "stopped with an error"
	}
	return strings.ReplaceAll(string(r), "_", " ")
}

// plainStepLine rewrites the failure kind in a step's line ("401
// Unauthorized · http_401 · Basic realm=…") in words, or drops it where
// the status before it already says it all.
func plainStepLine(line string) string {
	parts := strings.Split(line, " · ")
	if len(parts) < 2 {
		return line
	}
	first := parts[0]
	out := parts[:1]
	for _, p := range parts[1:] {
		if !reports.KnownKind(p) {
			out = append(out, p)
			continue
		}
		switch p {
		case "none":
			continue
		case "http_401", "forbidden_403", "proxy_407":
			if strings.HasPrefix(first, p[len(p)-3:]) {
				continue // "401 Unauthorized · http_401"
			}
		case "other_status":
			if first != "" && first[0] >= '1' && first[0] <= '9' {
				continue // "404 Not Found · other_status"
			}
		case "network_error":
			if strings.HasPrefix(first, "net::") || first == "timed out" {
				continue
			}
			out = append(out, "did not finish loading")
			continue
		case "soft_401":
			out = append(out, "access-denied or sign-in page")
			continue
		}
		out = append(out, kindPhrase(p))
	}
	return strings.Join(out, " · ")
}

// statusWords is an HTTP status as people read it: "404 Not Found".
func statusWords(code int, text string) string {
	if t := http.StatusText(code); t != "" {
		text = t // a recording's own reason phrase may be anything
	}
	if text == "" {
		return strconv.Itoa(code)
	}
	return strconv.Itoa(code) + " " + text
}

// baselineLoad is the load that reproduced the problem: the first step's.
func baselineLoad(rep *reports.Report) *reports.Load {
	if len(rep.Steps) == 0 {
		return nil
	}
	if s := &rep.Steps[0]; len(s.Loads) > 0 {
		return &s.Loads[0]
	} else if s.Load != nil {
		return s.Load
	}
	return nil
}

// failureWords names what the first load met, as plainly as the report
// allows: the status where it says it all ("404 Not Found"), the kind in
// words where the status would mislead ("an access-denied page (200 OK)").
func failureWords(rep *reports.Report) string {
	kind := rep.Diagnosis.Kind
	status := ""
	b := baselineLoad(rep)
	switch {
	case b != nil && b.Status != nil:
		status = statusWords(*b.Status, b.StatusText)
	case rep.Diagnosis.Status != nil:
		status = statusWords(*rep.Diagnosis.Status, "")
	}
	switch kind {
	case "http_401", "forbidden_403", "other_status", "proxy_407":
		if status != "" {
			return status
		}
	case "network_error":
		switch {
		case b != nil && b.NetError != "":
			return "a network error (" + b.NetError + ")"
		case b != nil && b.TimedOut && status != "":
			return "a page that did not finish loading (" + status + ")"
		case b != nil && b.TimedOut:
			return "a page that did not finish loading"
		}
	case "none", "":
		if status != "" {
			return status
		}
		return "no failure"
	}
	if status != "" && kind != "network_error" {
		return kindPhrase(kind) + " (" + status + ")"
	}
	return kindPhrase(kind)
}

// checkReason is why a check did not pass, in words: "expected healthy,
// got not an auth failure (404 Not Found)". A check that could not finish
// keeps its error's own sentence; the summary's reason field, for
// programs, keeps the enum values.
func checkReason(r check.Result) string {
	if r.Result != check.Fail || r.Report == nil {
		return r.Reason
	}
	rep := r.Report
	want := "expected healthy"
	step, fixedBy := strings.CutPrefix(r.Expect, "fixed_by ")
	switch {
	case fixedBy:
		want = "expected " + step + " to fix it"
	case r.Expect == "auth_required":
		want = "expected a sign-in to be required"
	}
	switch rep.Outcome {
	case reports.Healthy:
		if fixedBy {
			return want + ", but the page loads from the start (" + failureWords(rep) + ")"
		}
		return want + ", but the page loads without one (" + failureWords(rep) + ")"
	case reports.Fixed:
		if fixedBy && rep.FixedBy != nil && *rep.FixedBy == step {
			return want + ": it did once, but the fix did not hold on a second load"
		}
		by := ""
		if rep.FixedBy != nil {
			by = ", fixed by " + *rep.FixedBy
		}
		return want + ", got " + failureWords(rep) + by
	case reports.Unresolved:
		return want + ", got " + failureWords(rep) + " that no step fixed"
	case reports.NotAuthFailure:
		return want + ", got not an auth failure (" + failureWords(rep) + ")"
	}
	return r.Reason
}

// checkTable writes a run's summary for people: one row a check, the
// counts, then a line for each check that did not pass with why and where
// its report is.
func checkTable(w io.Writer, s *check.Summary) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tRESULT\tSTATUS\tFAILURE\tFIXED BY\tTIME")
	for _, r := range s.Checks {
		status := "-"
		if r.Status != 0 {
			status = strconv.Itoa(r.Status)
		}
		fixed := r.FixedBy
		if fixed == "" {
			fixed = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.1fs\n", r.Name, verdictWord(r.Result), status, kindShort(r.Kind), fixed, r.Duration().Seconds())
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	n := len(s.Checks)
	fmt.Fprintf(w, "\n%d %s: %d passed, %d failed, %d %s", n, checkNoun(n, "check", "checks"), s.Passed, s.Failed, s.Errors, checkNoun(s.Errors, "error", "errors"))
	if s.Skipped > 0 {
		fmt.Fprintf(w, ", %d not started", s.Skipped)
	}
	fmt.Fprintf(w, " in %.1fs", (time.Duration(s.DurationMS) * time.Millisecond).Seconds())
	if s.Shard.Count > 1 {
		fmt.Fprintf(w, " (shard %s of %d checks)", s.Shard, s.Total)
	}
	fmt.Fprintln(w)
	if s.Stopped != "" {
		fmt.Fprintf(w, "stopped early: %s\n", s.Stopped)
	}
	for _, r := range s.Checks {
		if r.Result == check.Pass {
			continue
		}
		fmt.Fprintf(w, "  %s %s: %s\n", checkMark(r.Result, false), r.Name, checkReason(r))
		if r.ReportDir != "" {
			fmt.Fprintf(w, "    report: %s\n", filepath.Join(r.ReportDir, "report.html"))
		}
	}
	return nil
}

// verdictWord is a check's result for the table: "skipped" is a check the
// run never started.
func verdictWord(v check.Verdict) string {
	if v == check.Skipped {
		return "not started"
	}
	return string(v)
}
