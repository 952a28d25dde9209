package har

import (
	"bytes"
	"encoding/base64"
	"github.com/fix401/fix401/internal/testhar"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fix401/fix401/internal/browser"
)

var t0 = time.Date(2026, 3, 4, 10, 20, 30, 123_000_000, time.UTC)

// doc is a plain, successful main document of load 1.
func doc(u string) *browser.Request {
	return &browser.Request{
		ID: "1", Load: 1, URL: u, Method: "GET", Type: "Document", Document: true,
		Started:     t0,
		RequestHdr:  http.Header{"Accept": {"text/html"}},
		Status:      200,
		StatusText:  "OK",
		ResponseHdr: http.Header{"Content-Type": {"text/html"}},
		MimeType:    "text/html", Protocol: "http/1.1",
		RemoteIP: "127.0.0.1", RemotePort: 8401, Size: 512,
		Timing: browser.Timing{Blocked: 1.5, DNS: -1, Connect: -1, SSL: -1, Send: 0.25, Wait: 3, Receive: 0.75},
	}
}

func build(t *testing.T, pages []Page, reqs []*browser.Request, o Options) (*file, []byte) {
	t.Helper()
	data, err := Build(pages, reqs, o)
	if err != nil {
		t.Fatal(err)
	}
	testhar.ValidateHAR(t, data)
	f := decode(t, data)
	checkRules(t, f)
	return f, data
}

func TestTimings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		in     browser.Timing
		want   timings
		time   float64
	}{
		{"reused connection", 200,
			browser.Timing{Blocked: 1.5, DNS: -1, Connect: -1, SSL: -1, Send: 0.25, Wait: 3, Receive: 0.75},
			timings{Blocked: 1.5, DNS: -1, Connect: -1, SSL: -1, Send: 0.25, Wait: 3, Receive: 0.75}, 5.5},
		// ssl is part of connect in HAR: counting it again would inflate time.
		{"new TLS connection", 200,
			browser.Timing{Blocked: 0.5, DNS: 2, Connect: 10, SSL: 6, Send: 0.5, Wait: 20, Receive: 1},
			timings{Blocked: 0.5, DNS: 2, Connect: 10, SSL: 6, Send: 0.5, Wait: 20, Receive: 1}, 34},
		// HAR requires send, wait and receive >= 0.
		{"send wait receive unknown", 200,
			browser.Timing{Blocked: 2, DNS: -1, Connect: -1, SSL: -1, Send: -1, Wait: -1, Receive: -1},
			timings{Blocked: 2, DNS: -1, Connect: -1, SSL: -1, Send: 0, Wait: 0, Receive: 0}, 2},
		// Nothing but the recorder's lifetime: DevTools calls that blocked.
		{"failed before any response", 0,
			browser.Timing{Receive: 12.5},
			timings{Blocked: 12.5, DNS: -1, Connect: -1, SSL: -1, Send: 0, Wait: 0, Receive: 0}, 12.5},
		{"cache hit without timing", 200,
			browser.Timing{Receive: 0.4},
			timings{Blocked: 0, DNS: -1, Connect: -1, SSL: -1, Send: 0, Wait: 0, Receive: 0.4}, 0.4},
		{"float noise rounded", 200,
			browser.Timing{Blocked: 0.1, DNS: 0.2, Connect: -1, SSL: -1, Send: 0.0001234, Wait: 1.0000004, Receive: 0},
			timings{Blocked: 0.1, DNS: 0.2, Connect: -1, SSL: -1, Send: 0, Wait: 1, Receive: 0}, 1.3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q := doc("http://127.0.0.1:8401/")
			q.Status, q.Timing = tt.status, tt.in
			got, total := harTimings(q)
			if got != tt.want || total != tt.time {
				t.Errorf("got %+v time %v, want %+v time %v", got, total, tt.want, tt.time)
			}
			f, _ := build(t, nil, []*browser.Request{q}, Options{})
			if e := f.Log.Entries[0]; e.Time != tt.time || e.Timings != tt.want {
				t.Errorf("in the file: %+v time %v", e.Timings, e.Time)
			}
		})
	}
}

