package cli

import (
	"context"
	"errors"
	"fmt"
	"github.com/fix401/fix401/internal/redact"
	"io"
	"maps"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/fix401/fix401/agent"
	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/suggest"
	"github.com/fix401/fix401/internal/urlfix"
)

// BrowserOptions are the flags every browser command shares.
type BrowserOptions struct {
	Chrome     string
	BrowserURL string
	Timeout    time.Duration
	MaxTime    time.Duration
	LogLevel   string
	LogFormat  string
	Quiet      bool
	NoColor    bool
	HostRules  []string
	Insecure   bool
	// AuthAllowlist is Chrome's AuthServerAllowlist for the run's browser.
	AuthAllowlist string

	// shellFirst: look for a headless shell before a full browser (check,
	// which runs many pages no one watches; see browser.FindShell).
	shellFirst bool
}

func (o *BrowserOptions) register(c *cobra.Command) {
	f := c.Flags()
	f.StringVar(&o.Chrome, "chrome", "", "browser to start (else $FIX401_CHROME, else PATH and the usual install places)")
	f.StringVar(&o.BrowserURL, "browser-url", "", "use a running browser's DevTools endpoint (ws://host:port/… or http://host:port) instead of starting one")
	f.DurationVar(&o.Timeout, "timeout", 20*time.Second, "time limit for one page load")
	f.DurationVar(&o.MaxTime, "max-time", 0, "time limit for the whole run (0: none)")
	logFlags(c, &o.LogLevel, &o.LogFormat, &o.Quiet, &o.NoColor)
	f.StringArrayVar(&o.HostRules, "host-rule", nil, `pin a host name like Chrome's --host-resolver-rules, e.g. "MAP intranet.example 127.0.0.1" (repeatable)`)
	f.BoolVar(&o.Insecure, "insecure", false, "accept invalid TLS certificates")
	f.StringVar(&o.AuthAllowlist, "auth-server-allowlist", "", `hosts the browser may sign in to with this machine's Kerberos/NTLM credentials, as Chrome's AuthServerAllowlist policy: "intranet.example,*.corp.example" (default: the machine's policy)`)
}

// logFlags are the output flags every command that logs shares, with or
// without a browser.
func logFlags(c *cobra.Command, level, format *string, quiet, noColor *bool) {
	f := c.Flags()
	f.StringVar(level, "log-level", "warn", "log level: debug, info, warn (or warning), error")
	f.StringVar(format, "log-format", "console", "log format: console or json")
	f.BoolVarP(quiet, "quiet", "q", false, "no progress on stderr")
	f.BoolVar(noColor, "no-color", false, "no colors (also NO_COLOR)")
	fixedValues(c, "log-level", logLevels...)
	fixedValues(c, "log-format", logFormats...)
}

// The values of --log-level and --log-format.
var (
	logLevels  = []string{"debug", "info", "warn", "error"}
	logFormats = []string{"console", "json"}
)

// enumValue checks the value of a flag that takes one of a few words: the
// case does not matter (DEBUG is debug), an alias stands for its value
// (warning is warn), and anything else is a usage error that lists the
// values and names the near miss, as an unknown step or config key does.
func enumValue(flag, got string, values []string, aliases map[string]string) (string, error) {
	v := strings.ToLower(strings.TrimSpace(got))
	if a, ok := aliases[v]; ok {
		v = a
	}
	if slices.Contains(values, v) {
		return v, nil
	}
	known := slices.Concat(values, slices.Sorted(maps.Keys(aliases)))
	want := "one of " + orList(values)
	if len(values) == 2 {
		want = orList(values)
	}
	return "", usageErr("--%s must be %s; got %q%s", flag, want, got, suggest.Hint(got, known))
}

// orList is "a, b or c".
func orList(values []string) string {
	if len(values) < 2 {
		return strings.Join(values, "")
	}
	return strings.Join(values[:len(values)-1], ", ") + " or " + values[len(values)-1]
}

func (o *BrowserOptions) validate() error {
	if o.Timeout <= 0 {
		return usageErr("--timeout must be positive, got %s", o.Timeout)
	}
	if o.MaxTime < 0 {
		return usageErr("--max-time must not be negative, got %s", o.MaxTime)
	}
	// Only the documented levels: zerolog's "trace" would print the
	// DevTools traffic, credentials answered to a challenge included.
	if strings.EqualFold(strings.TrimSpace(o.LogLevel), "trace") {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("--log-level must be one of %s; got %q", orList(logLevels), o.LogLevel),
			Hint: "debug is the most fix401 logs: a trace would hold the browser's traffic, credentials included"}
	}
	level, err := enumValue("log-level", o.LogLevel, logLevels, map[string]string{"warning": "warn"})
	if err != nil {
		return err
	}
	format, err := enumValue("log-format", o.LogFormat, logFormats, nil)
	if err != nil {
		return err
	}
	o.LogLevel, o.LogFormat = level, format
	for _, r := range o.HostRules {
		f := strings.Fields(r)
		if len(f) < 2 || !strings.EqualFold(f[0], "MAP") && !strings.EqualFold(f[0], "EXCLUDE") || strings.EqualFold(f[0], "MAP") && len(f) != 3 {
			return usageErr(`--host-rule %q: want "MAP host ip" or "EXCLUDE host"`, r)
		}
	}
	for _, h := range o.allowlist() {
		if strings.ContainsAny(h, " /\\:@?#") {
			return usageErr(`--auth-server-allowlist: %q is not a host pattern (want names like "intranet.example" or "*.corp.example", comma-separated)`, h)
		}
	}
	if o.BrowserURL != "" && o.AuthAllowlist != "" {
		return usageErr("--auth-server-allowlist sets how fix401 starts its browser: it cannot change a remote browser (--browser-url); set the AuthServerAllowlist policy there")
	}
	if o.BrowserURL != "" {
		u, err := url.Parse(o.BrowserURL)
		if err != nil || u.Host == "" || (u.Scheme != "ws" && u.Scheme != "wss" && u.Scheme != "http" && u.Scheme != "https") {
			return usageErr("--browser-url %q: want ws://host:port/devtools/browser/… or http://host:port", o.BrowserURL)
		}
	}
	return nil
}

