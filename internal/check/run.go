package check

import (
	"context"
	"errors"
	"fmt"
	"github.com/fix401/fix401/internal/inputs"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/fix401/fix401/agent"
	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/outdir"
	"github.com/fix401/fix401/internal/redact"
	"github.com/fix401/fix401/reports"
	"github.com/fix401/fix401/steps"
)

// Verdict is a check's result.
type Verdict string

// Verdicts. An error is a check that could not say pass or fail: the run
// stopped (--max-time, Ctrl-C) or the browser failed it.
const (
	Pass    Verdict = "pass"
	Fail    Verdict = "fail"
	Error   Verdict = "error"
	Skipped Verdict = "skipped" // never started: the run ended first
)

// Options configure a run.
type Options struct {
	Browser     *browser.Browser // shared by every check, each in its own browser context
	Concurrency int              // checks at once; < 1 means 1
	Timeout     time.Duration    // one page load, for checks without timeout:
	MaxWait     time.Duration    // longest Retry-After wait, for checks without max_wait:
	Out         string           // report folders of checks that do not pass go to Out/NAME; "" writes none
	Version     string
	Now         func() time.Time
	Log         zerolog.Logger
	// Finished, when set, hears of each check as it finishes (from the
	// check's own goroutine, so it must be safe for concurrent use).
	Finished func(Result)
}

// Result is one check's outcome, as the summary, JUnit and metrics show it.
type Result struct {
	Name       string          `json:"name"`
	URL        string          `json:"url"` // redacted
	Expect     string          `json:"expect"`
	Result     Verdict         `json:"result"`
	Outcome    reports.Outcome `json:"outcome,omitempty"`
	Status     int             `json:"status,omitempty"` // the first load's HTTP status; 0: no response
	Kind       string          `json:"kind,omitempty"`   // the first load's verdict
	FixedBy    string          `json:"fixed_by,omitempty"`
	DurationMS int64           `json:"duration_ms"`
	Reason     string          `json:"reason,omitempty"`   // why it did not pass, one line
	Summary    string          `json:"summary,omitempty"`  // the diagnosis summary
	Findings   []string        `json:"findings,omitempty"` // the diagnosis's finding ids, causes first
	Error      string          `json:"error,omitempty"`
	ReportDir  string          `json:"report_dir,omitempty"`
	// Attempts is how many times the check ran (retries: N); Flapped says
	// it failed first and passed on a retry.
	Attempts int  `json:"attempts,omitempty"`
	Flapped  bool `json:"flapped,omitempty"`
	// CertExpires is when the first load's https certificate expires.
	CertExpires time.Time `json:"cert_expires,omitzero"`
	Notes       []string  `json:"notes,omitempty"`

	Report *reports.Report `json:"-"`
}

// Duration is how long the check took.
func (r *Result) Duration() time.Duration { return time.Duration(r.DurationMS) * time.Millisecond }

// Run runs the checks, at most o.Concurrency at once, and returns their
// results in the same order. It returns when every check has finished or
// ctx is done; checks still waiting then are errors and running ones stop
// at their next load, so a hanging server cannot hold the run past ctx.
func Run(ctx context.Context, checks []Check, o Options) []Result {
	if o.Now == nil {
		o.Now = time.Now
	}
	n := max(o.Concurrency, 1)
	sem := make(chan struct{}, n)
	results := make([]Result, len(checks))
	var wg sync.WaitGroup
	for i := range checks {
		c := &checks[i]
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
			}
			if ctx.Err() != nil {
				// select picks at random when both are ready: a check
				// never starts once the run is over.
				results[i] = notStarted(c, context.Cause(ctx))
				return
			}
			defer func() { <-sem }()
			results[i] = runWithRetries(ctx, c, o)
			if o.Finished != nil {
				o.Finished(results[i])
			}
		})
	}
	wg.Wait()
	return results
}

func baseResult(c *Check) Result {
	return Result{Name: c.Name, URL: c.ShownURL(), Expect: c.Expect.String()}
}

func notStarted(c *Check, cause error) Result {
	r := baseResult(c)
	r.Result = Skipped
	r.Error = "not started: " + stopReason(cause)
	r.Reason = r.Error
	return r
}

func stopReason(err error) string {
	switch {
	case errors.Is(err, agent.ErrMaxTime), errors.Is(err, context.DeadlineExceeded):
		return agent.ErrMaxTime.Error()
	case err == nil:
		return "the run was stopped"
	}
	return err.Error()
}

// runWithRetries runs a check, and again up to c.Retries times while it
// does not pass (as Checkly's retries do): a failure counts only when it
// repeats. A check that passes on a retry passes, and says it flapped.
func runWithRetries(ctx context.Context, c *Check, o Options) Result {
	r := runOne(ctx, c, o)
	var failed []string
	for attempt := 1; attempt <= c.Retries && r.Result == Fail && ctx.Err() == nil; attempt++ {
		what := r.Kind
		if what == "" {
			what = string(r.Result)
		}
		failed = append(failed, what)
		spent := r.DurationMS
		r = runOne(ctx, c, o)
		r.DurationMS += spent
		r.Attempts = attempt + 1
		if r.Result == Pass {
			r.Flapped = true
			r.Notes = append(r.Notes, fmt.Sprintf("flapped: failed %d time(s) first (%s), then passed on retry %d", len(failed), strings.Join(failed, ", "), attempt))
		}
	}
	if r.Attempts > 1 && r.Result != Pass {
		r.Notes = append(r.Notes, fmt.Sprintf("failed on all %d attempts", r.Attempts))
	}
	return r
}