func TestHTTPVersion(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"h2": "HTTP/2.0", "H2": "HTTP/2.0", "http/1.1": "HTTP/1.1", "http/1.0": "HTTP/1.0",
		"h3": "h3", "h3-29": "h3", "": "", "data": "data", "blob": "blob",
		"http/2+quic/46": "HTTP/2+quic/46",
	} {
		if got := httpVersion(in); got != want {
			t.Errorf("httpVersion(%q) = %q, want %q", in, got, want)
		}
	}
	q := doc("https://intranet.example/reports/q3")
	q.Protocol, q.Status, q.StatusText = "h2", 401, "" // HTTP/2 has no reason phrase
	f, _ := build(t, nil, []*browser.Request{q}, Options{})
	e := f.Log.Entries[0]
	if e.Request.HTTPVersion != "HTTP/2.0" || e.Response.HTTPVersion != "HTTP/2.0" || e.Response.StatusText != "Unauthorized" {
		t.Errorf("got %q %q %q", e.Request.HTTPVersion, e.Response.HTTPVersion, e.Response.StatusText)
	}
}

func TestRedirects(t *testing.T) {
	t.Parallel()
	hop1 := doc("http://intranet.example/login?return=/reports")
	hop1.Status, hop1.StatusText = 301, "Moved Permanently"
	hop1.ResponseHdr = http.Header{"Location": {"https://intranet.example/login?return=/reports"}}
	hop2 := doc("https://intranet.example/login?return=/reports")
	hop2.Started = t0.Add(5 * time.Millisecond)
	hop2.Status, hop2.StatusText = 302, "Found"
	hop2.ResponseHdr = http.Header{"Location": {"/callback?code=AUTHCODE99&state=STATE12345#access_token=FRAGTOKEN1"}}
	final := doc("https://intranet.example/callback?code=AUTHCODE99&state=STATE12345")
	final.Started = t0.Add(9 * time.Millisecond)
	final.Redirects = []*browser.Request{hop1, hop2}

	f, data := build(t, nil, []*browser.Request{final}, Options{})
	if len(f.Log.Entries) != 3 {
		t.Fatalf("%d entries, want one per hop and the final one", len(f.Log.Entries))
	}
	want := []struct {
		status   int
		redirect string
	}{
		{301, "https://intranet.example/login?return=/reports"},
		{302, "/callback?code=[redacted]&state=[redacted]#access_token=[redacted]"},
		{200, ""},
	}
	for i, e := range f.Log.Entries {
		if e.Response.Status != want[i].status || e.Response.RedirectURL != want[i].redirect {
			t.Errorf("entry %d: %d %q, want %d %q", i, e.Response.Status, e.Response.RedirectURL, want[i].status, want[i].redirect)
		}
		if e.Pageref != "page_1" {
			t.Errorf("entry %d: pageref %q", i, e.Pageref)
		}
	}
	if loc := f.Log.Entries[1].Response.Headers[0]; loc.Name != "Location" || loc.Value != want[1].redirect {
		t.Errorf("Location header %+v", loc)
	}
	if u := f.Log.Entries[2].Request.URL; u != "https://intranet.example/callback?code=%5Bredacted%5D&state=%5Bredacted%5D" {
		t.Errorf("final url %s", u)
	}
	for _, secret := range []string{"AUTHCODE99", "STATE12345", "FRAGTOKEN1"} {
		if bytes.Contains(data, []byte(secret)) {
			t.Errorf("%s is in the HAR", secret)
		}
	}
}

