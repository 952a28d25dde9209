package har

import (
	"cmp"
	"encoding/base64"
	"html"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/redact"
)

// Shortest values scrubbed everywhere. A caller's secret counts from 3
// characters, as in redact.Text. Values fix401 only presumes to be secrets
// (cookie values, token parameters) need more: scrubbing "en" or "1" from
// every string would ruin the evidence and protect nothing.
const (
	minSecret  = 3
	minDerived = 6
	minCookie  = 8
	// base64 of a secret at another offset inside a longer blob is only
	// recognisable from its middle; shorter middles match by chance.
	minShifted = 8
)

// sanitizer redacts by structure (header, cookie and URL values) while the
// entries are built, then scrubs literal secrets from every string.
type sanitizer struct {
	on      bool // structural redaction; off only when Unsanitized
	secrets *regexp.Regexp
	forms   map[string]bool // every form of every secret, for whole matches
	// noBodies: a supplied secret is too short to be found in free text
	// without garbling it ("ab" is in every other word), so no body is kept:
	// a page may echo the password, and the HAR cannot mask it.
	noBodies bool
}

func newSanitizer(reqs []*browser.Request, o Options) *sanitizer {
	s := &sanitizer{on: !o.Unsanitized}
	set := map[string]bool{}
	for _, sec := range o.Secrets {
		addForms(set, sec)
		if sec != "" && len(sec) < minSecret {
			s.noBodies = true
		}
	}
	if s.on {
		for _, q := range reqs {
			if q == nil {
				continue
			}
			for _, hop := range q.Redirects {
				if hop != nil {
					collect(set, hop)
				}
			}
			collect(set, q)
		}
	}
	s.forms = set
	var olds []string
	for v := range set {
		olds = append(olds, v)
	}
	// Longest first: the replacer tries its strings in order, and
	// "alice:wonderland" must win over "wonderland" where both match.
	slices.SortFunc(olds, func(a, b string) int {
		return cmp.Or(len(b)-len(a), strings.Compare(a, b))
	})
	if len(olds) > 0 {
		// One expression, alternatives longest first (Go's alternation is
		// leftmost-first): a whole-word secret is bounded by \b where it
		// begins or ends with a word character.
		alts := make([]string, 0, len(olds))
		for _, v := range olds {
			a := regexp.QuoteMeta(v)
			if set[v] && wordChar(v[0]) {
				a = `\b` + a
			}
			if set[v] && wordChar(v[len(v)-1]) {
				a += `\b`
			}
			alts = append(alts, a)
		}
		s.secrets = regexp.MustCompile(strings.Join(alts, "|"))
	}
	return s
}

// put adds v to set; whole says whether it is masked only as a whole word
// (not where letters or digits go on either side of it). Found both ways,
// it is masked everywhere.
func put(set map[string]bool, v string, whole bool) {
	if had, ok := set[v]; ok {
		whole = had && whole
	}
	set[v] = whole
}

