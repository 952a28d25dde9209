package challenge

import (
	"fmt"
	"sort"
	"strings"
)

// digestAlgorithms are the algorithm values registered by RFC 7616 §6.1;
// anything else makes browsers skip the challenge.
var digestAlgorithms = map[string]bool{
	"md5":              true,
	"md5-sess":         true,
	"sha-256":          true,
	"sha-256-sess":     true,
	"sha-512-256":      true,
	"sha-512-256-sess": true,
}

// bearerErrors are the error codes of RFC 6750 §3.1.
var bearerErrors = map[string]bool{
	"invalid_request":    true,
	"invalid_token":      true,
	"insufficient_scope": true,
}

// schemeWarnings checks the scheme-specific rules that browsers do not
// enforce: the header still works, but a deviation is worth showing because
// it often points at a misconfigured server or proxy. A challenge cut short
// by a syntax error is skipped so that its missing parts are not reported
// twice.
func schemeWarnings(p *parser) {
	for i, c := range p.res.Challenges {
		if !p.meta[i].complete {
			continue
		}
		w := func(format string, args ...any) {
			p.warn(fmt.Sprintf("challenge %d (%s): ", i+1, c.Scheme) + fmt.Sprintf(format, args...))
		}
		quoted := p.meta[i].quoted
		switch strings.ToLower(c.Scheme) {
		case "basic":
			if c.Token68 != nil {
				w("carries a token68; RFC 7617 defines only auth-params for Basic")
			}
			if _, ok := c.Params["realm"]; !ok {
				w("no realm; RFC 7617 §2 requires one")
			} else if !quoted["realm"] {
				w("realm is sent as a token; RFC 7617 §2 requires a quoted-string")
			}
			if cs, ok := c.Params["charset"]; ok && !strings.EqualFold(cs, "UTF-8") {
				w("charset %q; RFC 7617 §2.1 allows only \"UTF-8\"", cs)
			}
		case "digest":
			if c.Token68 != nil {
				w("carries a token68; RFC 7616 defines only auth-params for Digest")
			}
			if _, ok := c.Params["realm"]; !ok {
				w("no realm; RFC 7616 §3.3 requires one")
			}
			if _, ok := c.Params["nonce"]; !ok {
				w("no nonce; RFC 7616 §3.3 requires one, and browsers ignore the challenge without it")
			}
			if a, ok := c.Params["algorithm"]; ok && !digestAlgorithms[strings.ToLower(a)] {
				w("unknown algorithm %q; RFC 7616 §6.1 registers MD5, SHA-256 and SHA-512-256 (and their -sess variants)", a)
			}
			var unquoted []string
			for _, n := range []string{"realm", "domain", "nonce", "opaque", "qop"} {
				if _, ok := c.Params[n]; ok && !quoted[n] {
					unquoted = append(unquoted, n)
				}
			}
			if len(unquoted) > 0 {
				sort.Strings(unquoted)
				w("%s sent as a token; RFC 7616 §3.3 requires a quoted-string", strings.Join(unquoted, ", "))
			}
		case "bearer":
			if c.Token68 != nil {
				w("carries a token68; RFC 6750 §3 uses auth-params for Bearer challenges")
			}
			if e, ok := c.Params["error"]; ok && !bearerErrors[e] {
				w("unknown error code %q; RFC 6750 §3.1 defines invalid_request, invalid_token and insufficient_scope", e)
			}
		}
	}
}
