package cli

import (
	"encoding/json"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestHeaderValues: pasted header lines, as DevTools, curl -v or a log
// show them, become the values to explain; other lines are named, never
// quoted.
func TestHeaderValues(t *testing.T) {
	cases := []struct {
		name          string
		in            []string
		values, skips []string
	}{
		{"one value", []string{`Basic realm="a"`}, []string{`Basic realm="a"`}, nil},
		{"one argument a line", []string{`Basic realm="a"`, "Negotiate"}, []string{`Basic realm="a"`, "Negotiate"}, nil},
		{"CRLF", []string{"WWW-Authenticate: Basic realm=\"a\"\r\nWWW-Authenticate: Negotiate"}, []string{`Basic realm="a"`, "Negotiate"}, nil},
		{"LF", []string{"WWW-Authenticate: Basic realm=\"a\"\nWWW-Authenticate: Negotiate\n"}, []string{`Basic realm="a"`, "Negotiate"}, nil},
		{"CR", []string{"WWW-Authenticate: Basic realm=\"a\"\rWWW-Authenticate: Negotiate"}, []string{`Basic realm="a"`, "Negotiate"}, nil},
		{"DevTools value", []string{"Basic realm=\"a\"\nNTLM"}, []string{`Basic realm="a"`, "NTLM"}, nil},
		{"curl -v", []string{"< HTTP/1.1 401 Unauthorized\r\n< Content-Type: text/html\r\n< WWW-Authenticate: Basic realm=\"a\"\r\n< \r\n"},
			[]string{`Basic realm="a"`}, []string{"the status line", "Content-Type"}},
		{"curl -v HTTP/2", []string{"> GET / HTTP/2\n> authorization: Basic c2VjcmV0\n* Connection #0\n< HTTP/2 401\n< www-authenticate: Negotiate\n< proxy-authenticate: Basic realm=\"p\"\n{ [5 bytes data]"},
			[]string{"Negotiate", `Basic realm="p"`}, []string{"a request line", "a request line", "a curl message", "the status line", "a curl message"}},
		{"DevTools table rows", []string{"www-authenticate\tBasic realm=\"a\"\ndate\tMon"}, []string{`Basic realm="a"`}, []string{"date"}},
		{"name on its own line", []string{"WWW-Authenticate:\nBasic realm=\"a\"\nWWW-Authenticate\nNegotiate"}, []string{`Basic realm="a"`, "Negotiate"}, nil},
		{"colons in a value", []string{`Bearer realm="https://a.example:8443/x", error_uri="urn:x"`}, []string{`Bearer realm="https://a.example:8443/x", error_uri="urn:x"`}, nil},
		{"a tab in a challenge", []string{"Basic\trealm=\"a\""}, []string{"Basic\trealm=\"a\""}, nil},
		{"indented", []string{"   WWW-Authenticate: Negotiate   \n\t"}, []string{"Negotiate"}, nil},
		{"only other headers", []string{"Content-Type: text/html\nDate: today"}, nil, []string{"Content-Type", "Date"}},
		{"nothing", []string{" \r\n "}, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			values, skips := headerValues(c.in)
			if !slices.Equal(values, c.values) || !slices.Equal(skips, c.skips) {
				t.Errorf("headerValues(%q)\n = %q, skipped %q\nwant %q, skipped %q", c.in, values, skips, c.values, c.skips)
			}
		})
	}
}

// internalNames are words of the code that a person must never read in
// fix401's messages: Go identifiers (SplitHeaderLines) and the like.
var internalNames = regexp.MustCompile(`SplitHeaderLines|[a-z][a-z0-9]*[A-Z][A-Za-z0-9]*\(|\b[A-Z][a-z]+[A-Z][A-Za-z]+\b|DevTools values`)