// wordChar reports whether c continues a word, as regexp's \b sees it.
func wordChar(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// collect adds the secret values q carries to set: credentials, cookie
// values, sensitive header values and token parameters, so that they go
// wherever else they turn up (an error page that echoes them).
func collect(set map[string]bool, q *browser.Request) {
	for _, v := range q.PostedSecrets() {
		addValue(set, v, minDerived)
	}
	for name, vals := range q.RequestHdr {
		for _, v := range vals {
			switch http.CanonicalHeaderKey(name) {
			case "Authorization", "Proxy-Authorization":
				credentials(set, v)
			case "Cookie":
				for _, pair := range strings.Split(v, ";") {
					_, val, _ := strings.Cut(strings.TrimSpace(pair), "=")
					addValue(set, val, minCookie)
				}
			case "Referer":
				urlSecrets(set, v)
			default:
				if redact.IsSensitiveHeader(name) {
					addValue(set, v, minDerived)
				}
			}
		}
	}
	for name, vals := range q.ResponseHdr {
		for _, v := range vals {
			switch http.CanonicalHeaderKey(name) {
			case "Set-Cookie":
				first, _, _ := strings.Cut(v, ";")
				_, val, _ := strings.Cut(first, "=")
				addValue(set, strings.TrimSpace(val), minCookie)
			case "Location", "Content-Location":
				urlSecrets(set, v)
			default:
				if redact.IsSensitiveHeader(name) {
					addValue(set, v, minDerived)
				}
			}
		}
	}
	urlSecrets(set, q.URL)
}

// credentials adds an Authorization value's credentials. For Basic that is
// the token, the decoded "user:password" and the password, each with its
// forms; for other schemes (Bearer, Negotiate, NTLM) the token.
func credentials(set map[string]bool, v string) {
	scheme, cred, ok := strings.Cut(strings.TrimSpace(v), " ")
	cred = strings.TrimSpace(cred)
	if !ok || len(cred) < minSecret {
		return
	}
	put(set, cred, false)
	if !strings.EqualFold(scheme, "Basic") {
		return
	}
	dec, err := base64.StdEncoding.DecodeString(cred)
	if err != nil {
		if dec, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(cred, "=")); err != nil {
			return
		}
	}
	pair := string(dec)
	addForms(set, pair)
	if _, pw, ok := strings.Cut(pair, ":"); ok {
		addForms(set, pw)
	}
}

// urlSecrets adds the values of sensitive query and fragment parameters.
func urlSecrets(set map[string]bool, u string) {
	_, rest, ok := strings.Cut(u, "?")
	if !ok {
		_, rest, _ = strings.Cut(u, "#")
	}
	for _, part := range strings.FieldsFunc(rest, func(r rune) bool { return r == '&' || r == '#' || r == '?' }) {
		name, val, ok := strings.Cut(part, "=")
		if !ok || !redact.IsSensitiveParam(unescape(name)) {
			continue
		}
		addValue(set, val, minDerived)
		addValue(set, unescape(val), minDerived)
	}
}

func addValue(set map[string]bool, v string, min int) {
	if len(v) >= min && v != mark {
		put(set, v, false)
	}
}

// addForms adds a secret as it may be written: plain, URL- and
// HTML-escaped, and base64 in both alphabets, with and without padding, and
// at the two other byte offsets it can have inside a longer base64 blob.
func addForms(set map[string]bool, sec string) {
	if len(sec) < minSecret {
		return
	}
	// As written, a secret is masked as a whole word: the password "the"
	// is not in "Either". Its base64 forms sit inside longer blobs.
	for _, v := range []string{sec, url.QueryEscape(sec), url.PathEscape(sec), html.EscapeString(sec)} {
		put(set, v, true)
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		b64 := enc.EncodeToString([]byte(sec))
		put(set, b64, false)
		put(set, strings.TrimRight(b64, "="), false)
		for off := range 3 {
			// Encoding off zero bytes first puts the secret where it sits
			// in a blob at that offset; the characters from the first that
			// holds only secret bits to the last that does are the same in
			// any blob, whatever comes before and after.
			full := enc.EncodeToString(append(make([]byte, off), sec...))
			from := (off*8 + 5) / 6
			to := (off + len(sec)) * 8 / 6
			if to-from >= minShifted {
				put(set, full[from:to], false)
			}
		}
	}
}

// bearerInText finds "Bearer <token>" in free text. Whether it is a token
// or an auth-param (Bearer realm="x", Bearer error=invalid_token) is
// decided on what follows, which Go's regexp cannot look at.
var bearerInText = regexp.MustCompile(`(?i)\bbearer\s+([A-Za-z0-9\-._~+/]+=*)`)

