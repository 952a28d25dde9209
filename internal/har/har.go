package har

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/redact"
)

// Page is one load of a run. Every request whose Load equals Page.Load
// points at it.
type Page struct {
	Load    int    // the Request.Load of its requests (agent.Page.Index)
	Title   string // may hold a URL: it is redacted like everything else
	Started time.Time
	OnLoad  time.Duration // from Started to the load event; <= 0 when unknown
}

// PageID is the HAR id of load n's page. DevTools names its pages the same
// way, so an imported file reads like one it exported.
func PageID(load int) string { return "page_" + strconv.Itoa(load) }

// Options describe the file's origin and how to sanitize it.
type Options struct {
	Creator string // creator name; "fix401" when empty
	Version string // creator version
	Browser string // the browser's product string, e.g. "HeadlessChrome/156.0.7444.59"
	// Secrets are literal values (a password, a token) removed from every
	// string of the file, with their escaped and base64 forms. They are
	// removed even when Unsanitized is set: the caller named them.
	Secrets []string
	// Sent are secrets the run sent only from load SentFrom on (what
	// relogin typed or answered a challenge with): masked like Secrets, in
	// that load's entries and those after it. A page before it cannot show
	// them, and a password that is an ordinary word must not blank that
	// word there. SentFrom 0 masks them everywhere.
	Sent     []string
	SentFrom int
	// Unsanitized keeps header, cookie and URL values as the browser saw
	// them. Reserved for a deliberate opt-in; the zero value is safe.
	Unsanitized bool
}

// maxBody mirrors the browser package's limit on kept bodies: a body this
// long was probably cut there.
const maxBody = 64 << 10

// Build returns the HAR of reqs, grouped by pages, as indented JSON. A load
// that has requests but no Page gets one made up from its requests.
func Build(pages []Page, reqs []*browser.Request, o Options) ([]byte, error) {
	s := newSanitizer(reqs, o)
	entries := []*entry{}
	for _, q := range reqs {
		if q == nil {
			continue
		}
		for _, hop := range q.Redirects {
			if hop != nil {
				entries = append(entries, s.entry(hop, q.Load))
			}
		}
		entries = append(entries, s.entry(q, q.Load))
	}
	// Stable: a hop and its successor can share a millisecond, and their
	// recorded order is the true one.
	slices.SortStableFunc(entries, func(a, b *entry) int { return a.started.Compare(b.started) })

	name := o.Creator
	if name == "" {
		name = "fix401"
	}
	root := &file{Log: log{Version: "1.2", Entries: entries}}
	for _, e := range entries {
		s.scrubEntry(e)
	}
	// fix401's own words (its name, the browser's, the pages' titles of
	// step and load number, this comment) are no traffic: a password that
	// is one of their words ("reload", "fix401") is not searched for there.
	root.Log.Creator = nameVersion{Name: name, Version: o.Version}
	root.Log.Browser = browserOf(o.Browser)
	root.Log.Pages = buildPages(pages, entries)
	for i := range root.Log.Pages {
		// A title may quote a URL (DevTools titles a page with it).
		root.Log.Pages[i].Title = s.shapes(root.Log.Pages[i].Title)
	}
	root.Log.Comment = s.comment()
	for _, e := range root.Log.Entries {
		// Last, because scrubbing can put "[redacted]" into a URL, and
		// brackets are not allowed there.
		e.Request.URL = uriSafe(e.Request.URL)
		s.setBody(e.load, &e.Response.Content)
	}

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	// DevTools writes "<" as is; \u003c in every HTML body helps nobody.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type file struct {
	Log log `json:"log"`
}

type log struct {
	Version string       `json:"version"`
	Creator nameVersion  `json:"creator"`
	Browser *nameVersion `json:"browser,omitempty"`
	Pages   []page       `json:"pages"`
	Entries []*entry     `json:"entries"`
	Comment string       `json:"comment,omitempty"`
}

type nameVersion struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type page struct {
	StartedDateTime string      `json:"startedDateTime"`
	ID              string      `json:"id"`
	Title           string      `json:"title"`
	PageTimings     pageTimings `json:"pageTimings"`
}

type pageTimings struct {
	OnContentLoad float64 `json:"onContentLoad"`
	OnLoad        float64 `json:"onLoad"`
}

