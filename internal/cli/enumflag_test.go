package cli

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// commandsWithFlag is every command of the tree that has the flag, as the
// words that name it.
func commandsWithFlag(t *testing.T, flag string) [][]string {
	t.Helper()
	var out [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		if c.Flags().Lookup(flag) != nil {
			out = append(out, path)
		}
		for _, sub := range c.Commands() {
			walk(sub, append(append([]string(nil), path...), sub.Name()))
		}
	}
	walk(NewRootCmd(&IO{Getenv: func(string) string { return "" }}), nil)
	if len(out) == 0 {
		t.Fatalf("no command has --%s", flag)
	}
	return out
}

// TestEnumeratedValuesSuggest: a value that is not one of a flag's (or an
// argument's) few words is refused in one line that lists them and names
// the near miss, as an unknown step or config key is; a value that only
// differs in case, or is a common alias, is taken.
func TestEnumeratedValuesSuggest(t *testing.T) {
	type refused struct {
		args []string
		want string // the whole error line
	}
	// The positional argument a command needs to get as far as its flags.
	operand := map[string][]string{"diagnose": {"http://127.0.0.1:1/"}, "analyze": {"no-such.har"}}
	var cases []refused
	for _, path := range commandsWithFlag(t, "log-level") {
		with := func(flag, value string) []string {
			return append(append(append([]string(nil), path...), flag, value), operand[path[0]]...)
		}
		cases = append(cases,
			refused{with("--log-level", "debg"), `fix401: --log-level must be one of debug, info, warn or error; got "debg" (did you mean debug?)`},
			refused{with("--log-level", "Eror"), `fix401: --log-level must be one of debug, info, warn or error; got "Eror" (did you mean error?)`},
			refused{with("--log-level", "loud"), `fix401: --log-level must be one of debug, info, warn or error; got "loud"`},
			refused{with("--log-level", "trace"), `fix401: --log-level must be one of debug, info, warn or error; got "trace"`},
			refused{with("--log-format", "jsn"), `fix401: --log-format must be console or json; got "jsn" (did you mean json?)`},
			refused{with("--log-format", "consle"), `fix401: --log-format must be console or json; got "consle" (did you mean console?)`},
		)
	}
	cases = append(cases,
		refused{[]string{"help", "exit-code"}, `fix401: no help topic "exit-code" (did you mean exit-codes?)`},
		refused{[]string{"har", "sanitise", "x.har"}, `fix401: unknown command "sanitise" for "fix401 har" (did you mean sanitize?)`},
		refused{[]string{"dignose"}, `fix401: unknown command "dignose" for "fix401" (did you mean diagnose?)`},
	)
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, stdout, stderr := runBuffered(c.args, nil)
			first, _, _ := strings.Cut(stderr, "\n")
			if code != ExitUsage || first != c.want || stdout != "" {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 2 and first line:\n%s", code, stderr, c.want)
			}
			if strings.Contains(first, "trace") && !strings.Contains(stderr, "\nhint: debug is the most fix401 logs") {
				t.Errorf("trace refused without saying why:\n%s", stderr)
			}
		})
	}

	// Taken: any case, and warning for warn. Each command then fails on
	// what it checks next (a bad --host-rule, a missing file), never on
	// the flag.
	for _, path := range commandsWithFlag(t, "log-level") {
		for _, v := range [][2]string{{"--log-level", "DEBUG"}, {"--log-level", "Info"}, {"--log-level", "warning"}, {"--log-level", "WARNING"}, {"--log-format", "JSON"}, {"--log-format", "Console"}} {
			args := append(append(append([]string(nil), path...), v[0], v[1]), operand[path[0]]...)
			if path[0] != "analyze" {
				args = append(args, "--host-rule", "bogus")
			}
			t.Run("taken "+strings.Join(args, " "), func(t *testing.T) {
				_, _, stderr := runBuffered(args, nil)
				if strings.Contains(stderr, v[0]) || stderr == "" {
					t.Errorf("%s %s refused:\n%s", v[0], v[1], stderr)
				}
			})
		}
	}
}

// TestLogLevelAlias: the level a spelling stands for is the level logged.
func TestLogLevelAlias(t *testing.T) {
	for in, want := range map[string]string{"warning": "warn", "WARNING": "warn", "DEBUG": "debug", "Error": "error", " info ": "info"} {
		o := BrowserOptions{Timeout: 1, LogLevel: in, LogFormat: "JSON"}
		if err := o.validate(); err != nil || o.LogLevel != want || o.LogFormat != "json" {
			t.Errorf("%q: level %q, format %q, err %v; want %q", in, o.LogLevel, o.LogFormat, err, want)
		}
		io := &IO{Getenv: func(string) string { return "" }}
		if got := o.logger(io).GetLevel().String(); got != want {
			t.Errorf("%q logs at %s, want %s", in, got, want)
		}
	}
}
