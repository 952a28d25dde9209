package harsanitize

import (
	"encoding/base64"
	"strings"

	"github.com/fix401/fix401/internal/redact"
)

// urlHeaders hold a URL (or, for :path, the path and query of one).
var urlHeaders = set("location", "content-location", "referer", ":path", "x-original-url", "x-rewrite-url",
	"x-forwarded-uri", "x-original-uri", "x-forwarded-url")

// header returns the value to write for a header: by its name, as
// redact.HeaderValue decides, but with pseudonyms and JWT claims kept.
func (s *sanitizer) header(name, v string) string {
	ln := strings.ToLower(strings.TrimSpace(name))
	switch {
	case ln == "authorization" || ln == "proxy-authorization":
		return s.authorization(v)
	case ln == "cookie":
		return s.cookieHeader(v)
	case ln == "set-cookie":
		// Firefox joins a response's Set-Cookie lines into one value
		// with newlines; other tools (and proxies folding the header)
		// with ", ".
		lines := strings.Split(v, "\n")
		for i, l := range lines {
			var b strings.Builder
			for l != "" {
				c, sep, rest := nextSetCookie(l)
				// Its attributes may echo a value too (Comment=<session>).
				r, _ := s.text(s.setCookie(c))
				b.WriteString(r)
				b.WriteString(sep)
				l = rest
			}
			lines[i] = b.String()
		}
		return strings.Join(lines, "\n")
	case urlHeaders[ln]:
		return s.url(v)
	case ln == "link":
		// <https://cdn.example/app.js?sig=…>; rel=preload, …
		var b strings.Builder
		for {
			i := strings.IndexByte(v, '<')
			if i < 0 {
				break
			}
			j := strings.IndexByte(v[i+1:], '>')
			if j < 0 {
				break
			}
			b.WriteString(v[:i+1])
			b.WriteString(s.url(v[i+1 : i+1+j]))
			v = v[i+1+j:]
		}
		b.WriteString(v)
		return b.String()
	case ln == "refresh":
		// "0; url=https://…"
		if i := strings.Index(strings.ToLower(v), "url="); i >= 0 {
			return v[:i+4] + s.url(v[i+4:])
		}
		return v
	case s.info(ln).header:
		if ordinary(v) || s.info(ln).descriptor && !redact.RandomLooking(v) && !redact.IsSensitiveHeader(ln) {
			return v
		}
		return s.t.pseudo(strings.TrimSpace(v), s.info(ln).kind)
	}
	if isURL(v) && strings.Contains(v, "://") {
		return s.url(v)
	}
	// A header that repeats a secret whole (a debug header echoing the
	// session) is that secret.
	if r, ok := s.known(strings.TrimSpace(v)); ok {
		return r
	}
	// Any other header is text that may carry a JWT or echo a secret
	// seen before (WWW-Authenticate's error_description quoting the
	// refused token, a debug header with the session).
	v, _ = s.text(v)
	return v
}

// sensitiveHeader reports a header whose value is a secret: the ones
// redact knows, any whose name would make a query parameter sensitive
// (X-Access-Token, X-Session-Id, X-Goog-Api-Key), and keys (Ocp-Apim-
// Subscription-Key).
func sensitiveHeader(ln string) bool {
	return redact.IsSensitiveHeader(ln) || redact.IsSensitiveParam(strings.ReplaceAll(ln, "-", "_")) ||
		strings.HasSuffix(ln, "-key")
}

// authorization keeps the scheme and replaces the credentials: Basic
// [redacted:authorization#1]; a bearer JWT keeps its header and claims.
// Basic's user:password and password are remembered too, so that a page
// echoing the password loses it.
func (s *sanitizer) authorization(v string) string {
	t := strings.TrimSpace(v)
	scheme, cred, ok := strings.Cut(t, " ")
	if !ok {
		return s.t.pseudo(t, KindAuthorization)
	}
	cred = strings.TrimSpace(cred)
	if cred == "" {
		return v
	}
	r := s.t.pseudo(cred, KindAuthorization)
	if strings.EqualFold(scheme, "basic") {
		dec, err := base64.StdEncoding.DecodeString(cred)
		if err != nil {
			dec, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(cred, "="))
		}
		if err == nil {
			pair := string(dec)
			s.t.alias(pair, r, KindAuthorization)
			if _, pw, ok := strings.Cut(pair, ":"); ok && pw != "" {
				s.t.assign(pw, KindPassword)
			}
		}
	}
	return scheme + " " + r
}

// cookieHeader replaces the value of each pair of a Cookie header.
func (s *sanitizer) cookieHeader(v string) string {
	pairs := strings.Split(v, ";")
	for i, p := range pairs {
		lead := p[:len(p)-len(strings.TrimLeft(p, " \t"))]
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		name, val, ok := strings.Cut(p, "=")
		if !ok {
			// A value with no name: all of it is the value.
			pairs[i] = lead + s.cookieValue(p)
			continue
		}
		pairs[i] = lead + cookieName(strings.TrimSpace(name)) + "=" + s.cookieValue(val)
	}
	return strings.Join(pairs, ";")
}

// nextSetCookie cuts the first cookie off Set-Cookie values folded into
// one line with commas ("a=1; Path=/, b=2; Path=/"): a comma ends a
// cookie when what follows it is a cookie's name and "=". The comma of a
// date ("Expires=Wed, 21 Oct 2026 07:28:00 GMT") is followed by a day
// number and a space, not by a name and "=", and stays inside its cookie.
func nextSetCookie(l string) (cookie, sep, rest string) {
	from := 0
	for {
		i := strings.IndexByte(l[from:], ',')
		if i < 0 {
			return l, "", ""
		}
		i += from
		j := i + 1
		for j < len(l) && (l[j] == ' ' || l[j] == '\t') {
			j++
		}
		k := j
		for k < len(l) && cookieNameByte(l[k]) {
			k++
		}
		if k > j && k < len(l) && l[k] == '=' {
			return l[:i], l[i:j], l[j:]
		}
		from = i + 1
	}
}

// cookieNameByte is a byte of an RFC 6265 cookie name (an RFC 7230
// token).
func cookieNameByte(c byte) bool {
	return c > ' ' && c < 0x7f && !strings.ContainsRune("()<>@,;:\\\"/[]?={}", rune(c))
}

// setCookie replaces a Set-Cookie line's value; its attributes stay (a
// cookie's Path, Domain, Secure and SameSite often explain why the browser
// did not send it back), but a Path may hold a one-time value.
func (s *sanitizer) setCookie(line string) string {
	first, attrs, hasAttrs := strings.Cut(line, ";")
	out := s.cookieHeader(first)
	if !hasAttrs {
		return out
	}
	parts := strings.Split(attrs, ";")
	for i, a := range parts {
		if k, v, ok := strings.Cut(a, "="); ok && strings.EqualFold(strings.TrimSpace(k), "path") {
			parts[i] = k + "=" + s.path(v)
		}
	}
	return out + ";" + strings.Join(parts, ";")
}

// cookieValue returns a cookie value's pseudonym, quotes kept.
func (s *sanitizer) cookieValue(v string) string {
	t := strings.TrimSpace(v)
	if len(t) >= 2 && t[0] == '"' && t[len(t)-1] == '"' {
		return `"` + s.t.pseudo(t[1:len(t)-1], KindCookie) + `"`
	}
	return s.t.pseudo(t, KindCookie)
}

// cookieName is redact.CookieName: a name with a one-time tail
// (mod_auth_openidc_state_<state>) keeps its words.
func cookieName(name string) string { return redact.CookieName(name) }