func TestFailedRequests(t *testing.T) {
	t.Parallel()
	refused := &browser.Request{
		ID: "7", Load: 1, URL: "http://127.0.0.1:1/", Method: "GET", Type: "Document", Started: t0,
		RequestHdr: http.Header{"Accept": {"text/html"}},
		Failed:     "net::ERR_CONNECTION_REFUSED", Timing: browser.Timing{Receive: 3},
	}
	canceled := &browser.Request{
		ID: "8", Load: 1, URL: "http://127.0.0.1:8401/slow.js", Method: "GET", Type: "Script",
		Started: t0.Add(time.Millisecond), Canceled: true,
	}
	f, _ := build(t, nil, []*browser.Request{refused, canceled}, Options{})
	if len(f.Log.Entries) != 2 {
		t.Fatalf("%d entries: failed requests must stay, as DevTools keeps them", len(f.Log.Entries))
	}
	e := f.Log.Entries[0]
	r := e.Response
	if r.Status != 0 || r.StatusText != "" || r.Error != "net::ERR_CONNECTION_REFUSED" || r.BodySize != 0 ||
		r.Content.MimeType != "x-unknown" || e.ServerIPAddress != "" || e.Timings.Blocked != 3 || e.Time != 3 {
		t.Errorf("refused: %+v %+v", e, r)
	}
	if got := f.Log.Entries[1]; got.Response.Error != "net::ERR_ABORTED" || got.ResourceType != "script" {
		t.Errorf("canceled: error %q type %q", got.Response.Error, got.ResourceType)
	}
}

func TestEntryFields(t *testing.T) {
	t.Parallel()
	q := doc("http://127.0.0.1:8401/s/basic/?x=1&y=a+b")
	q.FromCache = true
	q.Body = []byte("<h1>Unauthorized</h1>")
	q.Status, q.StatusText = 401, "Unauthorized"
	v6 := doc("http://[::1]:8401/app.js")
	v6.Type, v6.RemoteIP, v6.Started = "Script", "[::1]", t0.Add(time.Millisecond)
	f, _ := build(t, nil, []*browser.Request{q, v6}, Options{Version: "1.2.3", Browser: "HeadlessChrome/156.0.7444.59"})
	if c, b := f.Log.Creator, f.Log.Browser; c.Name != "fix401" || c.Version != "1.2.3" || b == nil || b.Name != "HeadlessChrome" || b.Version != "156.0.7444.59" {
		t.Errorf("creator %+v browser %+v", c, b)
	}
	e := f.Log.Entries[0]
	if e.StartedDateTime != "2026-03-04T10:20:30.123Z" {
		t.Errorf("startedDateTime %s", e.StartedDateTime)
	}
	if e.ServerIPAddress != "127.0.0.1" || e.Connection != "8401" || e.FromCache != "disk" || e.ResourceType != "document" {
		t.Errorf("ip %q connection %q cache %q type %q", e.ServerIPAddress, e.Connection, e.FromCache, e.ResourceType)
	}
	if c := e.Response.Content; c.Text != "<h1>Unauthorized</h1>" || c.Size != 21 || c.Encoding != "" || c.MimeType != "text/html" {
		t.Errorf("content %+v", c)
	}
	if e.Response.BodySize != 0 || e.Response.TransferSize != 512 || e.Request.BodySize != 0 {
		t.Errorf("sizes: body %d transfer %d request %d", e.Response.BodySize, e.Response.TransferSize, e.Request.BodySize)
	}
	if qs := e.Request.QueryString; len(qs) != 2 || qs[1] != (nameValue{"y", "a b"}) {
		t.Errorf("queryString %+v", qs)
	}
	if ip := f.Log.Entries[1].ServerIPAddress; ip != "::1" {
		t.Errorf("IPv6 address %q, want it without brackets", ip)
	}
}

