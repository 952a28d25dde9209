package cli

import (
	"github.com/spf13/pflag"

	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/fix401/fix401/internal/suggest"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/fix401/fix401/agent"
	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/check"
)

// Exit codes: the contract of DESIGN.md §2, also printed by `fix401 help exit-codes`.
const (
	ExitOK          = 0
	ExitInternal    = 1
	ExitUsage       = 2
	ExitBrowser     = 3
	ExitFixed       = 10
	ExitUnresolved  = 11
	ExitNotAuth     = 12
	ExitCheckFailed = 20
	ExitInterrupted = 130 // SIGINT (Ctrl-C), as shells report it
	ExitTerminated  = 143 // SIGTERM: what Kubernetes, systemd and Task Scheduler send
)

// errTerminated is the cause of a run ended by SIGTERM: an interrupt like
// Ctrl-C in every way but its words and the exit status.
var errTerminated error = terminated{}

type terminated struct{}

func (terminated) Error() string        { return "terminated (SIGTERM)" }
func (terminated) Is(target error) bool { return target == agent.ErrInterrupted }

// version is set at build time with -ldflags "-X github.com/fix401/fix401/internal/cli.version=…".
var version = ""

// Version returns the program version.
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// IO is where a command reads and writes; tests give it buffers.
type IO struct {
	In          io.Reader
	Out, ErrOut io.Writer
	OutTTY      bool
	ErrTTY      bool
	Getenv      func(string) string
	// ReadPassword, when standard input is a terminal, asks for a
	// password there without echoing it; nil reads a line from In.
	ReadPassword func(prompt string) (string, error)
}

// SystemIO is the process's own streams and environment.
func SystemIO() *IO {
	io := &IO{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		OutTTY: isatty.IsTerminal(os.Stdout.Fd()), ErrTTY: isatty.IsTerminal(os.Stderr.Fd()),
		Getenv: os.Getenv,
	}
	if fd := int(os.Stdin.Fd()); term.IsTerminal(fd) {
		// As gh and docker login do: a prompt, and nothing echoed.
		io.ReadPassword = func(prompt string) (string, error) {
			fmt.Fprint(os.Stderr, prompt)
			b, err := term.ReadPassword(fd)
			fmt.Fprintln(os.Stderr)
			return string(b), err
		}
	}
	return io
}

// ExitError carries an exit code and an optional hint line to Main.
type ExitError struct {
	Code int
	Err  error
	Hint string
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

func usageErr(format string, args ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, args...)}
}

// silentExit ends a command with a code and nothing more to print: the
// command already said what happened.
type silentExit int

func (s silentExit) Error() string { return fmt.Sprintf("exit %d", int(s)) }

// Main runs the program with the process's arguments and streams.
func Main() int {
	ctx, stop := interruptContext(context.Background())
	defer stop()
	return Run(ctx, os.Args[1:], SystemIO())
}

// interruptContext is cancelled, with agent.ErrInterrupted as its cause, at
// the first SIGINT or SIGTERM; later signals are swallowed so that the
// report of what was done still gets written.
func interruptContext(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		for sig := range ch {
			if sig == syscall.SIGTERM {
				cancel(errTerminated)
			} else {
				cancel(agent.ErrInterrupted)
			}
		}
	}()
	return ctx, func() { signal.Stop(ch); cancel(nil) }
}

// Run runs one command line and returns its exit code. Every error becomes
// one line on stderr ("fix401: …", maybe a "hint: …" line): never a stack
// trace, never cobra's usage dump.
func Run(ctx context.Context, args []string, io *IO) int {
	code := run(ctx, args, io)
	if code == ExitInterrupted && errors.Is(context.Cause(ctx), errTerminated) {
		return ExitTerminated
	}
	return code
}

// countingWriter counts what went through it.
type countingWriter struct {
	w io.Writer
	n int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += n
	return n, err
}