// jwtInText matches a JSON Web Token: base64url of `{"` twice, then a
// signature.
var jwtInText = regexp.MustCompile(`\beyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)

// text scrubs free text: URLs with tokens, bearer tokens and JWTs (only
// when sanitizing), and the literal secrets (always).
func (s *sanitizer) text(v string) string {
	v = s.shapes(v)
	if s.secrets != nil {
		v = s.secrets.ReplaceAllLiteralString(v, mark)
	}
	return v
}

// shapes redacts what is a secret by its shape in free text: URLs'
// sensitive parameters, Bearer tokens, JWTs. It does not look for the
// caller's secrets: fix401's own words go through this alone.
func (s *sanitizer) shapes(v string) string {
	if s.on {
		v = urlInText.ReplaceAllStringFunc(v, textURL)
		v = redactBearer(v)
		v = jwtInText.ReplaceAllString(v, mark)
	}
	return v
}

// urlInText is redact.Text's notion of a URL in free text.
var urlInText = regexp.MustCompile(`https?://[^\s"'<>]+`)

// textURL redacts a URL found in text. In HTML its ampersands are "&amp;",
// which would hide "&amp;state=…" from the parameter names.
func textURL(u string) string {
	if !strings.Contains(u, "&amp;") {
		return redact.URL(u)
	}
	plain := strings.ReplaceAll(u, "&amp;", "&")
	return strings.ReplaceAll(redact.URL(plain), "&", "&amp;")
}

func redactBearer(v string) string {
	var b strings.Builder
	last := 0
	for _, m := range bearerInText.FindAllStringSubmatchIndex(v, -1) {
		tok := v[m[2]:m[3]]
		if m[1] < len(v) && (v[m[1]] == '"' || tokenChar(v[m[1]])) {
			continue // an auth-param: Bearer realm="…"
		}
		// A plain word after "Bearer" is prose ("Bearer authentication");
		// tokens have digits or punctuation.
		if len(tok) < 8 || !strings.ContainsAny(tok, "0123456789-._~+/=") {
			continue
		}
		b.WriteString(v[last:m[2]])
		b.WriteString(mark)
		last = m[3]
	}
	if last == 0 {
		return v
	}
	b.WriteString(v[last:])
	return b.String()
}

// tokenChar reports whether c may continue an RFC 9110 token.
func tokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// scrubAll runs text over every exported string of v: whatever a field
// holds, and whatever field is added later, no secret gets past.
func (s *sanitizer) scrubAll(v any) {
	walkStrings(reflect.ValueOf(v), s.text, s.whole)
}

// whole masks v only when it is one of the secrets' forms as a whole.
func (s *sanitizer) whole(v string) string {
	if s.forms[v] {
		return mark
	}
	return v
}

// walkStrings runs f over every exported string field of v, whole over
// those tagged scrub:"whole", and nothing over those tagged scrub:"-".
func walkStrings(v reflect.Value, f, whole func(string) string) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkStrings(v.Elem(), f, whole)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			fl := v.Type().Field(i)
			switch {
			case !fl.IsExported() || fl.Tag.Get("scrub") == "-":
			case fl.Tag.Get("scrub") == "whole":
				walkStrings(v.Field(i), whole, whole)
			default:
				walkStrings(v.Field(i), f, whole)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			walkStrings(v.Index(i), f, whole)
		}
	case reflect.String:
		if v.CanSet() {
			v.SetString(f(v.String()))
		}
	}
}

func (s *sanitizer) comment() string {
	if s.on {
		return "sanitized by fix401: the values of credentials, cookies and token parameters are replaced with " + mark + "; their names are kept"
	}
	return "NOT sanitized: this file holds credentials and cookies as the browser sent them; do not share it"
}

// url redacts an absolute or relative URL (a Location header is often
// "/callback?code=…"; redact.URL leaves those alone).
func (s *sanitizer) url(u string) string {
	if !s.on || u == "" {
		return u
	}
	if p, err := url.Parse(u); err == nil && p.Scheme != "" {
		return redact.URL(u)
	}
	rest, frag, hasFrag := strings.Cut(u, "#")
	path, query, hasQuery := strings.Cut(rest, "?")
	out := path
	if hasQuery {
		out += "?" + redactParams(query)
	}
	if hasFrag {
		if strings.Contains(frag, "=") {
			frag = redactParams(frag)
		}
		out += "#" + frag
	}
	return out
}

