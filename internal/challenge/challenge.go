package challenge

import (
	"strings"
)

// Challenge is one auth-scheme with its data, as offered by the server.
type Challenge struct {
	Scheme  string            `json:"scheme"`  // as sent (case kept)
	Params  map[string]string `json:"params"`  // names lower-cased, values unquoted & unescaped; never nil (empty map)
	Token68 *string           `json:"token68"` // nil when absent
	// Order lists the parameter names in the order the server sent them.
	Order []string `json:"param_order,omitempty"`
}

// Result is everything learned from one WWW-Authenticate (or
// Proxy-Authenticate) field, valid or not.
type Result struct {
	Valid      bool        `json:"valid"`
	Error      *string     `json:"error"`      // nil when valid; a short lowercase message saying what/where is wrong
	Challenges []Challenge `json:"challenges"` // never nil; on an invalid header, the challenges parsed before the error
	Warnings   []string    `json:"warnings"`   // never nil
}

// Parse parses one or more header field values (one argument per header
// line, in order) as one list, as RFC 9110 §5.3 says a recipient must when a
// field is repeated: a parameter list may even continue on the next line.
func Parse(fieldValues ...string) Result {
	return parse(fieldValues)
}

// Find returns the first challenge whose scheme matches, ignoring case
// (RFC 9110 §11.1: schemes are case-insensitive).
func (r Result) Find(scheme string) (Challenge, bool) {
	for _, c := range r.Challenges {
		if strings.EqualFold(c.Scheme, scheme) {
			return c, true
		}
	}
	return Challenge{}, false
}

// BearerError returns the RFC 6750 §3 error of the first Bearer challenge.
// description is error_description, followed by the error_uri and the
// required scope when the server sent them, because a technician needs all
// three to tell an expired token from a missing permission. Both are "" when
// there is no Bearer challenge or it carries no error information.
func (r Result) BearerError() (code, description string) {
	c, ok := r.Find("Bearer")
	if !ok {
		return "", ""
	}
	code = c.Params["error"]
	var parts []string
	if d := c.Params["error_description"]; d != "" {
		parts = append(parts, d)
	}
	if u := c.Params["error_uri"]; u != "" {
		parts = append(parts, "see "+u)
	}
	if s := c.Params["scope"]; s != "" {
		parts = append(parts, "required scope: "+s)
	}
	return code, strings.Join(parts, "; ")
}

// SplitHeaderLines splits a header value as Chrome DevTools reports it
// (repeated header lines joined with "\n") back into the separate field
// values, so that Parse can tell one line from the next. Empty lines carry no
// challenge and are dropped.
func SplitHeaderLines(v string) []string {
	lines := strings.Split(v, "\n")
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		l = strings.Trim(l, " \t\r")
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}
