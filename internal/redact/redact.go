// Package redact removes secrets from what fix401 writes: URLs, headers and
// free text. The rule is to keep names and shapes (so the evidence still
// reads) and replace values with [redacted].
package redact

import (
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
)

// Mark replaces every secret value.
const Mark = "[redacted]"

// sensitiveParams are query and fragment parameter names whose values are
// credentials in the wild (OAuth and PKCE, SAML, signed URLs, API keys,
// one-time codes, session ids of common frameworks).
var sensitiveParams = []string{
	"access_token", "id_token", "refresh_token", "token", "code", "code_verifier", "password", "passwd", "pwd",
	"pass", "pw", "secret", "client_secret", "key", "apikey", "api_key", "x-api-key", "sig", "signature", "auth",
	"authorization", "bearer", "credentials", "otp", "pin", "passcode", "hmac",
	"session", "sessionid", "sid", "phpsessid", "jsessionid", "jwt", "assertion", "samlresponse", "samlrequest",
	"samlart", "ticket", "x-amz-signature", "x-amz-credential", "x-amz-security-token", "x-goog-signature",
	"x-goog-credential", "state", "nonce",
	// SAML and WS-Federation: the IdP's reference to a sign-in in progress
	// (SimpleSAMLphp's AuthState), the SP's state, WS-Fed's context and token.
	"authstate", "relaystate", "wctx", "wresult", "session_state", "ctx", "user_code", "device_code",
}

// IsSensitiveParam reports whether a query parameter name carries a secret.
func IsSensitiveParam(name string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, s := range sensitiveParams {
		if n == s {
			return true
		}
	}
	for _, part := range []string{"token", "secret", "password", "credential", "session", "signature", "apikey", "api_key", "nonce"} {
		if strings.Contains(n, part) {
			return true
		}
	}
	return false
}

// randomLooking reports whether a value has the shape of a key or token
// whatever its name: long, from a token alphabet, with letters and digits
// mixed. Ordinary values (page=2, q=reports, lang=en-US) do not.
func randomLooking(v string) bool {
	if len(v) < 20 {
		return false
	}
	letters, digits := 0, 0
	for _, c := range v {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			letters++
		case c >= '0' && c <= '9':
			digits++
		case strings.ContainsRune("-_.~+/=%", c):
		default:
			return false
		}
	}
	return letters > 0 && digits >= 2
}

// CookieName returns a cookie's name with a random-looking tail replaced:
// some names carry a one-time value (mod_auth_openidc_state_<state>, a
// nonce, a session id), and the name is all of a cookie a report keeps.
// The word part stays ("mod_auth_openidc_state_[redacted]").
func CookieName(name string) string {
	for i := 1; i < len(name); i++ {
		if !strings.ContainsRune("_-.", rune(name[i-1])) {
			continue
		}
		if rest := name[i:]; oneTime(rest) {
			return name[:i] + Mark
		}
	}
	return name
}

// mixedCase reports letters whose case changes as a random value's does
// (a quarter to three quarters upper case), not as CamelCase words do.
func mixedCase(s string) bool {
	var up, letters int
	for _, c := range s {
		switch {
		case c >= 'A' && c <= 'Z':
			up++
			letters++
		case c >= 'a' && c <= 'z':
			letters++
		}
	}
	return letters >= 12 && up*4 >= letters && up*4 <= 3*letters
}

// oneTime reports whether s looks like a one-time value rather than a
// name: 16 or more token characters mixing at least two of lower case,
// upper case and digits, and not starting with a word ("openidc_state_…"
// goes on with words; "Ab3x_abcd_…" is random from its first segment).
func oneTime(s string) bool {
	if len(s) < 16 || !tokenChars(s) || classes(s) < 2 {
		return false
	}
	seg := s
	if j := strings.IndexAny(s, "_-."); j >= 0 {
		seg = s[:j]
	}
	return !(len(seg) >= 4 && classes(seg) == 1 && seg[0] >= 'a' && seg[0] <= 'z')
}

func tokenChars(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_.~", c)) {
			return false
		}
	}
	return true
}

// classes counts the kinds of characters s mixes: lower, upper, digits.
func classes(s string) int {
	var lo, up, di int
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z':
			lo = 1
		case c >= 'A' && c <= 'Z':
			up = 1
		case c >= '0' && c <= '9':
			di = 1
		}
	}
	return lo + up + di
}

