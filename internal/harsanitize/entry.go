package harsanitize

import (
	"encoding/base64"
	"net"
	"net/url"
	"regexp"
	"strings"

	"github.com/fix401/fix401/internal/redact"
)

func set(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// The fields HAR 1.2 defines for each object (and sameSite, which Chrome
// and Playwright write on cookies). Everything else is a custom field.
var (
	entryFields       = set("pageref", "startedDateTime", "time", "request", "response", "cache", "timings", "serverIPAddress", "connection", "comment")
	requestFields     = set("method", "url", "httpVersion", "cookies", "headers", "queryString", "postData", "headersSize", "bodySize", "comment")
	responseFields    = set("status", "statusText", "httpVersion", "cookies", "headers", "content", "redirectURL", "headersSize", "bodySize", "comment")
	contentFields     = set("size", "compression", "mimeType", "text", "encoding", "comment")
	postDataFields    = set("mimeType", "params", "text", "comment")
	paramFields       = set("name", "value", "fileName", "contentType", "comment")
	cookieFields      = set("name", "value", "path", "domain", "expires", "httpOnly", "secure", "comment", "sameSite")
	nameValueFields   = set("name", "value", "comment")
	timingsFields     = set("blocked", "dns", "connect", "send", "wait", "receive", "ssl", "comment")
	cacheFields       = set("beforeRequest", "afterRequest", "comment")
	cacheEntryFields  = set("expires", "lastAccess", "eTag", "hitCount", "comment")
	pageFields        = set("startedDateTime", "id", "title", "pageTimings", "comment")
	pageTimingsFields = set("onContentLoad", "onLoad", "comment")
)

// harmlessCustom are the custom fields kept: what DevTools shows in its
// columns (type, priority, size, from cache) and a failed request's error
// (net::ERR_INVALID_AUTH_CREDENTIALS is half a 401 diagnosis). Others
// (_initiator with its stack of URLs, _webSocketMessages, Playwright's
// _securityDetails) can hold anything and go.
var harmlessCustom = set("_resourceType", "_priority", "_fromCache", "_transferSize", "_connectionId", "_serverPort",
	"_error", "_failureText", "_fetchedViaServiceWorker", "_wasFetchedViaServiceWorker", "_isLinkPreload")

// harmlessValue is the shape a kept custom field must have: a number, a
// boolean, or a short word (no URL, no token).
var harmlessValue = regexp.MustCompile(`^(-?[0-9.eE+-]+|true|false|"[A-Za-z0-9 _:.()-]{0,64}")$`)

// keepKnown drops the members of o that are neither standard nor harmless
// custom fields, and counts them.
func (s *sanitizer) keepKnown(o *object, known map[string]bool) {
	kept := (*o)[:0]
	for _, m := range *o {
		if known[m.name] || harmlessCustom[m.name] && harmlessValue.Match(m.val) && !strings.Contains(string(m.val), "://") {
			kept = append(kept, m)
			continue
		}
		s.c.Dropped++
	}
	*o = kept
}

// entry rewrites one entry of log.entries.
func (s *sanitizer) entry(i int, raw []byte) ([]byte, error) {
	e, ok := splitObject(raw)
	if !ok {
		return nil, formatErr("not a HAR: entry %d of log.entries is not a JSON object", i)
	}
	req, err := sub(e, "request", i)
	if err != nil {
		return nil, err
	}
	resp, err := sub(e, "response", i)
	if err != nil {
		return nil, err
	}
	// Structure first: the secrets of the entry's URLs, headers and
	// cookies are known before its bodies are scrubbed (a 401 page that
	// echoes the Authorization it was sent).
	s.requestHead(&req)
	s.responseHead(&resp)
	s.postData(&req)
	s.content(&resp)
	s.comment(&req)
	s.comment(&resp)
	e.set("request", req.encode(nil))
	e.set("response", resp.encode(nil))

	s.keepKnown(&e, entryFields)
	for _, name := range []string{"pageref", "startedDateTime", "connection"} {
		optString(&e, name)
	}
	ensureNumber(&e, "time", "0")
	if m := e.get("cache"); m != nil {
		m.val = s.plain(m.val, cacheFields)
	} else {
		e.set("cache", []byte("{}"))
	}
	if m := e.get("timings"); m != nil {
		m.val = s.timings(m.val)
	} else {
		e.set("timings", []byte(`{"send":0,"wait":0,"receive":0}`))
	}
	// Chrome writes "" (and [::1]) where it knows no address; the schema
	// wants an IP or nothing.
	if ip, ok := optString(&e, "serverIPAddress"); ok {
		ip = strings.Trim(ip, "[]")
		if net.ParseIP(ip) == nil {
			e.del("serverIPAddress")
		} else {
			e.set("serverIPAddress", jsonString(ip))
		}
	}
	s.comment(&e)
	return e.encode(nil), nil
}

func sub(e object, name string, i int) (object, error) {
	m := e.get(name)
	if m == nil {
		return nil, formatErr("not a HAR: entry %d of log.entries has no %q", i, name)
	}
	o, ok := splitObject(m.val)
	if !ok {
		return nil, formatErr("not a HAR: %q of entry %d is not an object", name, i)
	}
	return o, nil
}

// requestHead rewrites a request but for its body, in the file's order
// (pseudonyms are numbered in order of first appearance).
func (s *sanitizer) requestHead(q *object) {
	s.keepKnown(q, requestFields)
	for i := range *q {
		m := &(*q)[i]
		switch m.name {
		case "url":
			if u, ok := str(m.val); ok {
				if r := s.url(u); r != u {
					m.val = jsonString(r)
				}
			}
		case "headers":
			m.val = s.headers(m.val)
		case "cookies":
			m.val = s.cookies(m.val)
		case "queryString":
			m.val = s.nameValues(m.val, true)
		}
	}
	ensureString(q, "method")
	ensureString(q, "url")
	ensureString(q, "httpVersion")
	ensureArray(q, "cookies")
	ensureArray(q, "headers")
	ensureArray(q, "queryString")
	ensureNumber(q, "headersSize", "-1")
	ensureNumber(q, "bodySize", "-1")
}

// responseHead rewrites a response but for its content.
func (s *sanitizer) responseHead(r *object) {
	s.keepKnown(r, responseFields)
	for i := range *r {
		m := &(*r)[i]
		switch m.name {
		case "redirectURL":
			if u, ok := str(m.val); ok {
				if x := s.url(u); x != u {
					m.val = jsonString(x)
				}
			}
		case "headers":
			m.val = s.headers(m.val)
		case "cookies":
			m.val = s.cookies(m.val)
		}
	}
	ensureNumber(r, "status", "0")
	ensureString(r, "statusText")
	ensureString(r, "httpVersion")
	ensureArray(r, "cookies")
	ensureArray(r, "headers")
	ensureString(r, "redirectURL")
	ensureNumber(r, "headersSize", "-1")
	ensureNumber(r, "bodySize", "-1")
	if r.get("content") == nil {
		r.set("content", []byte(`{"size":0,"mimeType":""}`))
	}
}

// headers rewrites an array of {name, value} headers.
func (s *sanitizer) headers(raw []byte) []byte {
	return s.array(raw, func(o *object) {
		s.keepKnown(o, nameValueFields)
		name := ensureString(o, "name")
		v := ensureString(o, "value")
		if r := s.header(name, v); r != v {
			o.set("value", jsonString(r))
		}
		s.comment(o)
	})
}

// nameValues rewrites queryString (shape: values judged by their look too)
// or postData.params.
func (s *sanitizer) nameValues(raw []byte, shape bool) []byte {
	return s.array(raw, func(o *object) {
		if shape {
			s.keepKnown(o, nameValueFields)
		} else {
			s.keepKnown(o, paramFields)
		}
		name := ensureString(o, "name")
		v, ok := optString(o, "value")
		if !ok && !shape {
			return
		}
		if v == "" {
			// ?<token> with no "=" is listed as a name with no value.
			if dn := unescape(name); redact.RandomLooking(dn) || isJWT(dn) {
				o.set("name", jsonString(s.t.pseudo(dn, KindParam)))
			}
			if !ok {
				o.set("value", []byte(`""`))
			}
		} else if r, ok := s.nameValue(name, v, shape); ok {
			o.set("value", jsonString(r))
		}
		if f, ok := optString(o, "fileName"); ok && isURL(f) {
			o.set("fileName", jsonString(s.url(f)))
		}
		optString(o, "contentType")
		s.comment(o)
	})
}

// nameValue judges a value as a tool wrote it in queryString or params:
// Firefox decodes them, Chrome may not, so the decoded value is judged and
// a URL that came encoded is written back encoded.
func (s *sanitizer) nameValue(name, v string, shape bool) (string, bool) {
	if r, ok := s.known(v); ok {
		return r, true
	}
	dv := unescape(v)
	r, ok := s.judge(unescape(name), dv, shape)
	if ok && (isURL(dv) || embeddedJSON(dv)) && !isPlaceholder(r) && !isJWT(dv) && v != dv {
		r = url.QueryEscape(r)
	}
	return r, ok
}

// known returns the pseudonym of a value already met as a secret, when it
// can be told from ordinary values ("en-US" may be a cookie and a query
// parameter both, and say nothing): a field that holds a secret whole holds
// that secret, whatever its name.
func (s *sanitizer) known(v string) (string, bool) {
	r, ok := s.t.known(v)
	if ok {
		s.c.Places++
	}
	return r, ok
}

// cookies rewrites request.cookies or response.cookies: names and
// attributes stay, each value becomes its pseudonym (the same as in the
// Cookie and Set-Cookie headers).
func (s *sanitizer) cookies(raw []byte) []byte {
	return s.array(raw, func(o *object) {
		s.keepKnown(o, cookieFields)
		if name := ensureString(o, "name"); name != "" {
			if r := cookieName(name); r != name {
				o.set("name", jsonString(r))
			}
		}
		if v := ensureString(o, "value"); v != "" {
			o.set("value", jsonString(s.cookieValue(v)))
		}
		if p, ok := optString(o, "path"); ok {
			if r := s.path(p); r != p {
				o.set("path", jsonString(r))
			}
		}
		optString(o, "domain")
		optString(o, "sameSite")
		for _, b := range []string{"httpOnly", "secure"} {
			if m := o.get(b); m != nil && string(m.val) != "true" && string(m.val) != "false" {
				o.del(b)
			}
		}
		if m := o.get("expires"); m != nil && !isNull(m.val) {
			if _, ok := str(m.val); !ok {
				o.del("expires")
			}
		}
		s.comment(o)
	})
}

// array rewrites each object of a JSON array with f; what is not an
// object is dropped (it could be anything).
func (s *sanitizer) array(raw []byte, f func(*object)) []byte {
	items, ok := splitArray(raw)
	if !ok {
		return []byte("[]")
	}
	b := make([]byte, 0, len(raw)+64)
	b = append(b, '[')
	n := 0
	for _, it := range items {
		o, ok := splitObject(it)
		if !ok {
			s.c.Dropped++
			continue
		}
		f(&o)
		if n > 0 {
			b = append(b, ',')
		}
		b = o.encode(b)
		n++
	}
	return append(b, ']')
}

// postData rewrites a request's body: its text by its type, its params.
func (s *sanitizer) postData(q *object) {
	m := q.get("postData")
	if m == nil {
		return
	}
	pd, ok := splitObject(m.val)
	if !ok {
		q.del("postData")
		return
	}
	s.keepKnown(&pd, postDataFields)
	mime := ensureString(&pd, "mimeType")
	if text, ok := optString(&pd, "text"); ok {
		if r := s.body(mime, text); r != text {
			pd.set("text", jsonString(r))
		}
	}
	if p := pd.get("params"); p != nil {
		p.val = s.nameValues(p.val, false)
	}
	s.comment(&pd)
	m.val = pd.encode(nil)
}

// content rewrites a response's body, decoding base64 first.
func (s *sanitizer) content(r *object) {
	m := r.get("content")
	c, ok := splitObject(m.val)
	if !ok {
		m.val = []byte(`{"size":0,"mimeType":""}`)
		return
	}
	s.keepKnown(&c, contentFields)
	mime := ensureString(&c, "mimeType")
	ensureNumber(&c, "size", "0")
	if m := c.get("compression"); m != nil && !isNumber(m.val) {
		c.del("compression")
	}
	enc, _ := optString(&c, "encoding")
	if text, ok := optString(&c, "text"); ok && text != "" {
		if strings.EqualFold(enc, "base64") {
			enc := base64.StdEncoding
			data, err := enc.DecodeString(strings.Map(dropSpace, text))
			if err != nil {
				// Some tools drop the padding.
				enc = base64.RawStdEncoding
				data, err = enc.DecodeString(strings.TrimRight(strings.Map(dropSpace, text), "="))
			}
			if err == nil {
				if r := s.body(mime, string(data)); r != string(data) {
					c.set("text", jsonString(enc.EncodeToString([]byte(r))))
				}
			} else if r, _ := s.text(text); r != text {
				c.set("text", jsonString(r))
			}
		} else if r := s.body(mime, text); r != text {
			c.set("text", jsonString(r))
		}
	}
	s.comment(&c)
	m.val = c.encode(nil)
}

func dropSpace(r rune) rune {
	if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
		return -1
	}
	return r
}