type entry struct {
	Pageref         string   `json:"pageref,omitempty"`
	StartedDateTime string   `json:"startedDateTime"`
	Time            float64  `json:"time"`
	Request         request  `json:"request"`
	Response        response `json:"response"`
	Cache           struct{} `json:"cache"`
	Timings         timings  `json:"timings"`
	ServerIPAddress string   `json:"serverIPAddress,omitempty"`
	// Connection holds the server port, as DevTools writes it and reads
	// it back on import.
	Connection   string `json:"connection,omitempty"`
	FromCache    string `json:"_fromCache,omitempty"`
	ResourceType string `json:"_resourceType,omitempty" scrub:"-"`

	started time.Time
	load    int // the browser.Load it belongs to
}

type request struct {
	Method      string      `json:"method"`
	URL         string      `json:"url"`
	HTTPVersion string      `json:"httpVersion"`
	Cookies     []cookie    `json:"cookies"`
	Headers     []nameValue `json:"headers"`
	QueryString []nameValue `json:"queryString"`
	HeadersSize int         `json:"headersSize"`
	BodySize    int         `json:"bodySize"`
}

type response struct {
	Status       int         `json:"status"`
	StatusText   string      `json:"statusText" scrub:"-"` // a protocol reason phrase
	HTTPVersion  string      `json:"httpVersion"`
	Cookies      []cookie    `json:"cookies"`
	Headers      []nameValue `json:"headers"`
	Content      content     `json:"content"`
	RedirectURL  string      `json:"redirectURL"`
	HeadersSize  int         `json:"headersSize"`
	BodySize     int64       `json:"bodySize"`
	TransferSize int64       `json:"_transferSize"`
	Error        string      `json:"_error,omitempty"`
}

type content struct {
	Size     int64  `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text,omitempty"`
	Encoding string `json:"encoding,omitempty"`
	Comment  string `json:"comment,omitempty"`

	// body is set into Text after the scrub pass, which must not touch
	// base64: it is scrubbed before encoding instead.
	body []byte
}

type nameValue struct {
	// A name goes only when it is a secret whole (a token given as a
	// bare query key): a header's or cookie's name is the protocol's word,
	// and a password that is a word ("Content") must not blank Content-Type.
	Name  string `json:"name" scrub:"whole"`
	Value string `json:"value"`
}

type cookie struct {
	Name     string  `json:"name"`
	Value    string  `json:"value"`
	Path     string  `json:"path,omitempty"`
	Domain   string  `json:"domain,omitempty"`
	Expires  *string `json:"expires,omitempty"`
	HTTPOnly *bool   `json:"httpOnly,omitempty"`
	Secure   *bool   `json:"secure,omitempty"`
	SameSite string  `json:"sameSite,omitempty"`
}

type timings struct {
	Blocked float64 `json:"blocked"`
	DNS     float64 `json:"dns"`
	Connect float64 `json:"connect"`
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
	SSL     float64 `json:"ssl"`
}

// entry is one HAR entry for q; load is the load of the request q belongs
// to (a redirect hop's is its successor's).
func (s *sanitizer) entry(q *browser.Request, load int) *entry {
	t, total := harTimings(q)
	version := httpVersion(q.Protocol)
	e := &entry{
		load:            load,
		Pageref:         PageID(load),
		StartedDateTime: isoTime(q.Started),
		Time:            total,
		Request: request{
			Method:      q.Method,
			URL:         s.url(q.URL),
			HTTPVersion: version,
			Cookies:     s.requestCookies(q.RequestHdr),
			Headers:     s.headers(withAnswered(q)),
			QueryString: s.queryString(q.URL),
			HeadersSize: -1,
			BodySize:    requestBodySize(q.Method),
		},
		Response: response{
			Status:      q.Status,
			StatusText:  statusText(q.Status, q.StatusText),
			HTTPVersion: version,
			Cookies:     s.responseCookies(q.ResponseHdr, q.Started),
			Headers:     s.headers(q.ResponseHdr),
			Content: content{
				Size:     int64(len(q.Body)),
				MimeType: q.MimeType,
				body:     q.Body,
			},
			RedirectURL:  s.url(q.ResponseHdr.Get("Location")),
			HeadersSize:  -1,
			BodySize:     responseBodySize(q),
			TransferSize: q.Size,
			Error:        q.Failed,
		},
		Timings:      t,
		ResourceType: resourceType(q.Type),
		started:      q.Started,
	}
	if e.Request.Method == "" {
		e.Request.Method = http.MethodGet
	}
	if e.Response.Content.MimeType == "" {
		e.Response.Content.MimeType = "x-unknown" // as DevTools writes it
	}
	if len(q.Body) >= maxBody {
		e.Response.Content.Comment = "only the first " + strconv.Itoa(len(q.Body)) + " bytes of the body were kept"
	}
	if ip := serverIP(q.RemoteIP); ip != "" {
		e.ServerIPAddress = ip
		if q.RemotePort > 0 {
			e.Connection = strconv.Itoa(q.RemotePort)
		}
	}
	if q.FromCache {
		// The recorder does not tell memory from disk; disk is what the
		// flag it folds together mostly means.
		e.FromCache = "disk"
	}
	if q.Failed == "" && q.Canceled {
		e.Response.Error = "net::ERR_ABORTED"
	}
	return e
}