// URL returns u with the password of its userinfo and the values of
// sensitive query and fragment parameters replaced, names kept. A URL that
// does not parse is redacted by its shape all the same: its userinfo and
// every parameter value that could be a secret go. Text that is not a URL
// comes back unchanged.
func URL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return rawURL(u)
	}
	if p.Scheme == "" {
		return u
	}
	if p.Host == "" && !strings.EqualFold(p.Scheme, "mailto") && strings.Contains(p.Opaque+strings.SplitN(strings.TrimLeft(p.Path, "/"), "/", 2)[0], "@") {
		// An authority Go did not read as one (http:/alice:pw@host/,
		// user:pw@proxy:3128): the part before the @ may be a password.
		return rawURL(u)
	}
	if p.User != nil {
		name := p.User.Username()
		if randomLooking(name) {
			name = Mark // a token given as the user name (https://TOKEN@host/)
		}
		if _, has := p.User.Password(); has {
			p.User = url.UserPassword(name, Mark)
		} else {
			p.User = url.User(name)
		}
	}
	p.RawQuery = params(p.RawQuery)
	if rp := Path(p.Path); rp != p.Path {
		p.RawPath = ""
		p.Path = rp
	}
	if strings.Contains(p.Path, ";") {
		// Path parameters (/app;jsessionid=…): Java servers put the
		// session there when cookies are off.
		p.RawPath = ""
		p.Path = pathParams(p.Path)
	}
	if strings.Contains(p.Fragment, "=") {
		p.RawFragment = ""
		p.Fragment = params(p.EscapedFragment())
		if f, err := url.PathUnescape(p.Fragment); err == nil {
			p.Fragment = f
		}
	} else if randomLooking(strings.TrimPrefix(p.Fragment, "/")) {
		// A bare token as the whole fragment (#eyJ…, a capability link's key).
		p.RawFragment, p.Fragment = "", Mark
	}
	return strings.ReplaceAll(p.String(), url.QueryEscape(Mark), Mark)
}

// Path replaces the path segments that look like one-time values (a
// provider's interaction id, a capability link's key, a session in the
// path): long, from a token alphabet, letters and digits mixed. Words,
// numbers and dates stay.
func Path(path string) string {
	if len(path) < 17 {
		return path
	}
	segs := strings.Split(path, "/")
	changed := false
	for i, seg := range segs {
		head, rest, hasParams := strings.Cut(seg, ";")
		if oneTime(head) && (randomLooking(head) || mixedCase(head)) {
			segs[i] = Mark
			if hasParams {
				segs[i] += ";" + rest
			}
			changed = true
		}
	}
	if !changed {
		return path
	}
	return strings.Join(segs, "/")
}

// pathParams redacts the ;name=value parameters of each path segment.
func pathParams(path string) string {
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		head, rest, ok := strings.Cut(seg, ";")
		if ok {
			segs[i] = head + ";" + strings.ReplaceAll(params(strings.ReplaceAll(rest, ";", "&")), "&", ";")
		}
	}
	return strings.Join(segs, "/")
}

