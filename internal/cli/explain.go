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
Header lines pasted whole work too, several in one argument, as DevTools or
curl -v show them ("WWW-Authenticate: …", "< www-authenticate: …", CRLF or
LF between them): each WWW-Authenticate and Proxy-Authenticate line is
explained, and the other lines are skipped (stderr names them).
The exit code is 0 whenever the values could be read; "valid" says whether
the header follows the grammar.`,
		Example: `  fix401 explain -- 'Basic realm="Reports", charset="UTF-8"'
  fix401 explain --json -- 'Negotiate' 'NTLM'
  fix401 explain -- "$(curl -sI https://intranet.example/)"
  fix401 explain -- 'Bearer realm="api", error="invalid_token", error_description="expired"'`,
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return &ExitError{Code: ExitUsage, Err: fmt.Errorf("explain needs at least one header value"),
					Hint: `fix401 explain -- 'Basic realm="x"'`}
			}
			values, skipped := headerValues(args)
			if len(values) == 0 && len(skipped) > 0 {
				return &ExitError{Code: ExitUsage, Err: fmt.Errorf("no WWW-Authenticate or Proxy-Authenticate value among the %d %s given (%s)",
					len(skipped), checkNoun(len(skipped), "line", "lines"), strings.Join(skipped, ", ")),
					Hint: `paste the response's WWW-Authenticate lines, e.g. fix401 explain -- 'WWW-Authenticate: Basic realm="x"'`}
			}
			if len(skipped) > 0 {
				// Said, so that a line left out is not a mystery; the
				// values of what was left out are not repeated.
				fmt.Fprintf(io.ErrOut, "fix401: explaining %d %s; skipped %d other %s (%s)\n",
					len(values), checkNoun(len(values), "header value", "header values"),
					len(skipped), checkNoun(len(skipped), "line", "lines"), strings.Join(skipped, ", "))
			}
			if len(values) == 0 {
				return &ExitError{Code: ExitUsage, Err: fmt.Errorf("an empty header value has no challenge to explain"),
					Hint: `fix401 explain -- 'Basic realm="x"'`}
			}
			args = values
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

// headerValues reads the arguments as a person pastes them: one value
// each, or several header lines in one (as DevTools or curl -v show them,
// with CRLF, LF or CR, "< " before each). A "Name: value" line counts when
// the name is WWW-Authenticate or Proxy-Authenticate, and a bare line is a
// value; other header lines, status lines and curl's request ("> ") and
// info ("* ") lines are skipped, and named in skipped (never their
// values: a request line may carry credentials).
func headerValues(args []string) (values, skipped []string) {
	for _, a := range args {
		a = strings.ReplaceAll(a, "\r\n", "\n")
		a = strings.ReplaceAll(a, "\r", "\n")
		for _, line := range strings.Split(a, "\n") {
			line = strings.TrimSpace(line)
			if rest, ok := strings.CutPrefix(line, "<"); ok {
				line = strings.TrimSpace(rest) // curl -v: a response header
			}
			switch {
			case line == "":
				continue
			case strings.HasPrefix(line, ">"):
				skipped = append(skipped, "a request line")
				continue
			case strings.HasPrefix(line, "*"), strings.HasPrefix(line, "{"), strings.HasPrefix(line, "}"):
				skipped = append(skipped, "a curl message")
				continue
			case isStatusLine(line):
				skipped = append(skipped, "the status line")
				continue
			}
			name, value, named := headerName(line)
			switch {
			case !named:
				values = append(values, line)
			case strings.EqualFold(name, "WWW-Authenticate"), strings.EqualFold(name, "Proxy-Authenticate"):
				if value != "" {
					values = append(values, value)
				}
			default:
				skipped = append(skipped, name)
			}
		}
	}
	return values, skipped
}

// headerName splits "Name: value", or "Name<TAB>value" as a copied
// DevTools table row reads, when the text before the colon or tab is a
// header name (an RFC 9110 token). No challenge looks like that: a scheme
// is followed by a space (never a tab), a parameter name by "=", and ":"
// is in neither. A line that is only a name, with or without the colon,
// is a name whose value is on the next line.
func headerName(line string) (name, value string, ok bool) {
	i := strings.IndexAny(line, ":\t")
	if i < 0 {
		for _, n := range []string{"WWW-Authenticate", "Proxy-Authenticate"} {
			if strings.EqualFold(line, n) {
				return line, "", true
			}
		}
		return "", "", false
	}
	name = line[:i]
	if name == "" || line[i] == '\t' && slices.Contains(schemes, strings.ToLower(name)) {
		return "", "", false // a challenge with a tab, which the parser will point at
	}
	for j := 0; j < len(name); j++ {
		if !isTokenChar(name[j]) {
			return "", "", false
		}
	}
	return name, strings.TrimSpace(strings.TrimPrefix(line[i:], ":")), true
}

// schemes are the registered auth-schemes (IANA's HTTP Authentication
// Scheme Registry) and NTLM: "Basic<TAB>…" is a challenge spelt wrong,
// not a header named Basic.
var schemes = []string{"basic", "bearer", "concealed", "digest", "dpop", "gnap", "hoba", "mutual",
	"negotiate", "ntlm", "oauth", "privatetoken", "scram-sha-1", "scram-sha-256", "vapid"}

// isStatusLine recognises "HTTP/1.1 401 Unauthorized" and curl's "HTTP/2 401".
func isStatusLine(line string) bool {
	rest, ok := strings.CutPrefix(strings.ToUpper(line), "HTTP/")
	return ok && len(rest) > 0 && rest[0] >= '0' && rest[0] <= '9'
}

// isTokenChar says whether c may be in an RFC 9110 token.
func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
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
