package harsanitize

import (
	"html"
	"mime"
	"slices"
	"strings"

	xhtml "golang.org/x/net/html"
)

type bodyType int

const (
	otherBody bodyType = iota
	formBody
	jsonBody
	multipartBody
	htmlBody
	xmlBody
)

// bodyKind tells how a body is structured, by its type, or by its look
// when the type says nothing (an XHR that posts JSON as text/plain).
func bodyKind(mimeType, text string) bodyType {
	m := strings.ToLower(mimeType)
	switch {
	case strings.Contains(m, "x-www-form-urlencoded"):
		if jsonText(text) {
			// Posted as a form, written as JSON.
			return jsonBody
		}
		return formBody
	case strings.HasPrefix(m, "multipart/"):
		return multipartBody
	case strings.Contains(m, "json"):
		return jsonBody
	case strings.Contains(m, "html"):
		return htmlBody
	case strings.Contains(m, "xml"):
		return xmlBody
	case m != "" && !strings.HasPrefix(m, "text/plain") && !strings.HasPrefix(m, "application/octet-stream"):
		return otherBody
	}
	t := strings.TrimLeft(text, " \t\r\n\ufeff")
	switch {
	case t == "":
		return otherBody
	case t[0] == '{' || t[0] == '[':
		return jsonBody
	case t[0] == '<':
		l := strings.ToLower(t[:min(len(t), 512)])
		if strings.Contains(l, "<html") || strings.Contains(l, "<!doctype html") || strings.Contains(l, "<form") || strings.Contains(l, "<input") {
			return htmlBody
		}
		if strings.HasPrefix(l, "<?xml") || strings.Contains(l, "envelope") {
			return xmlBody
		}
	case !strings.ContainsAny(t, " \n<>{}\"") && strings.Contains(t, "="):
		return formBody
	}
	return otherBody
}

// body scrubs a request or response body: by its structure first (which
// also collects the secrets it carries), then of the secrets seen so far.
func (s *sanitizer) body(mimeType, text string) string {
	switch bodyKind(mimeType, text) {
	case formBody:
		text = s.params(text, true)
	case jsonBody:
		text = s.jsonBody(text)
	case multipartBody:
		text = s.multipart(mimeType, text)
	case htmlBody:
		text = s.htmlBody(text)
	case xmlBody:
		text = s.xmlBody(text)
	}
	text, _ = s.text(text)
	return text
}

type jframe struct {
	obj       bool
	key       string // objects: the member being read; arrays: the name the array is under
	expectKey bool
	secret    bool // under a name that holds secrets: every string below is one
	kind      Kind
	// A name/value pair ({"name":"password","value":…}, jQuery's
	// serializeArray, HAR-like header lists): the value is judged by the
	// name, which may come after it. ("key" is not a pair's name here: it
	// holds a secret itself, as in ?key=….)
	pair    string
	hasPair bool
	pend    jpatch // a "value" met before its name
	hasPend bool
}

type jpatch struct {
	from, to int
	v        string
}

// pairKey and pairValue are the members of a name/value pair.
func pairKey(k string) bool   { return strings.EqualFold(k, "name") }
func pairValue(k string) bool { return strings.EqualFold(k, "value") }