func run(ctx context.Context, args []string, streams *IO) int {
	// What the command printed on stdout is known, so that a JSON error
	// object never follows a JSON document already there.
	out := &countingWriter{w: streams.Out}
	io := *streams
	io.Out = out
	root := NewRootCmd(&io)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	asJSON := wantsJSON(cmd, args) && out.n == 0
	var se silentExit
	if errors.As(err, &se) {
		if asJSON && int(se) != ExitOK {
			// Every silent exit so far follows a document on stdout; one
			// that does not still owes a program its answer.
			printJSONError(out, fmt.Sprintf("exit status %d (stderr says why)", int(se)), "", int(se), nil)
		}
		return int(se)
	}
	code, hint := ExitInternal, ""
	var ee *ExitError
	var ue *browser.UnavailableError
	switch {
	case errors.As(err, &ee):
		code, hint = ee.Code, ee.Hint
		if errors.As(err, &ue) && hint == "" {
			hint = ue.Hint
		}
	case errors.As(err, &ue):
		code, hint = ExitBrowser, ue.Hint
	case errors.Is(err, agent.ErrInterrupted) || errors.Is(context.Cause(ctx), agent.ErrInterrupted):
		code = ExitInterrupted
	case isUsage(err):
		code = ExitUsage
	}
	if code == ExitInterrupted && errors.Is(context.Cause(ctx), errTerminated) {
		code = ExitTerminated
	}
	fmt.Fprintf(io.ErrOut, "fix401: %s\n", oneLine(err.Error()))
	if hint != "" {
		fmt.Fprintf(io.ErrOut, "hint: %s\n", oneLine(hint))
	}
	if asJSON {
		// A program reading stdout gets an answer it can parse too.
		var pe *problemsError
		var problems []check.Problem
		if errors.As(err, &pe) {
			problems = pe.problems
		}
		printJSONError(out, oneLine(err.Error()), oneLine(hint), code, problems)
	}
	return code
}

// jsonProblem is one problem of a config file in the JSON error object.
type jsonProblem struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

// printJSONError writes the object every --json command prints on stdout
// when it fails: {"error", "hint", "exit_code"}, and a config file's
// problems one by one, as stderr lists them (the file's path absolute).
func printJSONError(w io.Writer, msg, hint string, code int, problems []check.Problem) {
	e := struct {
		Error    string        `json:"error"`
		Hint     string        `json:"hint,omitempty"`
		ExitCode int           `json:"exit_code"`
		Problems []jsonProblem `json:"problems,omitempty"`
	}{Error: msg, Hint: hint, ExitCode: code}
	for _, p := range problems {
		// Absolute, as every path --json prints.
		e.Problems = append(e.Problems, jsonProblem{File: absPath(p.File), Line: p.Line, Path: p.Path, Message: p.Msg})
	}
	data, _ := json.Marshal(e)
	fmt.Fprintf(w, "%s\n", data)
}

// problemsError is a config file's problems, each already printed on a
// line of its own; its message counts them.
type problemsError struct {
	msg      string
	problems []check.Problem
}

func (e *problemsError) Error() string { return e.msg }

// wantsJSON says whether the command line asked for JSON on stdout: the
// parsed --json flag of the command that ran, else (flag parsing failed
// before it) any --json, --json=true (or 1, t…) before "--".
func wantsJSON(cmd *cobra.Command, args []string) bool {
	if cmd != nil {
		if f := cmd.Flags().Lookup("json"); f != nil && f.Changed {
			return f.Value.String() == "true"
		}
	}
	for _, a := range args {
		if a == "--" {
			return false
		}
		if a == "--json" {
			return true
		}
		if v, ok := strings.CutPrefix(a, "--json="); ok {
			if b, err := strconv.ParseBool(v); err == nil && b {
				return true
			}
		}
	}
	return false
}

// isUsage recognises cobra's and pflag's own errors, which have no type.
func isUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown flag", "unknown shorthand flag", "unknown command", "flag needs an argument",
		"invalid argument", "accepts ", "requires at least", "requires at most", "bad flag syntax", "if any flags in the group"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func oneLine(s string) string {
	// cobra's own suggestion comes on lines of its own.
	if msg, alt, ok := strings.Cut(s, "\n\nDid you mean this?\n"); ok {
		s = msg + " (did you mean " + strings.Join(strings.Fields(alt), ", ") + "?)"
	}
	return strings.Join(strings.Fields(s), " ")
}