// redactParams replaces the values of sensitive parameters in a=b&c=d,
// keeping names and order.
func redactParams(raw string) string {
	parts := strings.Split(raw, "&")
	for i, part := range parts {
		if name, _, ok := strings.Cut(part, "="); ok && redact.IsSensitiveParam(unescape(name)) {
			parts[i] = name + "=" + mark
		}
	}
	return strings.Join(parts, "&")
}

func unescape(v string) string {
	if d, err := url.QueryUnescape(v); err == nil {
		return d
	}
	return v
}

// headers returns one HAR header per line, sorted by name: http.Header
// lost the browser's order, and a stable one makes files comparable.
func (s *sanitizer) headers(h http.Header) []nameValue {
	out := []nameValue{}
	for _, name := range slices.Sorted(maps.Keys(h)) {
		for _, v := range h[name] {
			out = append(out, nameValue{Name: name, Value: s.header(name, v)})
		}
	}
	return out
}

func (s *sanitizer) header(name, v string) string {
	if !s.on {
		return v
	}
	switch http.CanonicalHeaderKey(name) {
	case "Location", "Referer", "Content-Location", ":path":
		return s.url(v)
	}
	return redact.HeaderValue(name, v)
}

// queryString lists the query parameters of u, decoded as DevTools lists
// them, with sensitive values redacted.
func (s *sanitizer) queryString(u string) []nameValue {
	out := []nameValue{}
	rest, _, _ := strings.Cut(u, "#")
	_, query, ok := strings.Cut(rest, "?")
	if !ok || query == "" {
		return out
	}
	for _, part := range strings.Split(query, "&") {
		if part == "" {
			continue
		}
		name, val, _ := strings.Cut(part, "=")
		name, val = unescape(name), unescape(val)
		if s.on && redact.IsSensitiveParam(name) {
			val = mark
		}
		out = append(out, nameValue{Name: name, Value: val})
	}
	return out
}

// requestCookies are the pairs of the Cookie header lines, names kept.
func (s *sanitizer) requestCookies(h http.Header) []cookie {
	out := []cookie{}
	for _, line := range h.Values("Cookie") {
		for _, pair := range strings.Split(line, ";") {
			pair = strings.TrimSpace(pair)
			if pair == "" {
				continue
			}
			name, val, _ := strings.Cut(pair, "=")
			if s.on {
				name, val = redact.CookieName(name), mark
			}
			out = append(out, cookie{Name: name, Value: val})
		}
	}
	return out
}

// responseCookies are the Set-Cookie lines, names and attributes kept: a
// cookie's Path, Domain, Secure and SameSite often explain why the browser
// did not send it back.
func (s *sanitizer) responseCookies(h http.Header, started time.Time) []cookie {
	out := []cookie{}
	for _, line := range h.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			// Still a cookie the server set; the name is the evidence.
			first, _, _ := strings.Cut(line, ";")
			name, val, _ := strings.Cut(first, "=")
			if s.on {
				name, val = redact.CookieName(strings.TrimSpace(name)), mark
			}
			out = append(out, cookie{Name: strings.TrimSpace(name), Value: strings.TrimSpace(val)})
			continue
		}
		hc := cookie{Name: c.Name, Value: c.Value, Path: c.Path, Domain: c.Domain,
			HTTPOnly: new(c.HttpOnly), Secure: new(c.Secure)}
		if s.on {
			hc.Name, hc.Value = redact.CookieName(c.Name), mark
		}
		switch {
		case c.MaxAge > 0 && !started.IsZero():
			hc.Expires = new(isoTime(started.Add(time.Duration(c.MaxAge) * time.Second)))
		case c.MaxAge < 0:
			hc.Expires = new(isoTime(time.Unix(0, 0)))
		case !c.Expires.IsZero():
			hc.Expires = new(isoTime(c.Expires))
		}
		switch c.SameSite {
		case http.SameSiteLaxMode:
			hc.SameSite = "Lax"
		case http.SameSiteStrictMode:
			hc.SameSite = "Strict"
		case http.SameSiteNoneMode:
			hc.SameSite = "None"
		}
		out = append(out, hc)
	}
	return out
}
