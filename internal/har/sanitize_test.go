package har

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fix401/fix401/internal/browser"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// leaky is a run that carries a secret in every place one can hide.
func leaky() ([]Page, []*browser.Request) {
	q := doc("https://intranet.example/cb?access_token=QUERYSECRET1&x=1&client_secret=CLIENTSECRET9#id_token=FRAGSECRET1")
	q.Protocol = "h2"
	q.RequestHdr = http.Header{
		":path":               {"/cb?access_token=QUERYSECRET1&x=1&client_secret=CLIENTSECRET9"},
		"Authorization":       {"Basic " + b64("alice:wonderland")},
		"Proxy-Authorization": {"Basic " + b64("proxyuser:pr0xyPass!")},
		"Cookie":              {"sid=COOKIESECRET1; theme=dark"},
		"Referer":             {"https://intranet.example/start?code=REFCODE123&lang=en"},
		"X-Api-Key":           {"APIKEYVALUE77"},
	}
	q.Status, q.StatusText = 401, ""
	q.ResponseHdr = http.Header{
		"Set-Cookie": {
			"session=SETCOOKIESECRET; Path=/app; Domain=intranet.example; Max-Age=3600; HttpOnly; Secure; SameSite=Lax",
			"bad cookie line",
		},
		"Www-Authenticate": {`Basic realm="Reports", charset="UTF-8"`},
		"Link":             {"<https://cdn.example/app.js?sig=LINKSIG12345>; rel=preload"},
	}
	q.Body = []byte(strings.Join([]string{
		"<p>Your session COOKIESECRET1 has expired; the password wonderland was refused.",
		"b64 " + b64("wonderland") + " pair " + b64("alice:wonderland") + " url-safe " + base64.RawURLEncoding.EncodeToString([]byte("x:wonderland")),
		"jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl",
		`<a href="https://login.example/authorize?client_id=reports&amp;state=BODYSTATE77">log in</a>`,
		"token QUERYSECRET1 proxy pr0xyPass! header Bearer BEARERTOKEN.abc-123</p>",
	}, "\n"))

	api := doc("https://intranet.example/api/me")
	api.ID, api.Type, api.Started = "2", "Fetch", t0.Add(time.Millisecond)
	api.RequestHdr = http.Header{"Authorization": {"Bearer BEARERTOKEN.abc-123"}}
	api.Status, api.StatusText = 401, "Unauthorized"
	api.ResponseHdr = http.Header{"Www-Authenticate": {`Bearer realm="api", error="invalid_token"`}}

	pages := []Page{{Load: 1, Title: "reproduce · https://intranet.example/cb?access_token=QUERYSECRET1#id_token=FRAGSECRET1", Started: t0}}
	return pages, []*browser.Request{q, api}
}

var leakySecrets = []string{
	"wonderland", b64("wonderland"), b64("alice:wonderland"), "pr0xyPass!", b64("proxyuser:pr0xyPass!"),
	"COOKIESECRET1", "SETCOOKIESECRET", "QUERYSECRET1", "CLIENTSECRET9", "FRAGSECRET1", "REFCODE123",
	"APIKEYVALUE77", "LINKSIG12345", "BODYSTATE77", "BEARERTOKEN", "eyJhbGciOiJIUzI1NiJ9",
	base64.RawURLEncoding.EncodeToString([]byte("x:wonderland")),
}

