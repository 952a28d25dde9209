package har

import (
	"cmp"
	"encoding/base64"
	"html"
	"maps"
	"math"
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
	on    bool // structural redaction; off only when Unsanitized
	found *found
	// scrubbers are the expressions of the secrets masked in a load's
	// entries, by the first load each one covers (see found.from); byLoad
	// the same by load, since every string of an entry asks.
	scrubbers, byLoad map[int]*regexp.Regexp
	// noBodies: a supplied secret is too short to be found in free text
	// without garbling it ("ab" is in every other word), so no body is kept
	// from load noBodiesFrom on: a page there may echo the password, and
	// the HAR cannot mask it.
	noBodies     bool
	noBodiesFrom int
}

// found are the values to mask, each with how and where.
type found struct {
	// whole says whether a value is masked only as a whole word (not where
	// letters or digits go on either side of it).
	whole map[string]bool
	// from is the first load whose entries a value is masked in: 0 for
	// all. A short value that traffic (or relogin) first carried in load
	// N is masked from N on: no page before it can show it, and a password
	// that is an ordinary word ("page") must not blank that word in the
	// pages that merely use it. Longer values, and short ones shaped like
	// a token (letters and digits), are masked everywhere, since an
	// earlier page may have handed out the token a later request sent.
	from map[string]int
}

// wordLike is the length under which a value may be a word of a page.
const wordLike = 16

func newSanitizer(reqs []*browser.Request, o Options) *sanitizer {
	s := &sanitizer{on: !o.Unsanitized, scrubbers: map[int]*regexp.Regexp{}, byLoad: map[int]*regexp.Regexp{}}
	f := &found{whole: map[string]bool{}, from: map[string]int{}}
	for _, sec := range o.Secrets {
		f.addForms(sec, 0)
		if sec != "" && len(sec) < minSecret {
			s.noBodies = true
		}
	}
	for _, sec := range o.Sent {
		f.addForms(sec, o.SentFrom)
		if sec != "" && len(sec) < minSecret && !s.noBodies {
			s.noBodies, s.noBodiesFrom = true, o.SentFrom
		}
	}
	if s.on {
		for _, q := range reqs {
			if q == nil {
				continue
			}
			for _, hop := range q.Redirects {
				if hop != nil {
					f.collect(hop, q.Load)
				}
			}
			f.collect(q, q.Load)
		}
	}
	s.found = f
	return s
}

// scrubber returns the expression of the secrets masked in load's
// entries; nil when there are none.
func (s *sanitizer) scrubber(load int) *regexp.Regexp {
	if re, ok := s.byLoad[load]; ok {
		return re
	}
	re := s.scrubberFrom(load)
	s.byLoad[load] = re
	return re
}

// scrubberFrom builds (or finds) the expression of the secrets whose from
// is at most load: the largest such from names the set.
func (s *sanitizer) scrubberFrom(load int) *regexp.Regexp {
	key := -1
	for _, from := range s.found.from {
		if from <= load && from > key {
			key = from
		}
	}
	if re, ok := s.scrubbers[key]; ok {
		return re
	}
	var olds []string
	for v, from := range s.found.from {
		if from <= key {
			olds = append(olds, v)
		}
	}
	// Longest first: the replacer tries its strings in order, and
	// "alice:wonderland" must win over "wonderland" where both match.
	slices.SortFunc(olds, func(a, b string) int {
		return cmp.Or(len(b)-len(a), strings.Compare(a, b))
	})
	var re *regexp.Regexp
	if len(olds) > 0 {
		// One expression, alternatives longest first (Go's alternation is
		// leftmost-first): a whole-word secret is bounded by \b where it
		// begins or ends with a word character.
		alts := make([]string, 0, len(olds))
		for _, v := range olds {
			a := regexp.QuoteMeta(v)
			if s.found.whole[v] && wordChar(v[0]) {
				a = `\b` + a
			}
			if s.found.whole[v] && wordChar(v[len(v)-1]) {
				a += `\b`
			}
			alts = append(alts, a)
		}
		re = regexp.MustCompile(strings.Join(alts, "|"))
	}
	s.scrubbers[key] = re
	return re
}

// put adds v, first carried in load, to f; whole says whether it is masked
// only as a whole word. Found both ways, it is masked everywhere; found in
// two loads, from the first.
func (f *found) put(v string, whole bool, load int) {
	if len(v) >= wordLike {
		load = 0
	}
	if had, ok := f.whole[v]; ok {
		whole = had && whole
		load = min(load, f.from[v])
	}
	f.whole[v], f.from[v] = whole, load
}

// tokenShaped reports whether a value traffic carried mixes letters and
// digits, as a session id or a short token does and a word of a page does
// not. The digits of an escape ("the%20page") do not count.
func tokenShaped(v string) bool {
	letter, digit := false, false
	for i := 0; i < len(v); i++ {
		if v[i] == '%' && i+2 < len(v) {
			i += 2
			continue
		}
		switch c := v[i]; {
		case '0' <= c && c <= '9':
			digit = true
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
			letter = true
		}
	}
	return letter && digit
}

