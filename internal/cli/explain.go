package cli

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fix401/fix401/internal/challenge"
)

func newExplainCmd(io *IO) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "explain [--json] -- VALUE...",
		Short: "Parse and explain WWW-Authenticate values, without a browser",
		Long: `Parses the given WWW-Authenticate (or Proxy-Authenticate) values per RFC 9110 §11,
one argument per header line, and explains each challenge in plain words.
The exit code is 0 whenever the values could be read; "valid" says whether
the header follows the grammar.`,
		Example: `  fix401 explain -- 'Basic realm="Reports", charset="UTF-8"'
  fix401 explain --json -- 'Negotiate' 'NTLM'
  fix401 explain -- 'Bearer realm="api", error="invalid_token", error_description="expired"'`,
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return &ExitError{Code: ExitUsage, Err: fmt.Errorf("explain needs at least one header value"),
					Hint: `fix401 explain -- 'Basic realm="x"'`}
			}
			// A line pasted whole, with its name, is read as its value.
			for i, a := range args {
				for _, name := range []string{"www-authenticate:", "proxy-authenticate:"} {
					if len(a) >= len(name) && strings.EqualFold(a[:len(name)], name) {
						args[i] = strings.TrimSpace(a[len(name):])
					}
				}
			}
			if strings.TrimSpace(strings.Join(args, "")) == "" {
				return &ExitError{Code: ExitUsage, Err: fmt.Errorf("an empty header value has no challenge to explain"),
					Hint: `fix401 explain -- 'Basic realm="x"'`}
			}
			res := challenge.Parse(args...)
			if asJSON {
				enc := json.NewEncoder(io.Out)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(res)
			}
			printExplanation(io, res)
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, `print {"valid","error","challenges","warnings"} as JSON`)
	return c
}

func printExplanation(io *IO, res challenge.Result) {
	w := io.Out
	if res.Valid {
		fmt.Fprintf(w, "valid: %d challenge(s)\n", len(res.Challenges))
	} else {
		fmt.Fprintf(w, "invalid: %s\n", *res.Error)
	}
	for i, c := range res.Challenges {
		fmt.Fprintf(w, "\n%d. %s\n", i+1, c.Scheme)
		if c.Token68 != nil {
			fmt.Fprintf(w, "   token68: %s\n", *c.Token68)
		}
		// In the server's order: that is how the header reads.
		keys := c.Order
		if len(keys) != len(c.Params) {
			keys = slices.Sorted(maps.Keys(c.Params))
		}
		for _, k := range keys {
			fmt.Fprintf(w, "   %s = %q\n", k, c.Params[k])
		}
	}
	if lines := challenge.Describe(res); len(lines) > 0 {
		fmt.Fprintln(w)
		for _, l := range lines {
			fmt.Fprintf(w, "%s\n", strings.TrimSpace(l))
		}
	}
	for _, warn := range res.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
}