func TestSanitizedByDefault(t *testing.T) {
	t.Parallel()
	pages, reqs := leaky()
	f, data := build(t, pages, reqs, Options{Secrets: []string{"wonderland"}})
	for _, s := range leakySecrets {
		if bytes.Contains(data, []byte(s)) {
			t.Errorf("%s is in the HAR", s)
		}
	}

	e := f.Log.Entries[0]
	hdr := func(hs []nameValue, name string) string {
		for _, h := range hs {
			if h.Name == name {
				return h.Value
			}
		}
		t.Errorf("no %s header", name)
		return ""
	}
	// Names, schemes and attributes stay: they are the evidence.
	for name, want := range map[string]string{
		"Authorization":       "Basic [redacted]",
		"Proxy-Authorization": "Basic [redacted]",
		"Cookie":              "sid=[redacted]; theme=[redacted]",
		"Referer":             "https://intranet.example/start?code=[redacted]&lang=en",
		"X-Api-Key":           "[redacted]",
		":path":               "/cb?access_token=[redacted]&x=1&client_secret=[redacted]",
	} {
		if got := hdr(e.Request.Headers, name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if got := hdr(e.Response.Headers, "Www-Authenticate"); got != `Basic realm="Reports", charset="UTF-8"` {
		t.Errorf("challenge changed: %q", got)
	}
	if got := hdr(e.Response.Headers, "Link"); got != "<https://cdn.example/app.js?sig=[redacted]>; rel=preload" {
		t.Errorf("Link: %q", got)
	}
	if got := hdr(e.Response.Headers, "Set-Cookie"); !strings.HasPrefix(got, "session=[redacted]; Path=/app") {
		t.Errorf("Set-Cookie: %q", got)
	}
	if got := hdr(f.Log.Entries[1].Response.Headers, "Www-Authenticate"); got != `Bearer realm="api", error="invalid_token"` {
		t.Errorf("bearer challenge changed: %q", got)
	}
	if got := hdr(f.Log.Entries[1].Request.Headers, "Authorization"); got != "Bearer [redacted]" {
		t.Errorf("bearer: %q", got)
	}

	if c := e.Request.Cookies; len(c) != 2 || c[0] != (cookie{Name: "sid", Value: mark}) || c[1] != (cookie{Name: "theme", Value: mark}) {
		t.Errorf("request cookies %+v", c)
	}
	rc := e.Response.Cookies
	if len(rc) != 2 {
		t.Fatalf("response cookies %+v", rc)
	}
	if c := rc[0]; c.Name != "session" || c.Value != mark || c.Path != "/app" || c.Domain != "intranet.example" ||
		!*c.HTTPOnly || !*c.Secure || c.SameSite != "Lax" || c.Expires == nil || *c.Expires != "2026-03-04T11:20:30.123Z" {
		t.Errorf("response cookie %+v", c)
	}
	if c := rc[1]; c.Value != mark && c.Value != "" {
		t.Errorf("unparsable Set-Cookie kept its value: %+v", c)
	}

	wantQS := []nameValue{{"access_token", mark}, {"x", "1"}, {"client_secret", mark}}
	if qs := e.Request.QueryString; len(qs) != 3 || qs[0] != wantQS[0] || qs[1] != wantQS[1] || qs[2] != wantQS[2] {
		t.Errorf("queryString %+v", qs)
	}
	if e.Request.URL != "https://intranet.example/cb?access_token=%5Bredacted%5D&x=1&client_secret=%5Bredacted%5D#id_token=%5Bredacted%5D" {
		t.Errorf("url %s", e.Request.URL)
	}
	if title := f.Log.Pages[0].Title; strings.Contains(title, "SECRET") || !strings.Contains(title, "access_token=[redacted]") {
		t.Errorf("page title %q", title)
	}
	body := e.Response.Content.Text
	for _, kept := range []string{"Your session [redacted] has expired", "client_id=reports", "Bearer [redacted]"} {
		if !strings.Contains(body, kept) {
			t.Errorf("body lost %q:\n%s", kept, body)
		}
	}
	if !strings.Contains(f.Log.Comment, "sanitized") {
		t.Errorf("comment %q", f.Log.Comment)
	}
}

func TestBinaryBodyScrubbedBeforeBase64(t *testing.T) {
	t.Parallel()
	q := doc("http://127.0.0.1:8401/s/basic/")
	q.Status, q.MimeType = 401, "application/octet-stream"
	q.Body = []byte("\xff\xfe\x00 password wonderland in binary \x80")
	f, _ := build(t, nil, []*browser.Request{q}, Options{Secrets: []string{"wonderland"}})
	c := f.Log.Entries[0].Response.Content
	if c.Encoding != "base64" || c.Size != int64(len(q.Body)) {
		t.Fatalf("content %+v", c)
	}
	raw, err := base64.StdEncoding.DecodeString(c.Text)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("wonderland")) || !bytes.Contains(raw, []byte("password [redacted] in binary")) || raw[0] != 0xff {
		t.Errorf("decoded body %q", raw)
	}
}

// Unsanitized keeps what the browser saw, except the secrets the caller
// named: those never belong in a file.
func TestUnsanitizedStillScrubsNamedSecrets(t *testing.T) {
	t.Parallel()
	pages, reqs := leaky()
	f, data := build(t, pages, reqs, Options{Unsanitized: true, Secrets: []string{"wonderland"}})
	for _, s := range []string{"wonderland", b64("wonderland")} {
		if bytes.Contains(data, []byte(s)) {
			t.Errorf("%s is in the unsanitized HAR", s)
		}
	}
	for _, s := range []string{"COOKIESECRET1", "QUERYSECRET1", "BEARERTOKEN.abc-123"} {
		if !bytes.Contains(data, []byte(s)) {
			t.Errorf("%s was removed from the unsanitized HAR", s)
		}
	}
	if !strings.HasPrefix(f.Log.Comment, "NOT sanitized") {
		t.Errorf("comment %q", f.Log.Comment)
	}
}

// A password of one or two characters cannot be found in a page's text
// without garbling it: no body is kept at all, and the HAR says why.
func TestTooShortAPasswordKeepsNoBody(t *testing.T) {
	t.Parallel()
	q := doc("http://127.0.0.1:8401/s/basic/")
	q.Status, q.MimeType = 401, "text/html"
	q.Body = []byte("<p>wrong password: pw</p>")
	f, data := build(t, nil, []*browser.Request{q}, Options{Secrets: []string{"pw"}})
	c := f.Log.Entries[0].Response.Content
	if c.Text != "" || !strings.Contains(c.Comment, "too short") || bytes.Contains(data, []byte("password: pw")) {
		t.Fatalf("content %+v", c)
	}
	// A longer one keeps the body, masked where it stands.
	f, _ = build(t, nil, []*browser.Request{q}, Options{Secrets: []string{"wrong password: pw"}})
	if f.Log.Entries[0].Response.Content.Text == "" {
		t.Error("a maskable password lost the body")
	}
}

// In the HAR too, an ordinary-word password is masked as a word only,
// while its base64 forms are found inside longer blobs.
func TestWordPasswordMaskedAsAWord(t *testing.T) {
	t.Parallel()
	s := newSanitizer(nil, Options{Secrets: []string{"the"}})
	if got := s.text("Either the page or theirs"); got != "Either "+mark+" page or theirs" {
		t.Errorf("%q", got)
	}
}

// fix401's own words in the HAR (its name, its comment, the pages' titles
// of step and load) are not searched for the caller's secrets: a password
// that is one of those words leaves them whole.
func TestOwnWordsAreNotSearched(t *testing.T) {
	t.Parallel()
	q := doc("http://127.0.0.1:8401/s/basic/")
	q.Load = 3
	pages := []Page{{Load: 3, Title: "reload · load 3 · 401 Unauthorized", Started: q.Started}}
	f, _ := build(t, pages, []*browser.Request{q}, Options{Secrets: []string{"fix401", "reload"}})
	if f.Log.Creator.Name != "fix401" || !strings.Contains(f.Log.Comment, "fix401") || f.Log.Pages[0].Title != "reload · load 3 · 401 Unauthorized" {
		t.Errorf("creator %q comment %q title %q", f.Log.Creator.Name, f.Log.Comment, f.Log.Pages[0].Title)
	}
}

// Names are the protocol's words: a password "Content" leaves the header
// Content-Type whole, while a token given as a bare query key goes.
func TestNamesMaskedOnlyWhole(t *testing.T) {
	t.Parallel()
	q := doc("http://127.0.0.1:8401/s/basic/?Hunter2secretpw&a=b")
	_, data := build(t, nil, []*browser.Request{q}, Options{Secrets: []string{"Hunter2secretpw", "Content"}})
	if bytes.Contains(data, []byte("Hunter2secretpw")) {
		t.Error("a bare query key that is the secret is in the HAR")
	}
	if bytes.Contains(data, []byte("[redacted]-Type")) {
		t.Error("a header name was blanked by a word password")
	}
}

// A secret the run sent from some load on (relogin's password) is masked
// in that load's entries and later ones only: a page before it cannot show
// it, and a password that is an ordinary word must not blank that word
// there. The same holds for a short value traffic first carried in a later
// load (the password inside relogin's Basic header), while a long one (a
// token an earlier page handed out) is masked in every load.
func TestSentSecretsAreMaskedFromTheLoadThatSentThem(t *testing.T) {
	t.Parallel()
	const token = "tok-4f9a2c71e0b3d58a6e12"
	page := func(load int, body string, hdr http.Header) *browser.Request {
		q := doc("http://127.0.0.1:8401/s/basic/")
		q.ID, q.Load, q.Status, q.StatusText = fmt.Sprint(load), load, 401, "Unauthorized"
		q.Started = t0.Add(time.Duration(load) * time.Second)
		q.Body = []byte(body)
		for k, v := range hdr {
			q.RequestHdr[k] = v
		}
		return q
	}
	before := page(1, "<p>This page needs the password. Your key: "+token+"</p>", nil)
	// Relogin's load: the password in its header, and a page that echoes it.
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("alice:page"))
	after := page(2, "<p>This page refused the password page</p>", http.Header{"Authorization": {basic}, "X-Api-Key": {token}})
	f, _ := build(t, nil, []*browser.Request{before, after}, Options{Sent: []string{"page"}, SentFrom: 2})
	if got := f.Log.Entries[0].Response.Content.Text; got != "<p>This page needs the password. Your key: "+mark+"</p>" {
		t.Errorf("before the password was sent: %q", got)
	}
	if got := f.Log.Entries[1].Response.Content.Text; got != "<p>This "+mark+" refused the password "+mark+"</p>" {
		t.Errorf("once it was sent: %q", got)
	}
	// Learnt from traffic alone (the caller did not name it): the same.
	f, _ = build(t, nil, []*browser.Request{before, after}, Options{})
	if got := f.Log.Entries[0].Response.Content.Text; !strings.Contains(got, "This page needs") || strings.Contains(got, token) {
		t.Errorf("before the header carried it: %q", got)
	}
	if got := f.Log.Entries[1].Response.Content.Text; strings.Contains(got, "page") {
		t.Errorf("after: %q", got)
	}
	// A short value shaped like a token (a session id a login page handed
	// out, then sent as a cookie) goes from the earlier page too.
	// One of letters only keeps its load: it may be a word of the earlier
	// page ("language").
	const sid = "s3ss10nA9"
	handed := page(1, `{"session":"`+sid+`","label":"language"}`, nil)
	sent := page(2, "<p>session "+sid+", language</p>", http.Header{"Cookie": {"sid=" + sid + "; lang=language"}})
	f, _ = build(t, nil, []*browser.Request{handed, sent}, Options{})
	if got := f.Log.Entries[0].Response.Content.Text; got != `{"session":"`+mark+`","label":"language"}` {
		t.Errorf("the page that handed out the session id: %q", got)
	}
	if got := f.Log.Entries[1].Response.Content.Text; got != "<p>session "+mark+", "+mark+"</p>" {
		t.Errorf("the page that was sent both: %q", got)
	}
	// A password with a space (or an apostrophe) has escaped forms with
	// digits ("the%20page", "don&#39;t"): they keep the password's load.
	words := page(1, "<p>Read the page. We don't mind.</p>", nil)
	words.URL = "http://127.0.0.1:8401/docs/the%20page?q=don%27t"
	f, _ = build(t, nil, []*browser.Request{words, after}, Options{Sent: []string{"the page", "don't"}, SentFrom: 2})
	if e := f.Log.Entries[0]; e.Response.Content.Text != "<p>Read the page. We don't mind.</p>" || !strings.Contains(e.Request.URL, "the%20page") {
		t.Errorf("before the passwords were sent: %q %q", e.Request.URL, e.Response.Content.Text)
	}
	// Too short to mask: no body from the load that sent it, the earlier
	// ones kept.
	f, _ = build(t, nil, []*browser.Request{before, after}, Options{Sent: []string{"pg"}, SentFrom: 2})
	if e := f.Log.Entries; e[0].Response.Content.Text == "" || e[1].Response.Content.Text != "" {
		t.Errorf("bodies: %q, %q", e[0].Response.Content.Text, e[1].Response.Content.Text)
	}
}

// Parameters hidden behind ";" or under an innocent name with a key's
// shape go from the queryString DevTools shows and from a body that
// echoes the URL, as they go from the URL.
func TestParametersThatSidestepTheNames(t *testing.T) {
	t.Parallel()
	const foo = "Kx8vQ2mZp7RtY3nL9wB4cF6hJ1sD5gA0"
	u := "http://127.0.0.1:8401/echo?a=1;code_verifier=CVSEC1xx;authorization=AZSEC2xx&foo=" + foo + "&token =SPACESEC2"
	q := doc(u)
	q.Status, q.Body = 401, []byte("<p>You asked for "+u+"</p>")
	_, data := build(t, nil, []*browser.Request{q}, Options{})
	for _, s := range []string{"CVSEC1xx", "AZSEC2xx", foo, "SPACESEC2"} {
		if bytes.Contains(data, []byte(s)) {
			t.Errorf("the HAR keeps %s:\n%s", s, data)
		}
	}
	if !bytes.Contains(data, []byte(`"name": "a"`)) || !bytes.Contains(data, []byte("code_verifier=[redacted]")) {
		t.Errorf("the parameters lost their names:\n%s", data)
	}
}