func TestPages(t *testing.T) {
	t.Parallel()
	a := doc("http://127.0.0.1:8401/a")
	b := doc("http://127.0.0.1:8401/b")
	b.Load, b.Started = 2, t0.Add(time.Second)
	img := doc("http://127.0.0.1:8401/b.png")
	img.Load, img.Type, img.Started = 2, "Image", t0.Add(time.Second+time.Millisecond)
	pages := []Page{{Load: 1, Title: "reproduce · load 1 · 200 OK", Started: t0.Add(-time.Millisecond), OnLoad: 1500 * time.Microsecond}}
	f, _ := build(t, pages, []*browser.Request{a, b, img}, Options{})
	if len(f.Log.Pages) != 2 {
		t.Fatalf("pages %+v", f.Log.Pages)
	}
	p1, p2 := f.Log.Pages[0], f.Log.Pages[1]
	if p1.ID != "page_1" || p1.Title != pages[0].Title || p1.PageTimings.OnLoad != 1.5 || p1.StartedDateTime != "2026-03-04T10:20:30.122Z" {
		t.Errorf("given page %+v", p1)
	}
	// A load without a Page still gets one, or its entries would point
	// nowhere and DevTools would not group them.
	if p2.ID != "page_2" || p2.Title != b.URL || p2.PageTimings.OnLoad != -1 || p2.StartedDateTime != "2026-03-04T10:20:31.123Z" {
		t.Errorf("made-up page %+v", p2)
	}
	if refs := [3]string{f.Log.Entries[0].Pageref, f.Log.Entries[1].Pageref, f.Log.Entries[2].Pageref}; refs != [3]string{"page_1", "page_2", "page_2"} {
		t.Errorf("pagerefs %v", refs)
	}
}

func TestEmpty(t *testing.T) {
	t.Parallel()
	f, _ := build(t, nil, nil, Options{})
	if f.Log.Version != "1.2" || f.Log.Entries == nil || f.Log.Pages == nil || f.Log.Browser != nil {
		t.Errorf("%+v", f.Log)
	}
}

func TestURISafe(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"http://x/?a=[redacted]":             "http://x/?a=%5Bredacted%5D",
		"http://[::1]:80/p?q=1#f":            "http://[::1]:80/p?q=1#f",
		"http://x/a|b{c}^`":                  "http://x/a%7Cb%7Bc%7D%5E%60",
		"http://x/50%25/100%":                "http://x/50%25/100%25",
		"http://u:[redacted]@x/":             "http://u:%5Bredacted%5D@x/",
		"http://x/#a#b":                      "http://x/#a%23b",
		"data:text/plain,hello world":        "data:text/plain,hello%20world",
		"https://x/caf\xc3\xa9?q=\"quoted\"": "https://x/caf%C3%A9?q=%22quoted%22",
	} {
		if got := uriSafe(in); got != want {
			t.Errorf("uriSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBearerInText(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Authorization: Bearer abc.def-123":                "Authorization: Bearer [redacted]",
		`Bearer realm="api", error="invalid_token"`:        `Bearer realm="api", error="invalid_token"`,
		"Bearer error=invalid_token":                       "Bearer error=invalid_token",
		"send a Bearer token or use Bearer authentication": "send a Bearer token or use Bearer authentication",
		"bearer lab-token-ok, then":                        "bearer [redacted], then",
		"Bearer [redacted]":                                "Bearer [redacted]",
	} {
		if got := redactBearer(in); got != want {
			t.Errorf("redactBearer(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBase64Forms(t *testing.T) {
	t.Parallel()
	s := newSanitizer(nil, Options{Secrets: []string{"wonderland"}})
	// The secret at every offset inside longer base64 blobs.
	for _, prefix := range []string{"", "a", "ab", "abc:", "user:"} {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
			blob := enc.EncodeToString([]byte(prefix + "wonderland" + "!tail"))
			if got := s.text("Basic " + blob); strings.Contains(got, blob) || !strings.Contains(got, mark) {
				t.Errorf("base64 of %q…: %s", prefix+"wonderland", got)
			}
		}
	}
}