// runOne runs one check and writes its report folder when it does not pass.
//
// One diagnosis is enough for every expectation. For healthy and fixed_by
// the run walks the check's steps, and the walk only goes past reproduce
// when the first load is an auth failure, so a check that does not pass
// already has its full diagnosis. For auth_required only reproduce runs: a
// check that fails it answered something other than an auth failure, and
// the agent stops after reproduce for those anyway.
func runOne(ctx context.Context, c *Check, o Options) Result {
	start := o.Now()
	r := baseResult(c)
	log := o.Log.With().Str("check", c.Name).Logger()
	var notes []string
	built, err := c.inputs()
	if err != nil {
		r.Result, r.Error = Error, err.Error()
		r.Reason = r.Error
		return r
	}
	in, cookies := built.Inputs, built.Cookies
	secrets := append(append(slices.Clone(built.Secrets), built.CookieSecrets...), c.URLSecrets()...)
	cfg := agent.Config{
		URL: c.URL, Browser: o.Browser, Isolated: true,
		Timeout: orDefault(c.Timeout, o.Timeout), MaxWait: orDefault(c.MaxWait, o.MaxWait),
		Screenshots: true, Version: o.Version, Now: o.Now, Log: log, Secrets: built.Secrets, StateSecrets: append(slices.Clone(built.CookieSecrets), c.URLSecrets()...),
		Inputs: in, Cookies: cookies,
	}
	var missing []string
	cfg.Only, missing = available(c.Steps)
	cfg.Skip, _ = available(c.Skip)
	if len(c.Steps) > 0 && len(cfg.Only) == 0 {
		cfg.Only = []string{"reproduce"} // an empty list would mean every step
	}
	if c.Expect.Kind == ExpectAuthRequired {
		cfg.Only, cfg.Skip, missing = []string{"reproduce"}, nil, nil
	}
	if len(missing) > 0 {
		notes = append(notes, "steps not in this version of fix401, not run: "+strings.Join(missing, ", "))
	}
	if c.Expect.Kind == ExpectFixedBy && steps.ByID(c.Expect.Step) == nil && !slices.Contains(missing, c.Expect.Step) {
		notes = append(notes, "step "+c.Expect.Step+" is not in this version of fix401, so it cannot fix the page")
	}
	for _, n := range notes {
		log.Info().Msg(n)
	}

	res, err := diagnose(ctx, c, cfg)
	r.DurationMS = o.Now().Sub(start).Milliseconds()
	r.Notes = notes
	if err != nil {
		r.Result = Error
		r.Error = redact.Text(err.Error(), secrets...)
		if ctx.Err() != nil {
			r.Error = stopReason(context.Cause(ctx))
		}
		r.Reason = r.Error
		return r
	}
	rep := res.Report
	r.Report = rep
	r.Outcome = rep.Outcome
	r.Kind = rep.Diagnosis.Kind
	if len(rep.Steps) > 0 {
		first := rep.Steps[0].Load
		if len(rep.Steps[0].Loads) > 0 {
			first = &rep.Steps[0].Loads[0]
		}
		if first != nil {
			if t, err := time.Parse(time.RFC3339, first.TLSCertExpires); err == nil {
				r.CertExpires = t
			}
		}
	}
	r.Summary = rep.Diagnosis.Summary
	r.Findings = rep.Diagnosis.FindingIDs()
	if rep.Diagnosis.Status != nil {
		r.Status = *rep.Diagnosis.Status
	}
	if rep.FixedBy != nil {
		r.FixedBy = *rep.FixedBy
	}
	r.Result, r.Reason = Match(c.Expect, rep)
	if r.Result == Error && rep.Error != nil {
		r.Error = *rep.Error
	}
	for _, n := range notes {
		rep.Log = append(rep.Log, reports.LogLine{Level: "info", Message: n})
	}
	if r.Result == Fail && c.Expect.Kind == ExpectAuthRequired && rep.Outcome == reports.Healthy {
		// The diagnosis alone would call this healthy; for this check it is
		// the failure: a page that must stay protected loads for anyone.
		rep.Diagnosis.Summary = "This page must require signing in (expect: auth_required), but it loaded for a fresh anonymous browser: a protected page became public, a possible security regression. " + rep.Diagnosis.Summary
		rep.Diagnosis.NextSteps = []string{"Tell the site owner at once: the page is expected to be protected and is not."}
	}
	if r.Result != Pass && o.Out != "" {
		// What the environment put in the URL's parameters travels in
		// every URL of the report: it goes from all of them.
		redact.Strings(res.Report, c.URLSecrets()...)
		dir := filepath.Join(o.Out, c.Name)
		// The HAR loses the cookies and the URL's ${VAR}s everywhere, the
		// password and token from the load that sent them (res.Sent).
		if err := writeReport(dir, res, o, append(slices.Clone(built.CookieSecrets), c.URLSecrets()...)); err != nil {
			// The verdict stands; the missing folder is said where the
			// verdict is read.
			log.Error().Err(err).Msg("writing the report")
			r.Notes = append(r.Notes, "the report could not be written: "+err.Error())
		} else {
			r.ReportDir = dir
		}
	}
	return r
}