// allowlist is --auth-server-allowlist's hosts.
func (o *BrowserOptions) allowlist() []string {
	var out []string
	for _, h := range strings.Split(o.AuthAllowlist, ",") {
		if h = strings.TrimSpace(h); h != "" {
			out = append(out, h)
		}
	}
	return out
}

// color reports whether output to a terminal may use colors.
func (o *BrowserOptions) color(io *IO, tty bool) bool {
	return tty && !o.NoColor && io.Getenv("NO_COLOR") == "" && io.Getenv("TERM") != "dumb"
}

// logger builds the zerolog logger: console lines on stderr, or JSON.
func (o *BrowserOptions) logger(streams *IO) zerolog.Logger {
	lvl, _ := zerolog.ParseLevel(o.LogLevel)
	var w io.Writer = streams.ErrOut
	if o.LogFormat == "console" {
		w = zerolog.ConsoleWriter{Out: streams.ErrOut, NoColor: !o.color(streams, streams.ErrTTY), TimeFormat: "15:04:05"}
	}
	return zerolog.New(w).Level(lvl).With().Timestamp().Logger()
}

// launch starts (or attaches to) the one browser of the run.
func (o *BrowserOptions) launch(ctx context.Context, io *IO, log zerolog.Logger, extra browser.Options) (*browser.Browser, error) {
	opts := extra
	opts.RemoteURL = o.BrowserURL
	opts.HostRules = append(opts.HostRules, o.HostRules...)
	opts.Insecure = o.Insecure
	opts.AuthServerAllowlist = append(opts.AuthServerAllowlist, o.allowlist()...)
	opts.Getenv = io.Getenv
	// chromedp's own errors (an event it could not decode, a target gone)
	// are worth a line at debug level, not silence.
	opts.Errorf = func(f string, a ...any) { log.Debug().Str("from", "chromedp").Msgf(f, a...) }
	if o.BrowserURL == "" {
		find := browser.Find
		if o.shellFirst {
			find = browser.FindShell
		}
		path, err := find(o.Chrome, io.Getenv)
		var pe *browser.PathError
		switch {
		case errors.As(err, &pe):
			return nil, &ExitError{Code: ExitBrowser, Err: err,
				Hint: "give the path of a Chrome, Chromium or Edge program, or leave " + pe.From + " out to search the usual places"}
		case err != nil:
			return nil, &ExitError{Code: ExitBrowser, Err: err, Hint: browser.InstallHint(runtime.GOOS)}
		}
		opts.ExecPath = path
	}
	b, err := browser.Launch(ctx, opts)
	if err != nil {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		return nil, &ExitError{Code: ExitBrowser, Err: err}
	}
	log.Debug().Str("browser", b.Product()).Str("path", opts.ExecPath).Bool("remote", b.Remote()).Msg("browser ready")
	return b, nil
}

// runContext applies --max-time.
func (o *BrowserOptions) runContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if o.MaxTime > 0 {
		return context.WithTimeoutCause(ctx, o.MaxTime, agent.ErrMaxTime)
	}
	return context.WithCancel(ctx)
}

// checkURL validates a target URL before anything starts, and returns it
// with a scheme: a technician often pastes "intranet.example/reports".
func checkURL(raw string) (string, error) {
	s, err := urlfix.Normalize(raw)
	var se *urlfix.SchemeError
	switch {
	case errors.As(err, &se):
		return "", &ExitError{Code: ExitUsage, Err: fmt.Errorf("unsupported URL scheme %q in %q", se.Scheme, redact.URL(raw)),
			Hint: "fix401 checks web pages: use an http:// or https:// URL"}
	case err != nil:
		// The message quotes the URL: its userinfo and secret values go.
		return "", &ExitError{Code: ExitUsage, Err: errors.New(redact.Text(err.Error()))}
	}
	if u, err := url.Parse(s); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			return "", &ExitError{Code: ExitUsage, Err: fmt.Errorf("the URL carries a password: %s", redact.URL(s)),
				Hint: "give the user with --user and the password with --password-stdin or FIX401_PASSWORD; a password in a URL goes to every request and into the browser's history"}
		}
	}
	return s, nil
}

// fixedValues makes shell completion offer values for flag.
func fixedValues(c *cobra.Command, flag string, values ...string) {
	_ = c.RegisterFlagCompletionFunc(flag, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	})
}
