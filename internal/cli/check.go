package cli

import (
	"context"
	"errors"
	"fmt"
	"github.com/fix401/fix401/reports"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/fix401/fix401/agent"
	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/check"
)

// CheckOptions are the flags of `fix401 check`.
type CheckOptions struct {
	BrowserOptions
	Config      string
	Out         string
	JUnit       string
	Metrics     string
	JSON        bool
	Concurrency int
	Shard       string
	MaxWait     time.Duration

	now func() time.Time
}

const checkLong = `Run every check of a config file in one browser, each in its own browser
context, and compare what each page does with what it should do:

  healthy          the first load is healthy (the default)
  auth_required    a fresh anonymous browser gets an auth failure: a protected
                   page that suddenly loads is a security regression
  {fixed_by: STEP} that remedy fixes it (a login flow that still works)

A check that does not pass is diagnosed with the full remedy walk and its
report folder is written to --out/NAME/. The exit code is 0 when every check
passed and 20 when any did not (see 'fix401 help exit-codes').

The config is YAML (or JSON):

  defaults:                 # any check key, for checks that leave it out
    timeout: 20s
  checks:
    - name: reports         # unique; testcase, metric label, report folder
      url: https://intranet.example/reports/q3
      user: alice           # secrets by reference only:
      password_env: REPORTS_PASSWORD   # or password_file, bearer_token_env
      login_url: https://intranet.example/login
      cookies: ./alice-cookies.txt     # relative to the config file
      steps: [reproduce, reload, relogin]
      skip: [dns-flush]
      retries: 1            # run a failing check once more: it fails only if
                            # every attempt fails (a pass on retry: flapped)
      timeout: 10s          # one page load (else --timeout)
      max_wait: 30s         # longest Retry-After wait (else --max-wait)
      proxy: http://proxy.example:3128
      expect: healthy

$NAME and ${NAME} in url, login_url, proxy, password_file and cookies are
read from the environment (url: ${LAB}/s/basic/); an unset variable is an
error. A check key in the file always wins over the matching flag.
Every problem in the file is reported, one line each, before anything runs.

check starts a headless shell when one is on PATH (Debian:
chromium-headless-shell; Chrome for Testing: chrome-headless-shell), else
Chrome, Chromium or Edge: the same engine without the browser's window UI,
which full Chromium builds for every check's browser context (make bench
compares the two). --chrome or FIX401_CHROME choose another.`