// withAnswered returns q's request headers with those the browser sent
// for fix401's answer to a challenge and did not report (the auth retry's
// Authorization): the header and scheme, the value redacted.
func withAnswered(q *browser.Request) http.Header {
	if len(q.AnsweredAuth) == 0 {
		return q.RequestHdr
	}
	h := q.RequestHdr.Clone()
	if h == nil {
		h = http.Header{}
	}
	for _, a := range q.AnsweredAuth {
		name, scheme, _ := strings.Cut(a, ": ")
		if h.Get(name) == "" {
			h.Set(name, strings.TrimSpace(scheme+" "+mark))
		}
	}
	return h
}

// setBody fills Text from the kept body: text as is, anything else in
// base64, scrubbed either way before it is encoded.
func (s *sanitizer) setBody(load int, c *content) {
	if c.body == nil {
		return
	}
	if s.noBodies && load >= s.noBodiesFrom {
		c.Comment = "body left out: a supplied password is too short to be masked in a page's text"
		return
	}
	clean := s.textIn(load, string(c.body))
	if utf8.ValidString(clean) {
		c.Text = clean
		return
	}
	c.Text = base64.StdEncoding.EncodeToString([]byte(clean))
	c.Encoding = "base64"
}

// harTimings turns the recorder's phases into HAR timings and their total.
// HAR wants send, wait and receive present and >= 0; blocked, dns, connect
// and ssl may be -1 (did not happen). time is the sum of the phases that
// happened, without ssl, which HAR counts inside connect.
func harTimings(q *browser.Request) (timings, float64) {
	in := q.Timing
	t := timings{
		Blocked: in.Blocked, DNS: in.DNS, Connect: in.Connect, SSL: in.SSL,
		Send: in.Send, Wait: in.Wait, Receive: in.Receive,
	}
	if in.Blocked == 0 && in.DNS == 0 && in.Connect == 0 && in.SSL == 0 && in.Send == 0 && in.Wait == 0 {
		// No response timing arrived (a failed request, some cache hits):
		// the recorder's zeros mean unknown, not instant. Its Receive is
		// then the whole life of the request, which DevTools shows as
		// blocked when no response ever came.
		t.DNS, t.Connect, t.SSL = -1, -1, -1
		if q.Status == 0 {
			t.Blocked, t.Receive = max(in.Receive, 0), 0
		}
	}
	t.Blocked = phase(t.Blocked)
	t.DNS = phase(t.DNS)
	t.Connect = phase(t.Connect)
	t.SSL = phase(t.SSL)
	t.Send = ms(max(t.Send, 0))
	t.Wait = ms(max(t.Wait, 0))
	t.Receive = ms(max(t.Receive, 0))
	var total float64
	for _, v := range []float64{t.Blocked, t.DNS, t.Connect, t.Send, t.Wait, t.Receive} {
		total += max(v, 0)
	}
	return t, ms(total)
}

// phase is an optional phase: -1 when it did not happen.
func phase(v float64) float64 {
	if v < 0 {
		return -1
	}
	return ms(v)
}

// ms rounds to the microsecond: finer digits are float noise, and they make
// every HAR differ from the last.
func ms(v float64) float64 { return math.Round(v*1000) / 1000 }

// httpVersion maps Chrome's protocol names (ALPN ids) to HAR's HTTP
// versions, spelt as DevTools' own export spells them ("HTTP/2.0", "h3"):
// its importer turns only those back into the "h2" and "h3" that its
// Protocol column shows and its protocol: filter matches.
func httpVersion(protocol string) string {
	p := strings.ToLower(protocol)
	switch {
	case p == "":
		return ""
	case p == "h2" || p == "h2c" || p == "http/2" || p == "http/2.0":
		return "HTTP/2.0"
	case p == "h3" || strings.HasPrefix(p, "h3-") || p == "http/3":
		return "h3"
	case strings.HasPrefix(p, "http/"):
		return "HTTP/" + protocol[len("http/"):]
	}
	return protocol // data, blob, file, gQUIC's "http/2+quic/…": said as Chrome says it
}

// statusText falls back to the reason phrase: HTTP/2 and HTTP/3 have none,
// and "401" alone reads worse in a viewer than "401 Unauthorized".
func statusText(status int, text string) string {
	if text == "" && status > 0 {
		return http.StatusText(status)
	}
	return text
}