// writeReport writes a diagnosis folder as `fix401 diagnose --out` does.
func writeReport(dir string, res *agent.Result, o Options, held []string) error {
	product := ""
	if o.Browser != nil {
		product = o.Browser.Product()
	}
	// The check's own folder, reused on every run of a schedule: a
	// previous report there is replaced, anything else is left alone and
	// the report not written.
	claim, err := outdir.TakeInside(dir)
	if err != nil {
		return err
	}
	defer claim.Release()
	return outdir.Write(dir, res, o.Version, product, held)
}

func orDefault(own, def time.Duration) time.Duration {
	if own > 0 {
		return own
	}
	return def
}

// available splits step ids into those this build has and those it has
// not (a config may name every step of the design).
func available(ids []string) (have, missing []string) {
	for _, id := range ids {
		if steps.ByID(id) != nil {
			have = append(have, id)
		} else {
			missing = append(missing, id)
		}
	}
	return have, missing
}

// diagnose runs a check. Most checks pass, and a passing check writes no
// report, so the first pass is only the baseline, without screenshots; a
// check that does not pass is then diagnosed in full, with the evidence.
func diagnose(ctx context.Context, c *Check, cfg agent.Config) (*agent.Result, error) {
	if c.Expect.Kind == ExpectFixedBy {
		return agent.Diagnose(ctx, cfg)
	}
	quick := cfg
	quick.Only, quick.Skip, quick.Screenshots = []string{"reproduce"}, nil, false
	quick.Inputs.OneBaselineLoad = true
	res, err := agent.Diagnose(ctx, quick)
	if err != nil || ctx.Err() != nil {
		return res, err
	}
	if v, _ := Match(c.Expect, res.Report); v == Pass || res.Report.Outcome == reports.Error {
		return res, nil
	}
	return agent.Diagnose(ctx, cfg)
}

// inputs turns a check's credentials, cookies and proxy into what the
// agent takes; cookie values join the secrets kept out of every output.
// inputs builds the check's inputs by the rules diagnose's flags follow.
func (c *Check) inputs() (*inputs.Built, error) {
	cr := c.Credentials()
	return inputs.Build(inputs.Given{
		User: cr.User, Password: cr.Password, BearerToken: cr.BearerToken, BearerEnv: c.BearerTokenEnv,
		ProxyUser: cr.ProxyUser, ProxyPassword: cr.ProxyPassword,
		LoginURL: c.LoginURL, Proxy: c.Proxy, Cookies: c.Cookies,
	}, inputs.Keys)
}

// Match compares a report with an expectation, and says in one line why a
// check that does not pass did not.
func Match(e Expect, rep *reports.Report) (Verdict, string) {
	if rep.Outcome == reports.Error {
		msg := "the check did not finish"
		if rep.Error != nil {
			msg = *rep.Error
		}
		return Error, msg
	}
	got := describe(rep)
	switch e.Kind {
	case ExpectHealthy, "":
		if rep.Outcome == reports.Healthy {
			return Pass, ""
		}
		return Fail, "expected healthy, got " + got
	case ExpectAuthRequired:
		// The agent's outcome is fixed or unresolved exactly when the
		// first load was an auth failure.
		if rep.Outcome == reports.Unresolved || rep.Outcome == reports.Fixed {
			return Pass, ""
		}
		if rep.Outcome == reports.Healthy {
			return Fail, "expected auth_required, got healthy: the page loads without signing in"
		}
		return Fail, "expected auth_required, got " + got
	case ExpectFixedBy:
		if rep.Outcome == reports.Fixed && rep.FixedBy != nil && *rep.FixedBy == e.Step {
			if rep.Confirmed != nil && !*rep.Confirmed {
				return Fail, "expected fixed_by " + e.Step + ": it fixed the page once but the fix did not hold on a second load"
			}
			return Pass, ""
		}
		return Fail, "expected fixed_by " + e.Step + ", got " + got
	}
	return Fail, fmt.Sprintf("unknown expectation %q", e.Kind)
}

// describe is an outcome in a few words: "unresolved (http_401, 401)".
func describe(rep *reports.Report) string {
	s := string(rep.Outcome)
	if rep.Outcome == reports.Fixed && rep.FixedBy != nil {
		s = "fixed by " + *rep.FixedBy
	}
	var detail []string
	if k := rep.Diagnosis.Kind; k != "" && k != "none" {
		detail = append(detail, k)
	}
	if rep.Diagnosis.Status != nil {
		detail = append(detail, fmt.Sprint(*rep.Diagnosis.Status))
	}
	if len(detail) > 0 {
		s += " (" + strings.Join(detail, ", ") + ")"
	}
	return s
}
