package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"github.com/fix401/fix401/internal/inputs"
	"github.com/fix401/fix401/internal/outdir"
	"github.com/fix401/fix401/internal/redact"
	stdio "io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/fix401/fix401/agent"
	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/oscmd"
	"github.com/fix401/fix401/internal/profile"
	"github.com/fix401/fix401/reports"
	"github.com/fix401/fix401/steps"
)

// DiagnoseOptions are the flags of `fix401 diagnose`.
type DiagnoseOptions struct {
	BrowserOptions
	URL   string
	Out   string
	Force bool
	JSON  bool
	Steps []string
	// stepsGiven: --steps was on the command line, perhaps empty.
	stepsGiven bool
	Skip       []string
	All        bool
	MaxWait    time.Duration
	Cookies    string
	Isolate    bool
	Profile    string

	User             string
	PasswordStdin    bool
	LoginURL         string
	UserSelector     string
	PasswordSelector string
	SubmitSelector   string
	BearerTokenEnv   string
	Proxy            string
	ProxyUser        string
	DNSFlushCommand  string

	now func() time.Time
}

func newDiagnoseCmd(io *IO) *cobra.Command {
	o := &DiagnoseOptions{now: time.Now}
	c := &cobra.Command{
		Use:   "diagnose URL",
		Short: "Reproduce a 401 on one URL, walk the remedies and write the report",
		Example: `  fix401 diagnose https://intranet.example/reports/q3 --out ./ticket-4711
  fix401 diagnose http://127.0.0.1:8401/s/basic/ --json`,
		Args: exactArgs(1, "the URL to diagnose"),
		RunE: func(c *cobra.Command, args []string) error {
			o.URL = args[0]
			o.stepsGiven = c.Flags().Changed("steps")
			return runDiagnose(c.Context(), io, o)
		},
	}
	o.register(c)
	f := c.Flags()
	f.StringVar(&o.Out, "out", "", "a new or empty folder for report.json and screenshots/ (default: a new folder named after host and time)")
	f.BoolVar(&o.Force, "force", false, "let --out replace a previous fix401 report in that folder (nothing else there is touched)")
	f.BoolVar(&o.JSON, "json", false, "print the JSON report on stdout")
	f.StringSliceVar(&o.Steps, "steps", nil, "run only these steps, comma-separated (see 'fix401 steps')")
	f.StringSliceVar(&o.Skip, "skip", nil, "skip these steps, comma-separated")
	fixedValues(c, "steps", steps.IDs()...)
	fixedValues(c, "skip", steps.IDs()[1:]...)
	f.BoolVar(&o.All, "all", false, "keep going after a fix, to see every step that would fix it")
	f.DurationVar(&o.MaxWait, "max-wait", 30*time.Second, "longest wait for a server's Retry-After")
	f.StringVar(&o.Cookies, "cookies", "", "the user's cookies to start from: Netscape cookies.txt or a JSON export")
	f.StringVar(&o.Profile, "profile", "", "the user's Chrome user-data-dir to start from (copied, never touched)")
	f.BoolVar(&o.Isolate, "isolate", false, "re-run the fixing step alone from the starting state, to show the minimal fix")
	f.StringVar(&o.User, "user", "", "user name for relogin (password from --password-stdin or FIX401_PASSWORD)")
	f.BoolVar(&o.PasswordStdin, "password-stdin", false, "read the password for --user from the first line of standard input")
	f.StringVar(&o.LoginURL, "login-url", "", "the login page whose form relogin fills (found automatically after a redirect to it)")
	f.StringVar(&o.UserSelector, "user-selector", "", "CSS selector of the login form's user name field (default: found automatically)")
	f.StringVar(&o.PasswordSelector, "password-selector", "", "CSS selector of the login form's password field (default: the password input)")
	f.StringVar(&o.SubmitSelector, "submit-selector", "", "CSS selector of the login form's submit button (default: found automatically)")
	f.StringVar(&o.BearerTokenEnv, "bearer-token-env", "", "name of the environment variable holding a bearer token for relogin (sent to the target's origin only)")
	f.StringVar(&o.Proxy, "proxy", "", "proxy URL for the via-proxy step (the \"try another network\" advice)")
	f.StringVar(&o.ProxyUser, "proxy-user", "", "user name for a proxy that asks for credentials (407); the password from FIX401_PROXY_PASSWORD")
	f.StringVar(&o.DNSFlushCommand, "dns-flush-command", "", "command that flushes DNS, instead of the OS default")
	return c
}

