package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/fix401/fix401/agent"
	"github.com/fix401/fix401/reports"
)

// progress shows the run on stderr: one redrawn line on a terminal, plain
// lines when stderr is a pipe or a log file, nothing with -q.
type progress struct {
	w     io.Writer
	tty   bool
	quiet bool
	color bool
	mu    sync.Mutex
	drawn bool
	stop  chan struct{}
	done  chan struct{}
	cur   string
	since time.Time
}

func newProgress(w io.Writer, tty, quiet, color bool) *progress {
	return &progress{w: w, tty: tty, quiet: quiet, color: color && tty}
}

// update is the agent's Progress callback.
func (p *progress) update(e agent.Progress) {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !e.Done {
		p.cur, p.since = e.Step, time.Now()
		if p.tty {
			p.startTicker()
			p.draw()
		} else {
			fmt.Fprintf(p.w, "fix401: %s …\n", e.Step)
		}
		return
	}
	text := plainStepLine(e.Line)
	if p.tty {
		p.clear()
		// A long challenge would wrap the terminal; the report has it whole.
		fmt.Fprintf(p.w, "  %s %-15s %s%s\n", mark(e.Result, p.color), e.Step, shorten(text, 90), fixedMark(e.Fixing, e.Confirmed))
		return
	}
	// Words, not the report's enum values ("still_failing", "info"), and
	// the result said once: "skipped in 0s: no --proxy given".
	text = strings.TrimPrefix(text, string(e.Result)+": ")
	line := fmt.Sprintf("fix401: %s %s in %s", e.Step, stepResultWords(e.Step, e.Result), e.Elapsed.Round(time.Millisecond))
	if text != "" {
		line += ": " + text
	}
	fmt.Fprintln(p.w, line+fixedMark(e.Fixing, e.Confirmed))
}

// fixedMark is what follows the fixing step's line, the same live, piped
// and in the summary.
func fixedMark(fixing bool, confirmed *bool) string {
	if !fixing {
		return ""
	}
	if confirmed != nil && *confirmed {
		return "  ← fixed (confirmed)"
	}
	return "  ← fixed"
}

// startTicker redraws the elapsed time while a step runs.
func (p *progress) startTicker() {
	if p.stop != nil {
		return
	}
	p.stop, p.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(p.done)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.mu.Lock()
				p.draw()
				p.mu.Unlock()
			}
		}
	}()
}

func (p *progress) draw() {
	if p.cur == "" {
		return
	}
	fmt.Fprintf(p.w, "\r\033[K  … %-15s %.1fs", p.cur, time.Since(p.since).Seconds())
	p.drawn = true
}

func (p *progress) clear() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}

// finish stops the redraw and erases the line.
func (p *progress) finish() {
	p.mu.Lock()
	stop, done := p.stop, p.done
	p.stop = nil
	p.cur = ""
	p.clear()
	p.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
}

// mark is the symbol of a step result.
func mark(r reports.Result, color bool) string {
	sym, code := "·", "2"
	switch r {
	case reports.StepFixed:
		sym, code = "✓", "32"
	case reports.Failing, reports.StillFailing:
		sym, code = "✗", "31"
	case reports.StepError:
		sym, code = "!", "33"
	case reports.Skipped:
		sym, code = "-", "2"
	case reports.Info:
		sym, code = "·", "36"
	}
	if !color {
		return sym
	}
	return "\033[" + code + "m" + sym + "\033[0m"
}

// summary is the block DESIGN.md §1 shows: one line a step, then the verdict
// and where the report is.
func summary(w io.Writer, rep *reports.Report, stepLines map[string]string, reportPath string, color, withSteps bool) {
	for _, s := range rep.Steps {
		if !withSteps {
			break
		}
		line := plainStepLine(stepLines[s.ID]) + fixedMark(s.Result == reports.StepFixed && rep.FixedBy != nil && *rep.FixedBy == s.ID, rep.Confirmed)
		fmt.Fprintf(w, "  %s %-15s %s\n", mark(s.Result, color), s.ID, line)
	}
	fmt.Fprintf(w, "  %s\n", verdict(rep))
	// The causes found, so that the terminal says why, not only what.
	for _, f := range rep.Diagnosis.Findings {
		if f.Severity == reports.Cause && rep.Outcome != reports.Fixed {
			fmt.Fprintf(w, "  cause: %s [%s]\n", f.Title, f.ID)
		}
	}
	if reportPath != "" {
		fmt.Fprintf(w, "  report: %s\n", reportPath)
	}
}

// verdict is the run's outcome in one sentence.
func verdict(rep *reports.Report) string {
	switch rep.Outcome {
	case reports.Healthy:
		return "healthy: no authentication failure reproduced"
	case reports.Fixed:
		s := "fixed by " + *rep.FixedBy
		if rep.Confirmed != nil && !*rep.Confirmed {
			s += " (did not hold on a second load)"
		}
		if p := rep.IsolationPhrase(); p != "" {
			s += "; " + p
		}
		return s
	case reports.Unresolved:
		return "unresolved: " + failureWords(rep) + ", and no step fixed it"
	case reports.NotAuthFailure:
		// The judge's own sentence on the first load ("the page answered
		// 404 Not Found"), not the kind's name.
		if len(rep.Steps) > 0 && rep.Steps[0].Load != nil && rep.Steps[0].Load.Reason != "" {
			return "not an authentication failure: " + rep.Steps[0].Load.Reason
		}
		return "not an authentication failure: " + failureWords(rep)
	default:
		msg := "error"
		if rep.Error != nil {
			msg += ": " + *rep.Error
		}
		return msg
	}
}

// shorten cuts s to at most n characters, marking the cut.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