// rawScheme is a scheme and the slashes after it, as typed: one, two,
// or backslashes.
var rawScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:[/\\]+`)

// rawURL redacts a URL that does not parse, by its shape: scheme://
// userinfo@ goes whole, and the part after ? or # is treated as
// parameters.
func rawURL(u string) string {
	rest, scheme := u, ""
	if m := rawScheme.FindString(u); m != "" {
		scheme, rest = m, u[len(m):]
	}
	// The authority ends at ? or #: a password may hold a slash, and a
	// URL that does not parse is no place to be precise.
	end := strings.IndexAny(rest, "?#")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
		rest = Mark + rest[at:]
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i+1] + params(rest[i+1:])
	}
	return scheme + rest
}

// Params redacts an a=b&c=d string (a query, a fragment, a form body) as
// URL redacts a URL's.
func Params(raw string) string { return params(raw) }

// params redacts an a=b&c=d string in place, keeping order, names and
// separators (& and ;, which some servers take too). A value goes when its
// name is sensitive or it looks random (see eachParam).
func params(raw string) string {
	if raw == "" {
		return raw
	}
	var b strings.Builder
	eachParam(raw, func(part, sep string, secret bool) {
		if secret {
			if name, _, has := strings.Cut(part, "="); has {
				part = name + "=" + Mark
			} else {
				part = Mark
			}
		}
		b.WriteString(part + sep)
	})
	return b.String()
}

// ParamSecrets returns the values params would redact in u's query,
// fragment and path parameters, as written and decoded: what a browser
// that requested u sent, and a page may show back in its title or text.
func ParamSecrets(u string) []string {
	var out []string
	add := func(v string) {
		if v != "" && v != Mark && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	// From the first ; (path parameters: /app;jsessionid=…), ? or #:
	// eachParam splits on all three.
	raw := ""
	if i := strings.IndexAny(u, ";?#"); i >= 0 {
		raw = u[i+1:]
	}
	eachParam(raw, func(part, _ string, secret bool) {
		if !secret {
			return
		}
		v := part
		if _, val, has := strings.Cut(part, "="); has {
			v = val
		}
		add(v)
		if d, err := url.QueryUnescape(v); err == nil {
			add(d)
		}
	})
	return out
}

// eachParam calls f for each part of a=b&c=d (the separators are & ; # ?
// and stray whitespace), with the separator after it, and whether its
// value is a secret: its name is sensitive, or it looks random. A name
// and its value split by whitespace ("token =v", "token= v") are read as
// one parameter, so that a stray space cannot sidestep the name.
func eachParam(raw string, f func(part, sep string, secret bool)) {
	pendingName := "" // a bare part just before, which may be a name
	pendingValue := false
	for raw != "" {
		part := raw
		sep := ""
		if i := strings.IndexAny(raw, "&;#? \t"); i >= 0 {
			part, sep, raw = raw[:i], raw[i:i+1], raw[i+1:]
		} else {
			raw = ""
		}
		name, value, has := strings.Cut(part, "=")
		dn := unescapeOr(name)
		secret := false
		switch {
		case has && strings.TrimSpace(name) == "" && pendingName != "":
			// "token =v": the name came before the space.
			secret = IsSensitiveParam(pendingName) || randomLooking(unescapeOr(value))
		case has:
			secret = IsSensitiveParam(dn) || randomLooking(unescapeOr(value))
		case pendingValue:
			// "token= v": the value comes after the space.
			secret = part != ""
		default:
			secret = randomLooking(part)
		}
		pendingName, pendingValue = "", false
		if strings.TrimSpace(sep) == "" && sep != "" {
			if !has {
				pendingName = dn
			} else if value == "" && IsSensitiveParam(dn) {
				pendingValue = true
			}
		}
		f(part, sep, secret)
	}
}

func unescapeOr(v string) string {
	if d, err := url.QueryUnescape(v); err == nil {
		return d
	}
	return v
}

// sensitiveHeaders carry credentials in every value.
var sensitiveHeaders = map[string]bool{
	"Authorization": true, "Proxy-Authorization": true, "Cookie": true, "Set-Cookie": true,
	"X-Api-Key": true, "X-Auth-Token": true, "X-Csrf-Token": true, "X-Xsrf-Token": true,
	"Cf-Access-Client-Secret": true, "X-Amz-Security-Token": true,
}

// IsSensitiveHeader reports whether a header's value is a secret.
func IsSensitiveHeader(name string) bool {
	return sensitiveHeaders[http.CanonicalHeaderKey(name)]
}

// HeaderValue returns the value to write for header name: for Authorization
// the scheme stays ("Basic [redacted]"), for cookies the names stay
// ("sid=[redacted]; theme=[redacted]"), for other secrets only the mark.
func HeaderValue(name, value string) string {
	switch http.CanonicalHeaderKey(name) {
	case "Authorization", "Proxy-Authorization":
		if scheme, _, ok := strings.Cut(strings.TrimSpace(value), " "); ok {
			return scheme + " " + Mark
		}
		return Mark
	case "Cookie":
		return cookiePairs(value, "; ")
	case "Set-Cookie":
		first, attrs, _ := strings.Cut(value, ";")
		out := cookiePairs(first, "; ")
		if attrs != "" {
			// A cookie's Path may hold a one-time value (a provider's
			// interaction id).
			parts := strings.Split(attrs, ";")
			for i, a := range parts {
				if k, v, ok := strings.Cut(a, "="); ok && strings.EqualFold(strings.TrimSpace(k), "path") {
					parts[i] = k + "=" + Path(v)
				}
			}
			out += ";" + strings.Join(parts, ";")
		}
		return out
	case "Location", "Referer", "Content-Location":
		return URL(value)
	}
	if IsSensitiveHeader(name) {
		return Mark
	}
	return value
}

func cookiePairs(v, sep string) string {
	var out []string
	for _, pair := range strings.Split(v, ";") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		name, _, ok := strings.Cut(pair, "=")
		if !ok {
			// A value with no name ("opaque; Path=/"): nothing of it stays.
			out = append(out, Mark)
			continue
		}
		out = append(out, CookieName(name)+"="+Mark)
	}
	return strings.Join(out, sep)
}

// Header returns a redacted copy of h.
func Header(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		for _, v := range vs {
			out.Add(k, HeaderValue(k, v))
		}
	}
	return out
}

var (
	urlInText   = regexp.MustCompile(`https?://[^\s"'<>]+`)
	paramInText = regexp.MustCompile(`\b[A-Za-z][A-Za-z0-9_.-]*=[^\s&;"'<>\[]+`)
)

