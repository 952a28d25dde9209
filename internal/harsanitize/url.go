package harsanitize

import (
	"net/url"
	"strings"

	"github.com/fix401/fix401/internal/redact"
)

// inURL writes a replacement where a URL holds it: the brackets and the
// '#' of "[redacted:code#1]" would end the query and break the URL, so
// they are percent-encoded ("%5Bredacted:code%231%5D"). The decoded
// places (queryString, postData.params) show the plain form.
var inURL = strings.NewReplacer("[", "%5B", "]", "%5D", "#", "%23", " ", "%20")

// url returns u, absolute or relative (a Location is often
// "/callback?code=…"), with its secrets replaced by its structure: the
// password of its userinfo, one-time path segments and path parameters,
// sensitive and random-looking query and fragment parameters, JWTs, and
// URLs carried in parameters (a return URL with a code of its own).
// data:, blob:, javascript: and about: URLs come back as they are: they
// are content, not places for parameters (and a data: URL's base64 would
// look like one-time path segments).
func (s *sanitizer) url(u string) string {
	if u == "" {
		return u
	}
	if i := strings.IndexByte(u, ':'); i > 0 {
		switch strings.ToLower(u[:i]) {
		case "data", "blob", "javascript", "about", "mailto", "tel":
			return u
		}
	}
	rest, frag, hasFrag := strings.Cut(u, "#")
	base, query, hasQuery := strings.Cut(rest, "?")
	var b strings.Builder
	b.Grow(len(u))
	if i := strings.Index(base, "://"); i > 0 && validScheme(base[:i]) {
		b.WriteString(base[:i+3])
		auth := base[i+3:]
		end := strings.IndexByte(auth, '/')
		if end < 0 {
			end = len(auth)
		}
		authority := auth[:end]
		if at := strings.LastIndexByte(authority, '@'); at >= 0 {
			b.WriteString(s.userinfo(authority[:at]))
			authority = authority[at:]
		}
		b.WriteString(authority)
		base = auth[end:]
	}
	b.WriteString(s.path(base))
	if hasQuery {
		b.WriteByte('?')
		b.WriteString(s.params(query, true))
	}
	if hasFrag {
		b.WriteByte('#')
		b.WriteString(s.fragment(frag))
	}
	return b.String()
}

func validScheme(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return true
}

// userinfo replaces the password of user:password, and a user name that
// is a token (https://TOKEN@host/).
func (s *sanitizer) userinfo(ui string) string {
	user, pw, hasPw := strings.Cut(ui, ":")
	if du := unescape(user); redact.RandomLooking(du) {
		user = inURL.Replace(s.t.pseudo(du, KindToken))
	}
	if !hasPw {
		return user
	}
	return user + ":" + inURL.Replace(s.t.pseudo(unescape(pw), KindPassword))
}

// path replaces the segments that look like one-time values and the
// values of sensitive path parameters (/app;jsessionid=…: Java servers put
// the session there when cookies are off).
func (s *sanitizer) path(p string) string {
	if len(p) < 17 && !strings.Contains(p, ";") {
		return p
	}
	segs := strings.Split(p, "/")
	changed := false
	for i, seg := range segs {
		head, params, hasParams := strings.Cut(seg, ";")
		if dh := unescape(head); redact.OneTimeSegment(dh) {
			head = inURL.Replace(s.t.pseudo(dh, KindParam))
			changed = true
		}
		if hasParams {
			params = s.params(params, true)
			changed = true
			segs[i] = head + ";" + params
		} else {
			segs[i] = head
		}
	}
	if !changed {
		return p
	}
	return strings.Join(segs, "/")
}

// fragment redacts a fragment's parameters: the implicit flow's
// #access_token=…&id_token=…, and a single-page app's #/cb?code=….
func (s *sanitizer) fragment(f string) string {
	if i := strings.IndexByte(f, '?'); i >= 0 {
		return f[:i+1] + s.params(f[i+1:], true)
	}
	if strings.Contains(f, "=") {
		return s.params(f, true)
	}
	if redact.RandomLooking(unescape(f)) || isJWT(f) {
		return inURL.Replace(s.t.pseudo(unescape(f), KindToken))
	}
	return f
}

func isJWT(v string) bool {
	_, _, ok := stripJWT(v)
	return ok
}

// params redacts a=b&c=d (a query, a fragment, a form body) in place:
// names, order and separators (& and ;, which some servers take too)
// stay; a value goes as judge says. The pseudonym is the decoded value's,
// so that the URL, queryString and postData.params agree; the value as
// written is made an alias of it.
func (s *sanitizer) params(raw string, shape bool) string {
	if raw == "" {
		return raw
	}
	var b strings.Builder
	b.Grow(len(raw))
	for raw != "" {
		part, sep := raw, ""
		if i := strings.IndexAny(raw, "&;"); i >= 0 {
			part, sep, raw = raw[:i], raw[i:i+1], raw[i+1:]
		} else {
			raw = ""
		}
		name, val, has := strings.Cut(part, "=")
		switch {
		case has:
			dv := unescape(val)
			if r, ok := s.judge(unescape(name), dv, shape); ok {
				if isURL(dv) && !isPlaceholder(r) && !isJWT(dv) || embeddedJSON(dv) && !isPlaceholder(r) && val != dv {
					// A URL in a parameter (a return URL), or JSON, is
					// written encoded, as a browser sends it.
					part = name + "=" + url.QueryEscape(r)
				} else if embeddedJSON(dv) && !isPlaceholder(r) {
					// JSON as a tool wrote it, decoded: its secrets'
					// pseudonyms are encoded as in any URL.
					part = name + "=" + inURL.Replace(r)
				} else {
					part = name + "=" + inURL.Replace(r)
					if val != dv {
						s.t.alias(val, r, s.info(unescape(name)).kind)
					}
				}
			}
		case shape && (redact.RandomLooking(unescape(part)) || isJWT(part)):
			part = inURL.Replace(s.t.pseudo(unescape(part), KindParam))
		}
		b.WriteString(part)
		b.WriteString(sep)
	}
	return b.String()
}