// exactArgs is cobra.ExactArgs with a message that says what is missing.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) != n {
			return &ExitError{Code: ExitUsage, Err: fmt.Errorf("%s takes %s, got %d arguments", c.Name(), what, len(args)),
				Hint: "see '" + c.CommandPath() + " --help'"}
		}
		return nil
	}
}

func runDiagnose(ctx context.Context, io *IO, o *DiagnoseOptions) error {
	// Every input is checked before the browser starts, so bad input costs
	// nothing and leaves nothing behind.
	if err := o.validate(); err != nil {
		return err
	}
	target, err := checkURL(o.URL)
	if err != nil {
		return err
	}
	if !strings.Contains(o.URL, "://") && !o.Quiet {
		fmt.Fprintf(io.ErrOut, "fix401: no scheme in %q: using %s (give http:// for a plain-HTTP site)\n", redact.URL(target)[len("https://"):], redact.URL(target))
	}
	if o.MaxWait < 0 {
		return usageErr("--max-wait must not be negative, got %s", o.MaxWait)
	}
	if o.stepsGiven && len(o.Steps) == 0 {
		return usageErr("--steps is empty: name the steps to run (see 'fix401 steps'), or leave it out to run them all")
	}
	if _, err := agent.Plan(o.Steps, o.Skip); err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	// The folder is reserved before anything runs: one that cannot take the
	// report, holds something else, or is being written by another run
	// costs nothing.
	var claim *outdir.Claim
	if o.Out == "" {
		claim, err = takeDefaultOut(target, o.now())
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
	built, err := o.inputs(io)
	if err != nil {
		return err
	}
	inputs, cookies := built.Inputs, built.Cookies
	// The agent masks pages, and the HAR their traffic, for the cookies
	// from the start and for the password and token once sent.
	inputs.DNSFlushCommand, inputs.Runner = o.DNSFlushCommand, oscmd.System{}
	// The password and token, not the cookies: the browser gets those.
	extra := browser.Options{Secrets: built.BrowserSecrets}
	if o.Profile != "" {
		dir, err := profile.Copy(o.Profile)
		if err != nil {
			return &ExitError{Code: ExitUsage, Err: fmt.Errorf("--profile %s: %v", o.Profile, unwrapPathError(err))}
		}
		defer os.RemoveAll(dir)
		extra.UserDataDir = dir
	}

	log := o.logger(io)
	ctx, cancel := o.runContext(ctx)
	defer cancel()
	b, err := o.launch(ctx, io, log, extra)
	if err != nil {
		return err
	}
	defer func() {
		if err := b.Close(); err != nil {
			log.Warn().Err(err).Msg("closing the browser")
		}
	}()

	// With JSON logs, stderr is a log stream: progress lines would break it.
	prog := newProgress(io.ErrOut, io.ErrTTY, o.Quiet || o.JSON && !io.ErrTTY || o.LogFormat == "json", o.color(io, io.ErrTTY))
	lines := map[string]string{}
	res, err := agent.Diagnose(ctx, agent.Config{
		URL: target, Browser: b, Timeout: o.Timeout, MaxWait: o.MaxWait,
		Only: o.Steps, Skip: o.Skip, All: o.All, Screenshots: true, Isolate: o.Isolate,
		Inputs: inputs, Cookies: cookies, Secrets: built.Secrets, StateSecrets: built.CookieSecrets,
		Version: Version(), Now: o.now, Log: log,
		Progress: func(p agent.Progress) {
			if p.Done {
				lines[p.Step] = p.Line
			}
			prog.update(p)
		},
	})
	prog.finish()
	if err != nil {
		if errors.Is(context.Cause(ctx), agent.ErrInterrupted) {
			return &ExitError{Code: ExitInterrupted, Err: agent.ErrInterrupted}
		}
		return err
	}
	rep := res.Report
	rep.Environment.Profile = o.Profile != ""
	if err := writeRun(o.Out, res, b.Product(), built.CookieSecrets); err != nil {
		return &ExitError{Code: ExitInternal, Err: fmt.Errorf("writing the report: %w", err)}
	}
	// The files the folder really holds: an early stop has no screenshots.
	also := []string{"report.json", "report.md", "contact.md"}
	for _, f := range []string{"network.har", "screenshots/"} {
		if _, err := os.Stat(filepath.Join(o.Out, f)); err == nil {
			also = append(also, f)
		}
	}
	reportPath := filepath.Join(o.Out, "report.html") + "  (also " + strings.Join(also, ", ") + ")"
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
		// On one terminal the live lines already showed every step.
		shown := io.OutTTY && io.ErrTTY && !o.Quiet
		summary(io.Out, rep, lines, reportPath, o.color(io, io.OutTTY), !shown)
	}
	return silentExit(exitCode(rep, ctx))
}