// TestExplainPastedLines: whatever mix of header lines a person pastes
// (several per argument, any line ending, curl's prefixes, other headers,
// a broken one among them), explain answers in words with no internal
// names: exit 0 with each value explained, or exit 2 with one error line.
func TestExplainPastedLines(t *testing.T) {
	lines := []string{
		`WWW-Authenticate: Basic realm="Reports", charset="UTF-8"`,
		`< www-authenticate: Negotiate`,
		`WWW-Authenticate: NTLM`,
		`Proxy-Authenticate: Basic realm="proxy"`,
		`Bearer realm="api", error="invalid_token", error_description="expired"`,
		`< HTTP/1.1 401 Unauthorized`,
		`Content-Type: text/html`,
		`> Authorization: Basic c2VjcmV0cGFzcw==`,
		`* Connection #0 to host left intact`,
		`WWW-Authenticate: Basic realm="unterminated`,
		`WWW-Authenticate: Digest realm="a", nonce="n", qop="auth", algorithm=SHA-256`,
		`Basic realm="a", realm="b"`,
		"WWW-Authenticate: Basic realm=\"a\" \x01",
		``,
	}
	seps := []string{"\r\n", "\n", "\r", "\n\n"}
	rng := rand.New(rand.NewPCG(401, 1))
	inputs := [][]string{
		{"WWW-Authenticate: Basic realm=\"a\"\r\nWWW-Authenticate: Negotiate"},
		{"Basic realm=\"a\nb\""},
		{"Basic realm=\"a\r\nb\""},
		{"Content-Type: text/html"},
		{"\r\n"},
	}
	for range 200 {
		var arg []string
		var b strings.Builder
		for i := range 1 + rng.IntN(5) {
			if i > 0 {
				b.WriteString(seps[rng.IntN(len(seps))])
			}
			b.WriteString(lines[rng.IntN(len(lines))])
		}
		arg = append(arg, b.String())
		if rng.IntN(3) == 0 {
			arg = append(arg, lines[rng.IntN(len(lines))])
		}
		inputs = append(inputs, arg)
	}
	for _, in := range inputs {
		for _, asJSON := range []bool{false, true} {
			args := []string{"explain", "--"}
			if asJSON {
				args = []string{"explain", "--json", "--"}
			}
			code, stdout, stderr := runBuffered(append(args, in...), nil)
			if m := internalNames.FindString(stdout + stderr); m != "" {
				t.Errorf("explain %q: %q in the output:\n%s%s", in, m, stdout, stderr)
			}
			if strings.Contains(stdout+stderr, "c2VjcmV0cGFzcw") {
				t.Errorf("explain %q repeats a request's credentials:\n%s%s", in, stdout, stderr)
			}
			switch code {
			case ExitOK:
				if asJSON {
					var res struct {
						Valid      bool
						Challenges []any
					}
					if err := json.Unmarshal([]byte(stdout), &res); err != nil || len(res.Challenges) == 0 && res.Valid {
						t.Errorf("explain --json %q: %v\n%s", in, err, stdout)
					}
				} else if !strings.HasPrefix(stdout, "valid: ") && !strings.HasPrefix(stdout, "invalid: ") {
					t.Errorf("explain %q:\n%s", in, stdout)
				}
			case ExitUsage:
				errLines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
				if !strings.HasPrefix(errLines[0], "fix401: ") || len(errLines) > 2 || len(errLines) == 2 && !strings.HasPrefix(errLines[1], "hint: ") {
					t.Errorf("explain %q: not one error line (and a hint):\n%s", in, stderr)
				}
			default:
				t.Errorf("explain %q: exit %d\n%s", in, code, stderr)
			}
		}
	}
}

// TestExplainTwoPastedLines is the tester's case: two header lines in one
// argument, each explained.
func TestExplainTwoPastedLines(t *testing.T) {
	code, stdout, stderr := runBuffered([]string{"explain", "--", "WWW-Authenticate: Basic realm=\"a\"\r\nWWW-Authenticate: Negotiate"}, nil)
	if code != ExitOK || !strings.HasPrefix(stdout, "valid: 2 challenge(s)\n") || stderr != "" ||
		!strings.Contains(stdout, "\n1. Basic\n   realm = \"a\"\n") || !strings.Contains(stdout, "\n2. Negotiate\n") ||
		!strings.Contains(stdout, "Negotiate: Windows integrated authentication") {
		t.Errorf("exit %d\n%s%s", code, stdout, stderr)
	}
}
