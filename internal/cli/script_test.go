package cli

import (
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"context"
	"fmt"
	"github.com/fix401/fix401/reports"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/fix401/fix401/internal/lab"
)

// The CLI is tested as scripts of commands with their expected output and
// exit codes (testdata/script/*.txtar), each against a lab of its own.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"fix401": func() { os.Exit(Main()) },
		// expect-exit CODE fix401 ARGS… runs fix401 and fails unless it
		// exits with CODE: testscript's "! exec" cannot tell 2 from 11.
		"expect-exit": func() {
			want, err := strconv.Atoi(os.Args[1])
			if err != nil || len(os.Args) < 3 || os.Args[2] != "fix401" {
				fmt.Fprintln(os.Stderr, "usage: expect-exit CODE fix401 ARGS…")
				os.Exit(2)
			}
			ctx, stop := interruptContext(context.Background())
			got := Run(ctx, os.Args[3:], SystemIO())
			stop()
			if got != want {
				fmt.Fprintf(os.Stderr, "expect-exit: fix401 exited %d, want %d\n", got, want)
				os.Exit(1)
			}
			os.Exit(0)
		},
	})
}

func TestScripts(t *testing.T) {
	schema, err := reports.CompileSchema()
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: "../../testdata/script",
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// report-valid FILE... checks report.json files against the
			// schema the product ships: every report the scripts write.
			"report-valid": func(ts *testscript.TestScript, neg bool, args []string) {
				for _, f := range args {
					inst, err := jsonschema.UnmarshalJSON(strings.NewReader(ts.ReadFile(f)))
					if err == nil {
						err = schema.Validate(inst)
					}
					if (err != nil) != neg {
						ts.Fatalf("%s: %v", f, err)
					}
				}
			},
		},
		Setup: func(env *testscript.Env) error {
			ln, err := lab.Listen("127.0.0.1:0")
			if err != nil {
				return err
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- lab.Serve(ctx, ln, lab.New()) }()
			env.Defer(func() { cancel(); <-done })
			env.Setenv("LAB", "http://"+ln.Addr().String())
			env.Setenv("NO_COLOR", "1")
			for _, k := range []string{"FIX401_CHROME", "PATH", "HOME", "TMPDIR"} {
				if v := os.Getenv(k); v != "" {
					env.Setenv(k, v)
				}
			}
			return nil
		},
	})
}

// TestScriptsHaveNoCommandsInFiles: in a txtar, everything after the first
// "-- name --" line is a file; a command written below one never runs (two
// blocks of usage.txtar were dead that way), so none may be there.
func TestScriptsHaveNoCommandsInFiles(t *testing.T) {
	paths, err := filepath.Glob("../../testdata/script/*.txtar")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, p := range paths {
		a, err := txtar.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range a.Files {
			for i, line := range strings.Split(string(f.Data), "\n") {
				for _, cmd := range []string{"expect-exit ", "exec fix401", "stdout '", "stderr '"} {
					if strings.HasPrefix(line, cmd) {
						t.Errorf("%s: file %s, line %d is a command that never runs: %s", filepath.Base(p), f.Name, i+1, line)
					}
				}
			}
		}
	}
}