// inputs gathers the credentials and step flags, reading secrets only from
// stdin or the environment, never from a flag.
// inputs resolves the password from where the person keeps it and builds
// the run's inputs by the rules a check's entry follows too.
func (o *DiagnoseOptions) inputs(io *IO) (*inputs.Built, error) {
	g := inputs.Given{
		User: o.User, LoginURL: o.LoginURL, Proxy: o.Proxy, Cookies: o.Cookies,
		UserSel: o.UserSelector, PasswordSel: o.PasswordSelector, SubmitSel: o.SubmitSelector,
	}
	if o.PasswordStdin && o.User == "" {
		return nil, usageErr("--password-stdin needs --user")
	}
	if o.LoginURL != "" && o.User == "" {
		return nil, usageErr("--login-url needs --user (and the password from --password-stdin or FIX401_PASSWORD)")
	}
	if o.User == "" && io.Getenv("FIX401_PASSWORD") != "" {
		// Said, not silently ignored: the person meant to sign in.
		fmt.Fprintln(io.ErrOut, "fix401: FIX401_PASSWORD is set but --user is not: relogin will not sign in (give --user NAME)")
	}
	if o.User != "" {
		switch {
		case o.PasswordStdin && io.ReadPassword != nil:
			pw, err := io.ReadPassword("Password for " + o.User + ": ")
			if err != nil || pw == "" {
				return nil, usageErr("--password-stdin: no password was typed")
			}
			g.Password = pw
		case o.PasswordStdin:
			// Bounded: /dev/zero on stdin must not fill the memory.
			line, err := bufio.NewReader(stdio.LimitReader(io.In, 64<<10)).ReadString('\n')
			if err != nil && line == "" {
				return nil, usageErr("--password-stdin: no password on standard input")
			}
			g.Password = strings.TrimRight(line, "\r\n")
		case io.Getenv("FIX401_PASSWORD") != "":
			g.Password = io.Getenv("FIX401_PASSWORD")
		default:
			return nil, &ExitError{Code: ExitUsage, Err: fmt.Errorf("--user %s needs a password", o.User),
				Hint: "pipe it to --password-stdin or set FIX401_PASSWORD; a password is never a flag"}
		}
	}
	if o.ProxyUser != "" {
		g.ProxyUser, g.ProxyPassword = o.ProxyUser, io.Getenv("FIX401_PROXY_PASSWORD")
		if g.ProxyPassword == "" {
			return nil, &ExitError{Code: ExitUsage, Err: fmt.Errorf("--proxy-user %s needs a password", o.ProxyUser),
				Hint: "set FIX401_PROXY_PASSWORD; a password is never a flag"}
		}
	} else if io.Getenv("FIX401_PROXY_PASSWORD") != "" {
		fmt.Fprintln(io.ErrOut, "fix401: FIX401_PROXY_PASSWORD is set but --proxy-user is not: the proxy's challenge will not be answered (give --proxy-user NAME)")
	}
	if o.BearerTokenEnv != "" {
		g.BearerToken, g.BearerEnv = io.Getenv(o.BearerTokenEnv), o.BearerTokenEnv
		if g.BearerToken == "" {
			return nil, usageErr("--bearer-token-env %s: the variable is not set", o.BearerTokenEnv)
		}
	}
	built, err := inputs.Build(g, inputs.Flags)
	var ie *inputs.Error
	if errors.As(err, &ie) {
		return nil, &ExitError{Code: ExitUsage, Err: ie, Hint: ie.Hint}
	}
	return built, err
}