func newCheckCmd(io *IO) *cobra.Command {
	o := &CheckOptions{now: time.Now}
	o.shellFirst = true
	c := &cobra.Command{
		Use:   "check --config FILE",
		Short: "Run many checks from a config file, diagnose the failing ones, write a summary",
		Long:  checkLong,
		Example: `  fix401 check --config checks.yaml --junit junit.xml --metrics /var/lib/node_exporter/fix401.prom
  fix401 check --config checks.yaml --browser-url ws://localhost:9222 --shard 0/3 --json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			return runCheck(c.Context(), io, o)
		},
	}
	o.register(c)
	f := c.Flags()
	f.StringVar(&o.Config, "config", "", "the checks file, YAML or JSON (required)")
	_ = c.MarkFlagFilename("config", "yaml", "yml", "json")
	f.StringVar(&o.Out, "out", "", "folder for the report folders of checks that do not pass, one per check name (default: a new folder named after the time)")
	f.StringVar(&o.JUnit, "junit", "", "write JUnit XML to this file")
	f.StringVar(&o.Metrics, "metrics", "", "write Prometheus text metrics to this file, atomically (for node_exporter's textfile collector)")
	f.BoolVar(&o.JSON, "json", false, "print the summary as JSON on stdout")
	f.IntVar(&o.Concurrency, "concurrency", 4, "checks run at once, each in its own browser context")
	f.StringVar(&o.Shard, "shard", "", "run only shard INDEX/COUNT (0-based: checks at positions i with i % COUNT == INDEX; default from JOB_COMPLETION_INDEX and JOB_COMPLETIONS)")
	f.DurationVar(&o.MaxWait, "max-wait", 30*time.Second, "longest wait for a server's Retry-After")
	return c
}

// loadConfig reads a checks file, printing each of its problems on a line
// of its own before one that counts them and says what did not happen.
func loadConfig(io *IO, path, notDone string) (*check.Config, error) {
	cfg, err := check.Load(path, io.Getenv)
	if err == nil {
		return cfg, nil
	}
	var ce *check.ConfigError
	if !errors.As(err, &ce) {
		return nil, &ExitError{Code: ExitUsage, Err: fmt.Errorf("--config %w", err)}
	}
	for _, p := range ce.Problems {
		fmt.Fprintln(io.ErrOut, p.String())
	}
	// Main prints the count as the error line (and, with --json, the
	// problems in the error object on stdout).
	n := len(ce.Problems)
	return nil, &ExitError{Code: ExitUsage, Err: &problemsError{
		msg:      fmt.Sprintf("%d %s in %s; %s", n, checkNoun(n, "problem", "problems"), path, notDone),
		problems: ce.Problems,
	}}
}

func runCheck(ctx context.Context, io *IO, o *CheckOptions) error {
	// Everything is checked before the browser starts: a scheduled job
	// with a bad config should fail in milliseconds and run nothing.
	if err := o.validate(); err != nil {
		return err
	}
	if o.Config == "" {
		return &ExitError{Code: ExitUsage, Err: errors.New("--config is required"), Hint: "see 'fix401 check --help' for the file format"}
	}
	if o.Concurrency < 1 {
		return usageErr("--concurrency must be at least 1, got %d", o.Concurrency)
	}
	if o.MaxWait < 0 {
		return usageErr("--max-wait must not be negative, got %s", o.MaxWait)
	}
	shard, err := o.shard(io)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(io, o.Config, "nothing was run")
	if err != nil {
		return err
	}
	if o.Out == "" {
		o.Out = "fix401-check-" + o.now().Format("20060102-150405")
	}
	if err := checkOutDir(o.Out); err != nil {
		return err
	}
	for flag, path := range map[string]string{"--junit": o.JUnit, "--metrics": o.Metrics} {
		if err := checkOutFile(flag, path, o.Out); err != nil {
			return err
		}
	}
	selected := shard.Select(cfg.Checks)

	log := o.logger(io)
	runCtx, cancel := o.runContext(ctx)
	defer cancel()
	started := o.now()
	var product string
	var results []check.Result
	if len(selected) > 0 {
		opts := check.Options{
			Concurrency: o.Concurrency, Timeout: o.Timeout, MaxWait: o.MaxWait,
			Out: o.Out, Version: Version(), Now: o.now, Log: log,
		}
		// One line per finished check on stderr as the run goes (one
		// event with --log-format json); the table comes at the end.
		var mu sync.Mutex
		color := o.color(io, io.ErrTTY)
		// The names' column is as wide as the longest name, so that the
		// times line up as the checks finish in any order.
		width := 0
		for _, c := range selected {
			width = max(width, len([]rune(c.Name)))
		}
		opts.Finished = func(r check.Result) {
			switch {
			case o.LogFormat == "json":
				log.Info().Str("check", r.Name).Str("result", string(r.Result)).Str("kind", r.Kind).
					Float64("seconds", r.Duration().Seconds()).Strs("findings", r.Findings).Msg("check finished")
			case !o.Quiet:
				mu.Lock()
				defer mu.Unlock()
				line := fmt.Sprintf("  %s %-*s  %5.1fs", checkMark(r.Result, color), width, r.Name, r.Duration().Seconds())
				if reason := checkReason(r); r.Result != check.Pass && reason != "" {
					line += "  " + reason
				}
				if r.Result != check.Pass || r.Flapped {
					for _, n := range r.Notes {
						line += "  (" + n + ")"
					}
				}
				fmt.Fprintln(io.ErrOut, line)
			}
		}
		// The browser's environment holds none of them: not the
		// passwords and tokens, nor what a ${VAR} put in a URL.
		secrets := slices.Clone(cfg.Expanded)
		for _, c := range selected {
			secrets = append(secrets, c.Secrets()...)
		}
		b, err := o.launch(runCtx, io, log, browser.Options{Secrets: secrets})
		switch {
		case err == nil:
			defer func() {
				if err := b.Close(); err != nil {
					log.Warn().Err(err).Msg("closing the browser")
				}
			}()
			product = b.Product()
			opts.Browser = b
			results = check.Run(runCtx, selected, opts)
		case errors.Is(context.Cause(runCtx), agent.ErrMaxTime) && !errors.Is(context.Cause(ctx), agent.ErrInterrupted):
			// --max-time ran out while the browser started: every check
			// is unfinished, which the outputs must still say.
			results = check.Run(runCtx, selected, opts)
		default:
			return err
		}
	} else {
		log.Warn().Str("shard", shard.String()).Int("checks", len(cfg.Checks)).Msg("this shard has no checks")
	}

	sum := check.NewSummary(cfg, shard, results, started, o.now())
	sum.Version, sum.Browser = Version(), product
	if runCtx.Err() != nil {
		sum.Stopped = context.Cause(runCtx).Error()
	}

	// The files are written even when the run was cut short: a CI job or
	// node_exporter must see that checks did not finish.
	var writeErr error
	if o.JUnit != "" {
		host, _ := os.Hostname()
		if err := sum.WriteJUnit(o.JUnit, host); err != nil {
			writeErr = errors.Join(writeErr, fmt.Errorf("writing --junit %s: %w", o.JUnit, err))
		}
	}
	switch {
	case o.Metrics == "":
	case sum.Stopped != "":
		// node_exporter would serve a partial run as the truth until the
		// next one: the last complete run's numbers stay.
		fmt.Fprintf(io.ErrOut, "fix401: the run was cut short (%s): --metrics %s keeps the last complete run's numbers\n", sum.Stopped, o.Metrics)
	default:
		if err := sum.WriteMetrics(o.Metrics); err != nil {
			writeErr = errors.Join(writeErr, fmt.Errorf("writing --metrics %s: %w", o.Metrics, err))
		}
	}
	if o.JSON {
		data, err := absSummary(sum).JSON()
		if err != nil {
			return err
		}
		io.Out.Write(data)
	} else if err := checkTable(io.Out, sum); err != nil {
		return err
	}

	switch {
	case errors.Is(context.Cause(ctx), agent.ErrInterrupted):
		return &ExitError{Code: ExitInterrupted, Err: agent.ErrInterrupted}
	case writeErr != nil:
		return &ExitError{Code: ExitInternal, Err: writeErr}
	case !sum.OK():
		return silentExit(ExitCheckFailed)
	}
	return nil
}

// absSummary is the summary as --json prints it: every path in it
// absolute (the config, each report folder), as diagnose's and analyze's
// --json give the report folder, so that a program reading it needs not
// know the directory fix401 ran in. The table keeps the paths as given.
func absSummary(sum *check.Summary) *check.Summary {
	shown := *sum
	shown.Config = absPath(sum.Config)
	shown.Checks = slices.Clone(sum.Checks)
	for i := range shown.Checks {
		shown.Checks[i].ReportDir = absPath(shown.Checks[i].ReportDir)
	}
	return &shown
}

// absPath is path made absolute; "" stays "", and so does a path that
// cannot be made absolute (no working directory).
func absPath(path string) string {
	if path == "" {
		return ""
	}
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// shard is --shard, else the Indexed Job's environment.
func (o *CheckOptions) shard(io *IO) (check.Shard, error) {
	if o.Shard != "" {
		s, err := check.ParseShard(o.Shard)
		if err != nil {
			return s, usageErr("--%v", err)
		}
		return s, nil
	}
	s, err := check.ShardFromEnv(io.Getenv)
	if err != nil {
		return s, usageErr("%v", err)
	}
	return s, nil
}

// checkOutFile checks that an output file can be created where asked, so
// that a typo in a path fails before the run rather than after it.
func checkOutFile(flag, path, out string) error {
	if path == "" {
		return nil
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return usageErr("%s %s is a folder, not a file", flag, path)
	}
	dir := filepath.Dir(path)
	if rel, err := filepath.Rel(out, dir); err == nil && rel == "." {
		// In --out, which the run makes anyway: make it now.
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return usageErr("%s %s: %v", flag, path, unwrapPathError(err))
		}
	}
	st, err := os.Stat(dir)
	if err != nil {
		return usageErr("%s %s: folder %s: %v", flag, path, dir, unwrapPathError(err))
	}
	if !st.IsDir() {
		return usageErr("%s %s: %s is a file", flag, path, dir)
	}
	return nil
}

func checkNoun(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// checkMark is a check verdict's symbol, coloured on a terminal.
func checkMark(v check.Verdict, color bool) string {
	switch v {
	case check.Pass:
		return mark(reports.StepFixed, color)
	case check.Fail:
		return mark(reports.StillFailing, color)
	case check.Skipped:
		return mark(reports.Skipped, color)
	}
	return mark(reports.StepError, color)
}