// jsonBody replaces the secrets of a JSON body (a token endpoint's
// {"access_token":…}, a sign-in API's {"password":…}) by walking it:
// values under sensitive names get pseudonyms, JWTs anywhere lose their
// signature. The walk is a tolerant lexer, not a parser, and the text is
// patched in place: a body cut short by the recorder, or prefixed against
// XSSI ()]}'), is scrubbed all the same, and its formatting stays.
func (s *sanitizer) jsonBody(text string) string {
	type patch struct {
		from, to int
		r        string
	}
	var patches []patch
	sorted := true
	judgePair := func(f *jframe, p jpatch) {
		if r, ok := s.judge(f.pair, p.v, false); ok && r != p.v {
			if n := len(patches); n > 0 && patches[n-1].from > p.from {
				sorted = false
			}
			patches = append(patches, patch{p.from, p.to, string(quote(nil, r))})
		}
	}
	stack := []jframe{{}}
	for i := 0; i < len(text); {
		f := &stack[len(stack)-1]
		switch c := text[i]; {
		case c == '{' || c == '[':
			nf := jframe{obj: c == '{', expectKey: c == '{', key: f.key, secret: f.secret, kind: f.kind}
			if ni := s.info(f.key); !f.secret && f.key != "" && ni.holds() {
				nf.secret, nf.kind = true, ni.kind
			}
			stack = append(stack, nf)
			i++
		case c == '}' || c == ']':
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
			i++
		case c == ':':
			f.expectKey = false
			i++
		case c == ',':
			if f.obj {
				f.expectKey = true
			}
			i++
		case c == '"':
			end, closed := stringEnd(text, i)
			lit := text[i:end]
			if !closed {
				// Cut short: what there is of it may be a secret.
				if n := len(lit) - len(strings.TrimRight(lit, `\`)); n%2 == 1 {
					lit = lit[:len(lit)-1] // half an escape
				}
				lit += `"`
			}
			v, ok := decodeString([]byte(lit))
			switch {
			case !ok:
			case f.obj && f.expectKey:
				f.key = v
			default:
				r, changed := s.jsonString(f, v)
				if changed {
					patches = append(patches, patch{i, end, string(quote(nil, r))})
				}
				switch {
				case !f.obj || f.secret:
				case pairKey(f.key):
					f.pair, f.hasPair = v, true
					if f.hasPend {
						judgePair(f, f.pend)
						f.hasPend = false
					}
				case pairValue(f.key) && !changed:
					if f.hasPair {
						judgePair(f, jpatch{i, end, v})
					} else {
						f.pend, f.hasPend = jpatch{i, end, v}, true
					}
				}
			}
			i = end
		case c == '-' || c >= '0' && c <= '9':
			j := i + 1
			for j < len(text) && strings.IndexByte("0123456789.eE+-", text[j]) >= 0 {
				j++
			}
			// A PIN or one-time code sent as a number: "otp": 123456.
			name := f.key
			if f.obj && f.hasPair && pairValue(f.key) {
				name = f.pair
			}
			if n, ni := text[i:j], s.info(name); !(f.obj && f.expectKey) && ni.holds() && len(n) >= 4 && !strings.ContainsAny(n, ".eE+-") {
				patches = append(patches, patch{i, j, string(quote(nil, s.t.pseudo(n, ni.kind)))})
			}
			i = j
		default:
			i++
		}
	}
	if len(patches) == 0 {
		return text
	}
	if !sorted {
		slices.SortFunc(patches, func(a, b patch) int { return a.from - b.from })
	}
	var b strings.Builder
	b.Grow(len(text))
	last := 0
	for _, p := range patches {
		b.WriteString(text[last:p.from])
		b.WriteString(p.r)
		last = p.to
	}
	b.WriteString(text[last:])
	return b.String()
}

// jsonString judges a string value of a JSON body.
func (s *sanitizer) jsonString(f *jframe, v string) (string, bool) {
	if f.secret {
		switch {
		case v == "" || ordinary(v) || isPlaceholder(v):
			return v, false
		case isURL(v):
			r := s.url(v)
			return r, r != v
		}
		return s.t.pseudo(v, f.kind), true
	}
	return s.judge(f.key, v, false)
}

// stringEnd returns the index after the JSON string starting at t[i], or
// the end of t for one cut short (closed is false).
func stringEnd(t string, i int) (end int, closed bool) {
	for j := i + 1; j < len(t); j++ {
		switch t[j] {
		case '\\':
			j++
		case '"':
			return j + 1, true
		}
	}
	return len(t), false
}

// htmlBody replaces the values of form inputs that carry secrets (the
// auto-posting forms of SAML, WS-Federation and OpenID Connect's
// form_post: SAMLResponse, wresult, id_token, code, state; CSRF tokens;
// prefilled passwords) and of CSRF meta tags, and redacts URLs in links
// and form actions. The page is read with the HTML tokenizer, and only the
// tags that change are written anew: the rest of the page stays byte for
// byte.
func (s *sanitizer) htmlBody(text string) string {
	z := xhtml.NewTokenizer(strings.NewReader(text))
	var b strings.Builder
	b.Grow(len(text))
	read, changed := 0, false
	textarea, inTextarea := "", false // the name of the <textarea> just opened
	for {
		tt := z.Next()
		raw := z.Raw()
		read += len(raw)
		if tt == xhtml.ErrorToken {
			b.Write(raw)
			break
		}
		if inTextarea {
			inTextarea = false
			// A <textarea name=SAMLResponse> holds its value as text.
			if tt == xhtml.TextToken {
				v := html.UnescapeString(string(raw))
				if r, ok := s.judge(textarea, v, false); ok {
					b.WriteString(html.EscapeString(r))
					changed = true
					continue
				}
			}
		}
		if tt != xhtml.StartTagToken && tt != xhtml.SelfClosingTagToken {
			b.Write(raw)
			continue
		}
		orig := string(raw) // Token() may rewrite Raw's bytes
		tok := z.Token()
		if tok.Data == "textarea" && tt == xhtml.StartTagToken {
			textarea, inTextarea = "", true
			for _, a := range tok.Attr {
				if a.Namespace == "" && a.Key == "name" {
					textarea = a.Val
				}
			}
		}
		if s.tag(&tok) {
			b.WriteString(tok.String())
			changed = true
		} else {
			b.WriteString(orig)
		}
	}
	if !changed || read != len(text) {
		// Nothing to change, or a page the tokenizer did not read to the
		// end: the values it found are known now, and the echo pass that
		// follows takes them out of the text as it is.
		return text
	}
	return b.String()
}

// urlAttrs are attributes that hold a URL.
var urlAttrs = set("href", "src", "action", "formaction", "data-src", "data-href", "data-url", "poster", "cite")

// tag rewrites the attributes of one start tag; it reports a change.
func (s *sanitizer) tag(t *xhtml.Token) bool {
	attr := func(k string) (int, string) {
		for i, a := range t.Attr {
			if a.Namespace == "" && a.Key == k {
				return i, a.Val
			}
		}
		return -1, ""
	}
	changed := false
	switch t.Data {
	case "input", "button", "option", "param":
		_, name := attr("name")
		_, typ := attr("type")
		if i, v := attr("value"); i >= 0 && v != "" {
			r, ok := "", false
			if strings.EqualFold(typ, "password") {
				r, ok = s.t.pseudo(v, KindPassword), true
			} else {
				r, ok = s.judge(name, v, false)
			}
			if ok {
				t.Attr[i].Val, changed = r, true
			}
		}
	case "meta":
		_, name := attr("name")
		if name == "" {
			_, name = attr("property")
		}
		_, equiv := attr("http-equiv")
		if i, v := attr("content"); i >= 0 && v != "" {
			switch {
			case strings.EqualFold(equiv, "refresh"):
				if j := strings.Index(strings.ToLower(v), "url="); j >= 0 {
					if r := v[:j+4] + s.url(v[j+4:]); r != v {
						t.Attr[i].Val, changed = r, true
					}
				}
			case name != "":
				if r, ok := s.judge(name, v, false); ok {
					t.Attr[i].Val, changed = r, true
				}
			}
		}
	}
	for i, a := range t.Attr {
		if urlAttrs[a.Key] && strings.ContainsAny(a.Val, "?#;@") {
			if r := s.url(a.Val); r != a.Val {
				t.Attr[i].Val, changed = r, true
			}
		}
	}
	return changed
}

// multipart replaces, best effort, the values of the parts of a
// multipart/form-data body whose names say they are secrets.
func (s *sanitizer) multipart(mimeType, text string) string {
	boundary := ""
	if _, p, err := mime.ParseMediaType(mimeType); err == nil {
		boundary = p["boundary"]
	}
	if boundary == "" {
		line, _, _ := strings.Cut(text, "\n")
		if line = strings.TrimRight(line, "\r"); strings.HasPrefix(line, "--") {
			boundary = line[2:]
		}
	}
	if boundary == "" {
		return text
	}
	delim := "--" + boundary
	parts := strings.Split(text, delim)
	for i := 1; i < len(parts); i++ {
		p := parts[i]
		end, sep := strings.Index(p, "\r\n\r\n"), 4
		if end < 0 {
			end, sep = strings.Index(p, "\n\n"), 2
		}
		if end < 0 {
			continue
		}
		body, trail := p[end+sep:], ""
		for _, t := range []string{"\r\n", "\n"} {
			if strings.HasSuffix(body, t) {
				body, trail = body[:len(body)-len(t)], t
				break
			}
		}
		if r, ok := s.judge(partName(p[:end]), body, false); ok {
			parts[i] = p[:end+sep] + r + trail
		}
	}
	return strings.Join(parts, delim)
}

// partName is the name in a part's Content-Disposition.
func partName(head string) string {
	for _, line := range strings.Split(head, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "content-disposition") {
			continue
		}
		if _, p, err := mime.ParseMediaType(strings.TrimSpace(v)); err == nil {
			return p["name"]
		}
	}
	return ""
}

// xmlBody replaces the text of XML elements whose names say they hold a
// secret, as a parameter of the same name would be: a SOAP or WS-Trust
// request's <o:Password> and <wsse:Password Type="…">, a
// <wsse:BinarySecurityToken>, a <ds:SignatureValue> (an assertion without
// its signature can no longer be replayed). Only elements holding text
// (or CDATA) are read; the rest of the document stays byte for byte.
func (s *sanitizer) xmlBody(text string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(text); {
		j := strings.IndexByte(text[i:], '<')
		if j < 0 {
			break
		}
		i += j + 1
		k := i
		for k < len(text) && xmlNameByte(text[k]) {
			k++
		}
		if k == i {
			continue // </x>, <!-- -->, <?xml?>, a stray <
		}
		name := text[i:k]
		gt := tagEnd(text, k)
		if gt < 0 {
			break
		}
		if text[gt-1] == '/' {
			i = gt + 1
			continue
		}
		from := gt + 1
		val, to, cdata := "", -1, false
		rest := text[from:]
		if strings.HasPrefix(rest, "<![CDATA[") {
			if e := strings.Index(rest, "]]>"); e >= 0 {
				val, to, cdata = rest[9:e], from+e+3, true
				from += 9
			}
		} else if e := strings.IndexByte(rest, '<'); e >= 0 {
			val, to = html.UnescapeString(rest[:e]), from+e
		}
		if to < 0 || !strings.HasPrefix(text[to:], "</"+name) {
			i = gt + 1
			continue
		}
		local := name[strings.LastIndexByte(name, ':')+1:]
		v := strings.TrimSpace(val)
		if r, ok := s.judge(local, v, false); ok && v != "" {
			end := to
			if cdata {
				end = to - 3
			} else {
				r = html.EscapeString(r)
			}
			b.WriteString(text[last:from])
			b.WriteString(r)
			last = end
		}
		i = to
	}
	if last == 0 {
		return text
	}
	b.WriteString(text[last:])
	return b.String()
}

func xmlNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ':' || c == '_' || c == '-' || c == '.' || c >= 0x80
}

// tagEnd returns the index of the '>' ending the tag whose attributes
// start at t[i] (a '>' inside a quoted attribute does not end it), or -1.
func tagEnd(t string, i int) int {
	var q byte
	for ; i < len(t); i++ {
		switch c := t[i]; {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		case c == '>':
			return i
		}
	}
	return -1
}