// Literal masks every occurrence of each secret in s, however short: for
// text a server wrote after it was sent the secrets, which may echo them.
func Literal(s string, secrets ...string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = replaceWhole(s, sec)
		}
	}
	return s
}

// replaceWhole replaces sec in s where it stands as a whole: a secret that
// begins (ends) with a letter or digit is not taken from inside a longer
// word, so that the password "the" leaves "Either" as it is.
func replaceWhole(s, sec string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, sec)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := i + len(sec)
		inside := wordByte(sec[0]) && i > 0 && wordByte(s[i-1]) ||
			wordByte(sec[len(sec)-1]) && j < len(s) && wordByte(s[j])
		b.WriteString(s[:i])
		if inside {
			b.WriteString(sec[:1])
			s = s[i+1:]
			continue
		}
		b.WriteString(Mark)
		s = s[j:]
	}
}

// wordByte reports whether c continues a word (ASCII letters, digits, _;
// bytes of multi-byte letters count too).
func wordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80
}

// Text redacts every URL found in free text, and every literal secret given.
func Text(s string, secrets ...string) string {
	s = urlInText.ReplaceAllStringFunc(s, URL)
	// A parameter cut off its URL (a stray space) is still a parameter.
	s = paramInText.ReplaceAllStringFunc(s, func(m string) string {
		name, _, _ := strings.Cut(m, "=")
		if IsSensitiveParam(name) {
			return name + "=" + Mark
		}
		return m
	})
	for _, sec := range secrets {
		if len(sec) >= 3 {
			s = strings.ReplaceAll(s, sec, Mark)
		}
	}
	return s
}

// Strings masks secrets (as Literal does, whole words) in every string v
// holds, through pointers, structs, slices and maps; v must be a pointer.
// It is for a finished value of data, such as a report, whose every string
// may carry a secret that came in with it (a URL parameter from the
// environment), not for fix401's own sentences.
func Strings(v any, secrets ...string) {
	if len(secrets) == 0 {
		return
	}
	walk(reflect.ValueOf(v), func(s string) string { return Literal(s, secrets...) })
}

func walk(v reflect.Value, f func(string) string) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			walk(v.Elem(), f)
		}
	case reflect.Interface:
		if !v.IsNil() {
			// A value in an interface cannot be set in place: a copy.
			c := reflect.New(v.Elem().Type()).Elem()
			c.Set(v.Elem())
			return walk(c, f)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				if r := walk(v.Field(i), f); r.IsValid() && v.Field(i).CanSet() {
					v.Field(i).Set(r)
				}
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if r := walk(v.Index(i), f); r.IsValid() && v.Index(i).CanSet() {
				v.Index(i).Set(r)
			}
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			if r := walk(e, f); r.IsValid() {
				e.Set(r)
			}
			v.SetMapIndex(k, e)
		}
	case reflect.String:
		if v.CanSet() {
			v.SetString(f(v.String()))
			return v
		}
		return reflect.ValueOf(f(v.String())).Convert(v.Type())
	}
	return v
}