// wordChar reports whether c continues a word, as regexp's \b sees it.
func wordChar(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// collect adds the secret values q carries to set: credentials, cookie
// values, sensitive header values and token parameters, so that they go
// wherever else they turn up (an error page that echoes them).
func (f *found) collect(q *browser.Request, load int) {
	for _, v := range q.PostedSecrets() {
		f.addValue(v, minDerived, load)
	}
	for name, vals := range q.RequestHdr {
		for _, v := range vals {
			switch http.CanonicalHeaderKey(name) {
			case "Authorization", "Proxy-Authorization":
				f.credentials(v, load)
			case "Cookie":
				for _, pair := range strings.Split(v, ";") {
					_, val, _ := strings.Cut(strings.TrimSpace(pair), "=")
					f.addValue(val, minCookie, load)
				}
			case "Referer":
				f.urlSecrets(v, load)
			default:
				if redact.IsSensitiveHeader(name) {
					f.addValue(v, minDerived, load)
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
				f.addValue(strings.TrimSpace(val), minCookie, load)
			case "Location", "Content-Location":
				f.urlSecrets(v, load)
			default:
				if redact.IsSensitiveHeader(name) {
					f.addValue(v, minDerived, load)
				}
			}
		}
	}
	f.urlSecrets(q.URL, load)
}

// credentials adds an Authorization value's credentials. For Basic that is
// the token, the decoded "user:password" and the password, each with its
// forms; for other schemes (Bearer, Negotiate, NTLM) the token.
func (f *found) credentials(v string, load int) {
	scheme, cred, ok := strings.Cut(strings.TrimSpace(v), " ")
	cred = strings.TrimSpace(cred)
	if !ok || len(cred) < minSecret {
		return
	}
	f.put(cred, false, load)
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
	f.addForms(pair, load)
	if _, pw, ok := strings.Cut(pair, ":"); ok {
		f.addForms(pw, load)
	}
}

// urlSecrets adds the values redact.URL removes from u (sensitive names,
// random-looking values, whatever the separator).
func (f *found) urlSecrets(u string, load int) {
	for _, v := range redact.ParamSecrets(u) {
		f.addValue(v, minDerived, load)
	}
}

func (f *found) addValue(v string, min, load int) {
	if len(v) >= min && v != mark {
		if tokenShaped(v) {
			// A session id or a short token: an earlier page may have
			// handed it out (the caller's own secrets and their escaped
			// and encoded forms keep their load: see addForms).
			load = 0
		}
		f.put(v, false, load)
	}
}

// addForms adds a secret as it may be written: plain, URL- and
// HTML-escaped, and base64 in both alphabets, with and without padding, and
// at the two other byte offsets it can have inside a longer base64 blob.
func (f *found) addForms(sec string, load int) {
	if len(sec) < minSecret {
		return
	}
	// As written, a secret is masked as a whole word: the password "the"
	// is not in "Either". Its base64 forms sit inside longer blobs.
	for _, v := range []string{sec, url.QueryEscape(sec), url.PathEscape(sec), html.EscapeString(sec)} {
		f.put(v, true, load)
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		b64 := enc.EncodeToString([]byte(sec))
		f.put(b64, false, load)
		f.put(strings.TrimRight(b64, "="), false, load)
		for off := range 3 {
			// Encoding off zero bytes first puts the secret where it sits
			// in a blob at that offset; the characters from the first that
			// holds only secret bits to the last that does are the same in
			// any blob, whatever comes before and after.
			full := enc.EncodeToString(append(make([]byte, off), sec...))
			from := (off*8 + 5) / 6
			to := (off + len(sec)) * 8 / 6
			if to-from >= minShifted {
				f.put(full[from:to], false, load)
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

// text scrubs free text of any load: see textIn.
func (s *sanitizer) text(v string) string { return s.textIn(math.MaxInt, v) }

// textIn scrubs free text of load's entries: URLs with tokens, bearer
// tokens and JWTs (only when sanitizing), and the literal secrets (always)
// that load may hold.
func (s *sanitizer) textIn(load int, v string) string {
	v = s.shapes(v)
	if re := s.scrubber(load); re != nil {
		v = re.ReplaceAllLiteralString(v, mark)
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

// scrubEntry runs textIn over every exported string of e: whatever a
// field holds, and whatever field is added later, no secret gets past.
func (s *sanitizer) scrubEntry(e *entry) {
	walkStrings(reflect.ValueOf(e),
		func(v string) string { return s.textIn(e.load, v) },
		func(v string) string { return s.wholeIn(e.load, v) })
}

// wholeIn masks v only when it is one of the forms of a secret load may
// hold, as a whole.
func (s *sanitizer) wholeIn(load int, v string) string {
	if from, ok := s.found.from[v]; ok && from <= load {
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
func redactParams(raw string) string { return redact.Params(raw) }

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
	if s.on {
		// Redacted as the URL is, before it is split as DevTools splits
		// it (on & alone): "a=1;token=…" is one pair there, and its
		// token must go all the same.
		query = redact.Params(query)
	}
	for _, part := range strings.Split(query, "&") {
		if part == "" {
			continue
		}
		name, val, _ := strings.Cut(part, "=")
		out = append(out, nameValue{Name: unescape(name), Value: unescape(val)})
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