// exitCode maps the outcome to the documented exit code.
func exitCode(rep *reports.Report, ctx context.Context) int {
	switch rep.Outcome {
	case reports.Healthy:
		return ExitOK
	case reports.Fixed:
		return ExitFixed
	case reports.Unresolved:
		return ExitUnresolved
	case reports.NotAuthFailure:
		return ExitNotAuth
	}
	if errors.Is(context.Cause(ctx), agent.ErrInterrupted) {
		return ExitInterrupted
	}
	return ExitInternal
}

// defaultOut names a new folder after the host and the time.
func defaultOut(target string, now time.Time) string {
	host := "report"
	if u, err := url.Parse(target); err == nil && u.Hostname() != "" {
		host = strings.NewReplacer(":", "_", "[", "", "]", "").Replace(u.Hostname())
	}
	return fmt.Sprintf("fix401-%s-%s", host, now.Format("20060102-150405"))
}

// takeDefaultOut claims defaultOut's folder, or the same name with -2, -3…
// after it when that one exists or another run took it in the same second:
// runs never overwrite each other.
func takeDefaultOut(target string, now time.Time) (*outdir.Claim, error) {
	base := defaultOut(target, now)
	name := base
	for i := 2; i < 1000; i++ {
		if _, err := os.Lstat(name); err != nil {
			c, err := outdir.Take(name, false)
			if err == nil {
				return c, nil
			}
			if _, serr := os.Lstat(name); serr != nil {
				return nil, err // not a race: the folder cannot be made here
			}
		}
		name = fmt.Sprintf("%s-%d", base, i)
	}
	return nil, fmt.Errorf("no free folder name after %s", base)
}

// outErr turns a folder outdir refused into a usage error.
func outErr(err error) error {
	var oe *outdir.Error
	if errors.As(err, &oe) {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("--out %s", oe.Msg), Hint: oe.Hint}
	}
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf("--out: %w", err)}
}

// checkOutDir checks a folder that will hold per-check or per-scenario
// report folders: it is created if needed and must be writable, before
// anything runs.
func checkOutDir(dir string) error {
	if err := checkOutParent(dir); err != nil {
		return err
	}
	// Written to only when a report is due, so it is not created here:
	// the folder, or the nearest one above it that exists, must take a
	// file.
	probe := filepath.Clean(dir)
	for {
		if _, err := os.Stat(probe); err == nil || probe == filepath.Dir(probe) {
			break
		}
		probe = filepath.Dir(probe)
	}
	f, err := os.CreateTemp(probe, ".fix401-write-test-*")
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("--out %s is not writable: %v", dir, unwrapPathError(err)), Hint: "give a folder you can write to"}
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

func checkOutParent(dir string) error {
	st, err := os.Stat(dir)
	switch {
	case err == nil && !st.IsDir():
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("--out %s is a file, not a folder", dir), Hint: "give a new or existing folder"}
	case err == nil:
		return nil
	case !errors.Is(err, os.ErrNotExist):
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("--out %s: %v", dir, unwrapPathError(err))}
	}
	// The parent must exist and be a folder; the run creates only the last level... and its parents.
	parent := filepath.Dir(filepath.Clean(dir))
	for parent != "." && parent != string(filepath.Separator) {
		st, err := os.Stat(parent)
		if err == nil {
			if !st.IsDir() {
				return &ExitError{Code: ExitUsage, Err: fmt.Errorf("--out %s: %s is a file", dir, parent)}
			}
			break
		}
		parent = filepath.Dir(parent)
	}
	return nil
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
