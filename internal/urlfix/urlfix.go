// Package urlfix proposes corrected versions of a URL a person typed or
// pasted: the "check the URL" advice of every 401 help article, made
// mechanical. It only proposes; the url-check step loads them.
package urlfix

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/fix401/fix401/internal/redact"
)

// Candidate is a corrected URL and what was corrected.
type Candidate struct {
	URL string
	Why string
}

var (
	doubledScheme = regexp.MustCompile(`^(?i)(https?://)+(https?://)`)
	trailingJunk  = regexp.MustCompile(`(?:[)\].,;:!'">]|%20|%22|%27|%29|%3E)+$`)
	slashes       = regexp.MustCompile(`/{2,}`)
)

// Candidates returns corrected URLs for raw, best guess first, without
// duplicates and without raw itself. Fixes build on each other: a pasted
// "https://https://Intranet/Reports//q3)." gives one candidate with all of
// them applied, then the single fixes.
func Candidates(raw string) []Candidate {
	var out []Candidate
	seen := map[string]bool{normal(raw): true}
	add := func(u, why string) {
		n := normal(u)
		if u == "" || seen[n] {
			return
		}
		if p, err := url.Parse(u); err != nil || p.Host == "" || (p.Scheme != "http" && p.Scheme != "https") {
			return
		}
		seen[n] = true
		out = append(out, Candidate{URL: u, Why: why})
	}

	// Typing and pasting mistakes, applied together: each is certainly a
	// mistake, so the combination is the best guess.
	cleaned, whys := raw, []string{}
	step := func(f func(string) string, why string) {
		if c := f(cleaned); c != cleaned {
			cleaned = c
			whys = append(whys, why)
		}
	}
	step(strings.TrimSpace, "removed stray whitespace")
	step(func(s string) string { return doubledScheme.ReplaceAllString(s, "$2") }, "removed a doubled scheme")
	step(func(s string) string { return strings.ReplaceAll(s, `\`, "/") }, "turned backslashes into slashes")
	step(stripTrailing, "removed trailing punctuation")
	step(collapseSlashes, "collapsed doubled slashes")
	step(lowerHost, "lower-cased the host")
	if len(whys) > 0 {
		add(cleaned, strings.Join(whys, ", "))
	}

	// Guesses that may or may not be right: each is tried on the cleaned URL.
	if u, err := url.Parse(cleaned); err == nil && u.Host != "" {
		if u.Scheme == "http" {
			v := *u
			v.Scheme = "https"
			add(v.String(), "switched http to https")
		}
		if lp := strings.ToLower(u.Path); lp != u.Path {
			v := *u
			v.Path, v.RawPath = lp, ""
			add(v.String(), "lower-cased the path")
		}
		if host := u.Hostname(); net.ParseIP(host) == nil && strings.Contains(host, ".") {
			v := *u
			if strings.HasPrefix(strings.ToLower(host), "www.") {
				v.Host = strings.Replace(v.Host, host, host[4:], 1)
				add(v.String(), "removed www.")
			} else {
				v.Host = "www." + v.Host
				add(v.String(), "added www.")
			}
		}
	}
	return out
}

func stripTrailing(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return trailingJunk.ReplaceAllString(s, "")
	}
	// Only the end of the whole URL is junk; inside the path ")" is legal.
	switch {
	case u.Fragment != "":
		u.Fragment = trailingJunk.ReplaceAllString(u.Fragment, "")
		u.RawFragment = ""
	case u.RawQuery != "":
		u.RawQuery = trailingJunk.ReplaceAllString(u.RawQuery, "")
	default:
		p := trailingJunk.ReplaceAllString(u.EscapedPath(), "")
		if up, err := url.PathUnescape(p); err == nil {
			u.Path, u.RawPath = up, ""
		}
		if u.Path == "" {
			u.Path = "/"
		}
	}
	return u.String()
}

func collapseSlashes(s string) string {
	u, err := url.Parse(s)
	if err != nil || !strings.Contains(u.Path, "//") {
		return s
	}
	u.Path = slashes.ReplaceAllString(u.Path, "/")
	u.RawPath = ""
	return u.String()
}

func lowerHost(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	u.Host = strings.ToLower(u.Host)
	return u.String()
}

// normal is the form in which two URLs that load the same are equal.
func normal(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return s
	}
	u.Host = strings.ToLower(u.Host)
	if u.Path == "" {
		u.Path = "/"
	}
	return u.String()
}

// Parents returns the URL's parent folders, nearest first, ending at "/":
// where the protected area starts is found by walking up them.
func Parents(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil
	}
	u.RawQuery, u.Fragment, u.RawFragment = "", "", ""
	p := strings.TrimSuffix(u.Path, "/")
	var out []string
	for p != "" {
		i := strings.LastIndex(p, "/")
		if i < 0 {
			break
		}
		p = p[:i]
		v := *u
		v.Path, v.RawPath = p+"/", ""
		out = append(out, v.String())
	}
	return out
}

// SchemeError is a URL whose scheme is not http or https.
type SchemeError struct{ Scheme string }

func (e *SchemeError) Error() string { return fmt.Sprintf("unsupported scheme %q", e.Scheme) }

// Normalize applies fix401's rules for a target URL: http or https
// with a host, and https:// added when the scheme is missing. The messages
// leave the URL out because the caller says which value it was.
// MaxURL is the longest URL fix401 takes.
const MaxURL = 32 << 10

func Normalize(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	// Messages quote the URL without its userinfo or secret parameters:
	// a malformed URL may still carry a password.
	shown := s
	if strings.ContainsAny(s, "@?#;") {
		shown = redact.URL(s) // which would also tidy "http://" into "http:"
	}
	if s == "" {
		return "", errors.New("empty URL")
	}
	if len(s) > MaxURL {
		// Servers refuse far shorter ones (8 KiB is common); a URL this
		// long is a paste gone wrong, and quoting it would flood the
		// terminal.
		return "", fmt.Errorf("the URL is %d KiB long; fix401 takes URLs of up to %d KiB", len(s)>>10, MaxURL>>10)
	}
	if !strings.Contains(s, "://") {
		if strings.ContainsAny(s, " \t") || strings.HasPrefix(s, "/") || strings.Contains(s, ":") && !strings.Contains(strings.SplitN(s, "/", 2)[0], ".") && !strings.HasPrefix(s, "localhost") {
			return "", fmt.Errorf("%q is not a URL", shown)
		}
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		if ue, ok := err.(*url.Error); ok {
			err = ue.Err
		}
		if i := strings.Index(s, "%"); i > 0 && strings.Contains(s[:i], "[") && !strings.Contains(s[:i], "]") {
			// fe80::1%eth0 unescaped: Go stops at the bad escape; say what it is.
			return "", fmt.Errorf("malformed URL %q: an IPv6 zone is not allowed in a web address", shown)
		}
		return "", fmt.Errorf("malformed URL %q: %v", shown, err)
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	default:
		return "", &SchemeError{Scheme: u.Scheme}
	}
	if u.Host == "" || u.Hostname() == "" {
		return "", fmt.Errorf("malformed URL %q: no host", shown)
	}
	if strings.Contains(u.Hostname(), "%") {
		// An IPv6 zone (fe80::1%eth0) names this machine's interface:
		// browsers refuse such URLs, and no site is reached by one.
		return "", fmt.Errorf("malformed URL %q: an IPv6 zone (%%%s) is not allowed in a web address", shown, u.Hostname()[strings.Index(u.Hostname(), "%")+1:])
	}
	if strings.ContainsAny(u.Hostname(), " \t<>\"{}|^`") {
		return "", fmt.Errorf("malformed URL %q: bad host %q", shown, u.Hostname())
	}
	if port := u.Port(); port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("malformed URL %q: bad port %q", shown, port)
		}
	}
	return s, nil
}