// timings keeps the standard timings and Chrome's custom ones, which are
// all durations (_blocked_queueing, _workerStart...): a number carries no
// token.
func (s *sanitizer) timings(raw []byte) []byte {
	o, ok := splitObject(raw)
	if !ok {
		return []byte(`{"send":0,"wait":0,"receive":0}`)
	}
	kept := o[:0]
	for _, m := range o {
		if timingsFields[m.name] || strings.HasPrefix(m.name, "_") && isNumber(m.val) {
			kept = append(kept, m)
			continue
		}
		s.c.Dropped++
	}
	o = kept
	for _, n := range []string{"blocked", "dns", "connect", "ssl"} {
		if m := o.get(n); m != nil && !isNumber(m.val) {
			m.val = []byte("-1")
		}
	}
	for _, n := range []string{"send", "wait", "receive"} {
		ensureNumber(&o, n, "0")
	}
	s.comment(&o)
	return o.encode(nil)
}

// plain keeps the standard fields of a small object (cache, pageTimings)
// and numeric custom ones.
func (s *sanitizer) plain(raw []byte, known map[string]bool) []byte {
	o, ok := splitObject(raw)
	if !ok {
		return []byte("{}")
	}
	kept := o[:0]
	for _, m := range o {
		if known[m.name] || strings.HasPrefix(m.name, "_") && isNumber(m.val) {
			kept = append(kept, m)
			continue
		}
		s.c.Dropped++
	}
	o = kept
	for _, n := range []string{"beforeRequest", "afterRequest"} {
		if m := o.get(n); m != nil && !isNull(m.val) {
			m.val = s.plain(m.val, cacheEntryFields)
		}
	}
	s.comment(&o)
	return o.encode(nil)
}

// ensureString returns the string member name holds; one that is missing
// or not a string becomes "" (the schema wants a string there).
func ensureString(o *object, name string) string {
	m := o.get(name)
	if m != nil {
		if v, ok := str(m.val); ok {
			return v
		}
	}
	o.set(name, []byte(`""`))
	return ""
}

// optString returns an optional string member; one that is null or not
// a string goes.
func optString(o *object, name string) (string, bool) {
	m := o.get(name)
	if m == nil {
		return "", false
	}
	v, ok := str(m.val)
	if !ok {
		o.del(name)
	}
	return v, ok
}

func ensureNumber(o *object, name, def string) {
	if m := o.get(name); m == nil || !isNumber(m.val) {
		o.set(name, []byte(def))
	}
}

func ensureArray(o *object, name string) {
	if m := o.get(name); m == nil || len(m.val) == 0 || m.val[0] != '[' {
		o.set(name, []byte("[]"))
	}
}

func isNumber(raw []byte) bool {
	return len(raw) > 0 && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9')
}