// requestBodySize is 0 for methods without a body and unknown (-1)
// otherwise: the recorder keeps no request bodies.
func requestBodySize(method string) int {
	switch strings.ToUpper(method) {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		return -1
	}
	return 0
}

// responseBodySize is known only when nothing came over the network; the
// recorder's Size also counts the headers, so it goes to _transferSize.
func responseBodySize(q *browser.Request) int64 {
	if q.FromCache || q.Status == http.StatusNotModified || (q.Status == 0 && q.Size == 0) {
		return 0
	}
	return -1
}

// resourceType is DevTools' name for a CDP resource type, which its
// importer reads back from _resourceType.
func resourceType(t string) string {
	switch t {
	case "":
		return ""
	case "SignedExchange":
		return "signed-exchange"
	case "CSPViolationReport":
		return "csp-violation-report"
	}
	return strings.ToLower(t)
}

// serverIP is the address without the brackets Chrome puts around IPv6,
// or "" when it is not an address (the schema wants ipv4 or ipv6).
func serverIP(ip string) string {
	a, err := netip.ParseAddr(strings.Trim(ip, "[]"))
	if err != nil {
		return ""
	}
	return a.String()
}

// isoTime is DevTools' format (JavaScript's toJSON): UTC with milliseconds.
func isoTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func browserOf(product string) *nameVersion {
	if product == "" {
		return nil
	}
	name, version, _ := strings.Cut(product, "/")
	return &nameVersion{Name: name, Version: version}
}

// buildPages returns one page per load, in start order: those given, and a
// made-up one for each load that has entries but no Page.
func buildPages(in []Page, entries []*entry) []page {
	type p struct {
		Page
		known bool
	}
	byLoad := map[string]*p{}
	var all []*p
	for _, pg := range in {
		id := PageID(pg.Load)
		if byLoad[id] != nil {
			continue // ids must be unique; the first one wins
		}
		x := &p{Page: pg, known: true}
		byLoad[id] = x
		all = append(all, x)
	}
	for _, e := range entries {
		x := byLoad[e.Pageref]
		if x == nil {
			load, _ := strconv.Atoi(strings.TrimPrefix(e.Pageref, "page_"))
			x = &p{Page: Page{Load: load, Title: e.Request.URL, Started: e.started}}
			byLoad[e.Pageref] = x
			all = append(all, x)
		}
		if !x.known && e.started.Before(x.Started) {
			x.Started = e.started
		}
		if x.Title == "" {
			x.Title = e.Request.URL // what DevTools uses as a page's title
		}
	}
	slices.SortStableFunc(all, func(a, b *p) int {
		if c := a.Started.Compare(b.Started); c != 0 {
			return c
		}
		return a.Load - b.Load
	})
	out := make([]page, 0, len(all))
	for _, x := range all {
		onLoad := -1.0
		if x.OnLoad > 0 {
			onLoad = ms(float64(x.OnLoad) / float64(time.Millisecond))
		}
		out = append(out, page{
			StartedDateTime: isoTime(x.Started),
			ID:              PageID(x.Load),
			Title:           x.Title,
			PageTimings:     pageTimings{OnContentLoad: -1, OnLoad: onLoad},
		})
	}
	return out
}

// uriSafe percent-encodes what RFC 3986 does not allow after the authority
// (Chrome leaves some of it in URLs, and "[redacted]" adds brackets), so
// that the url field is a valid "uri" for strict validators.
func uriSafe(u string) string {
	start, end := 0, 0 // the host part, which may hold an IPv6 [literal]
	if i := strings.Index(u, "://"); i > 0 {
		start = i + 3
		end = len(u)
		if j := strings.IndexAny(u[start:], "/?#"); j >= 0 {
			end = start + j
		}
		if at := strings.LastIndex(u[start:end], "@"); at >= 0 {
			start += at + 1 // the userinfo is escaped, the host is not
		}
	}
	var b strings.Builder
	hash := false
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case i >= start && i < end:
		case c == '#' && !hash:
			hash = true
		case c == '%' && i+2 < len(u) && isHex(u[i+1]) && isHex(u[i+2]):
		case uriChar(c):
		default:
			b.WriteString("%" + strings.ToUpper(strconv.FormatUint(uint64(c)>>4, 16)+strconv.FormatUint(uint64(c)&15, 16)))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// uriChar: unreserved, sub-delims and the delimiters a path, query or
// fragment may hold.
func uriChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@/?", c) >= 0
}

// mark is redact.Mark, named here so the sanitizer reads short.
const mark = redact.Mark
