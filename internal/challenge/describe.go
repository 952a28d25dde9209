package challenge

import (
	"fmt"
	"sort"
	"strings"
)

// Describe returns plain-English lines for a support technician: one per
// challenge, plus a last line when the header is empty or malformed. The
// wording says what the user or the machine has to do, because the reader is
// trying to fix a login, not to learn the protocol.
func Describe(r Result) []string {
	lines := make([]string, 0, len(r.Challenges)+1)
	for _, c := range r.Challenges {
		lines = append(lines, describeOne(c))
	}
	switch {
	case r.Error != nil:
		if len(r.Challenges) == 0 {
			lines = append(lines, "the header is malformed and no challenge could be read: "+*r.Error)
		} else {
			lines = append(lines, "the header is malformed after the challenges above, so a strict client may ignore all of it: "+*r.Error)
		}
	case len(r.Challenges) == 0:
		lines = append(lines, "no challenge: the server asked for authentication but did not say which method, so a browser cannot sign in")
	}
	return lines
}

func describeOne(c Challenge) string {
	head := c.Scheme
	if realm, ok := c.Params["realm"]; ok {
		head += fmt.Sprintf(", realm %q", realm)
	}
	switch strings.ToLower(c.Scheme) {
	case "basic":
		s := head + ": the browser should ask for a user name and password"
		if strings.EqualFold(c.Params["charset"], "UTF-8") {
			s += " (sent as UTF-8, so non-ASCII characters are fine)"
		}
		return s
	case "bearer":
		return describeBearer(c)
	case "negotiate":
		s := c.Scheme + ": Windows integrated authentication (Kerberos/NTLM); the machine must be on the domain or the site in the browser's intranet zone"
		if c.Token68 != nil {
			s += "; this one carries a token, so a handshake is in progress (if it repeats, the ticket was rejected — check the service principal name and clock skew)"
		}
		return s
	case "ntlm":
		s := c.Scheme + ": Windows NTLM authentication; the browser signs in silently only for sites in its intranet or trusted zone, otherwise it asks for DOMAIN\\user and password"
		if c.Token68 != nil {
			s += "; this one carries a token, so the handshake is in its second step (if the 401 repeats, the credentials were rejected or a proxy broke the connection)"
		}
		return s
	case "digest":
		return describeDigest(c, head)
	case "mutual":
		s := head + ": Mutual authentication (RFC 8120), password-based with the server proving itself too; mainstream browsers do not support it, a dedicated client is needed"
		if r, ok := c.Params["reason"]; ok {
			s += fmt.Sprintf(" (reason %q)", r)
		}
		return s
	case "hoba":
		return head + ": HTTP Origin-Bound Authentication (RFC 7486), which uses a key pair kept by the browser instead of a password; mainstream browsers do not support it"
	case "scram-sha-256", "scram-sha-1":
		return head + ": SCRAM (RFC 7804), a password login where the password itself is never sent; mainstream browsers do not support it, a dedicated client is needed"
	case "aws4-hmac-sha256":
		return c.Scheme + ": AWS Signature Version 4 — each request must be signed with an AWS access key by an SDK or tool; a browser cannot sign in with a password"
	}
	s := head + fmt.Sprintf(": unknown scheme %q; browsers ignore it, only an application that knows it can respond", c.Scheme)
	if names := otherParams(c.Params, "realm"); len(names) > 0 {
		s += " (parameters: " + strings.Join(names, ", ") + ")"
	}
	if c.Token68 != nil {
		s += " (with a token68)"
	}
	return s
}

func describeBearer(c Challenge) string {
	code := c.Params["error"]
	head := c.Scheme
	if code != "" {
		head += fmt.Sprintf(" error=%q", code)
	} else if realm, ok := c.Params["realm"]; ok {
		head += fmt.Sprintf(", realm %q", realm)
	}
	var s string
	switch code {
	case "":
		s = head + ": the server wants an OAuth 2.0 access token and none was accepted (usually none was sent) — the application must sign in; a browser will not show a password prompt"
	case "invalid_token":
		s = head + ": the access token was rejected (expired, revoked or malformed) — sign in again to get a new one"
	case "insufficient_scope":
		s = head + ": the access token is valid but lacks the permission this request needs — the account or app registration must be granted it, signing in again will not help"
	case "invalid_request":
		s = head + ": the request was malformed (token missing, sent twice or in the wrong place) — the client application is at fault, not the user"
	default:
		s = head + ": a non-standard OAuth error code; the server's documentation has to explain it"
	}
	if d := c.Params["error_description"]; d != "" {
		s += fmt.Sprintf("; server says %q", d)
	}
	if sc := c.Params["scope"]; sc != "" {
		s += fmt.Sprintf("; required scope %q", sc)
	}
	if u := c.Params["error_uri"]; u != "" {
		s += fmt.Sprintf("; details at %q", u)
	}
	return s
}

func describeDigest(c Challenge, head string) string {
	alg := c.Params["algorithm"]
	if alg == "" {
		alg = "MD5 (default)"
	}
	s := head + fmt.Sprintf(", algorithm %s", alg)
	if q, ok := c.Params["qop"]; ok {
		s += fmt.Sprintf(", qop %q", q)
	}
	s += ": the browser should ask for a user name and password; only a hash of the password is sent"
	switch a := strings.ToLower(c.Params["algorithm"]); {
	case strings.HasPrefix(a, "sha-512-256"):
		s += "; few browsers support SHA-512-256, so the prompt may never appear"
	case a != "" && !digestAlgorithms[a]:
		s += "; browsers do not know this algorithm and skip the challenge"
	}
	if _, ok := c.Params["nonce"]; !ok {
		s += "; without a nonce browsers skip the challenge"
	}
	if strings.EqualFold(c.Params["stale"], "true") {
		s += "; stale=true means the nonce expired, not that the password was wrong — a simple retry should work"
	}
	return s
}

// otherParams lists parameter names except the skipped ones, sorted so the
// output is stable.
func otherParams(params map[string]string, skip ...string) []string {
	var names []string
outer:
	for n := range params {
		for _, s := range skip {
			if n == s {
				continue outer
			}
		}
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