// NewRootCmd builds the command tree.
func NewRootCmd(io *IO) *cobra.Command {
	root := &cobra.Command{
		Use:   "fix401",
		Short: "Troubleshoot HTTP 401 Unauthorized errors in a real browser, with proof",
		Long: `fix401 reproduces a failing page load in headless Chrome, walks through the
remedies every help article lists (check the URL, reload, clear cache, clear
cookies, fresh profile, flush DNS, allow integrated sign-in, sign in again,
another network), reloading after each one, and writes a report that says which step fixed the 401, with
the evidence.`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       Version(),
	}
	root.SetIn(io.In)
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		hint := "see '" + c.CommandPath() + " --help'"
		if name, ok := strings.CutPrefix(err.Error(), "unknown flag: --"); ok {
			var flags []string
			c.Flags().VisitAll(func(f *pflag.Flag) { flags = append(flags, f.Name) })
			switch {
			case strings.HasPrefix(name, "password") || name == "pass" || name == "pw":
				hint = "a password is never a flag: pipe it to --password-stdin, or set FIX401_PASSWORD"
			case suggest.Closest(name, flags) != "":
				hint = "did you mean --" + suggest.Closest(name, flags) + "?"
			}
		}
		switch msg := err.Error(); {
		case strings.Contains(msg, `time: unknown unit "d"`), strings.Contains(msg, `time: unknown unit "w"`):
			hint = "days and weeks are not units here: give hours, e.g. 48h"
		case strings.Contains(msg, "time: unknown unit"):
			hint = "the units are ms, s, m and h: 500ms, 20s, 2m, 1h30m"
		case strings.Contains(msg, "time: missing unit"):
			hint = "a duration needs a unit: 500ms, 20s, 2m"
		case strings.Contains(msg, "time: "):
			hint = "a duration is a number with a unit, at most 2562047h: 500ms, 20s, 2m, 1h30m"
		}
		return &ExitError{Code: ExitUsage, Err: err, Hint: hint}
	})
	root.AddCommand(
		newDiagnoseCmd(io),
		newCheckCmd(io),
		newServeCmd(io),
		newAnalyzeCmd(io),
		newExplainCmd(io),
		newLabCmd(io),
		newHarCmd(io),
		newDemoCmd(io),
		newStepsCmd(io),
		newVersionCmd(io),
		newExitCodesTopic(),
		newReportSchemaTopic(),
	)
	// cobra's help prints "Unknown help topic" and exits 0: an unknown
	// topic is a usage error here, as an unknown command is.
	root.SetHelpCommand(&cobra.Command{
		Use:   "help [command or topic]",
		Short: "Help about any command or topic (exit-codes, report-schema)",
		RunE: func(c *cobra.Command, args []string) error {
			cmd, rest, err := c.Root().Find(args)
			if err != nil || cmd == nil || len(rest) > 0 || len(args) > 0 && cmd == c.Root() {
				var topics []string
				for _, t := range c.Root().Commands() {
					if t.IsAvailableCommand() || t.IsAdditionalHelpTopicCommand() {
						topics = append(topics, t.Name())
					}
				}
				got := strings.Join(args, " ")
				return &ExitError{Code: ExitUsage, Err: fmt.Errorf("no help topic %q%s", got, suggest.Hint(got, topics)), Hint: "'fix401 help' lists the commands and topics"}
			}
			return cmd.Help()
		},
	})
	// cobra's completion command prints its help for a shell it does not
	// know (tcsh) and exits 0: an unknown shell is a usage error here.
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Args = func(c *cobra.Command, args []string) error {
				if len(args) > 0 {
					return &ExitError{Code: ExitUsage, Err: fmt.Errorf("no completion for %q", args[0]), Hint: "fix401 completes bash, zsh, fish and powershell"}
				}
				return nil
			}
			c.RunE = func(c *cobra.Command, _ []string) error { return c.Help() }
		}
	}
	return root
}
