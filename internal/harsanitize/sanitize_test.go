package harsanitize

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"github.com/fix401/fix401/internal/testhar"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fix401/fix401/internal/harfile"
)

var plantedPath = filepath.Join("..", "..", "testdata", "har", "planted.har")

// sanitize runs Sanitize over in and fails the test on error.
func sanitize(t *testing.T, in []byte) ([]byte, Counts) {
	t.Helper()
	var out bytes.Buffer
	c, err := Sanitize(bytes.NewReader(in), &out, Options{Version: "test"})
	if err != nil {
		t.Fatalf("Sanitize: %v", err)
	}
	return out.Bytes(), c
}

func sanitizePlanted(t *testing.T) ([]byte, []byte, Counts) {
	t.Helper()
	in, err := os.ReadFile(plantedPath)
	if err != nil {
		t.Fatal(err)
	}
	out, c := sanitize(t, in)
	return in, out, c
}

// plantedForms are the forms a secret may be written in: as it is, URL-
// and HTML-encoded, base64 in both alphabets with and without padding.
func plantedForms(v string) []string {
	forms := []string{v, url.QueryEscape(v), url.PathEscape(v), strings.ReplaceAll(v, "&", "&amp;")}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		b := enc.EncodeToString([]byte(v))
		forms = append(forms, b, strings.TrimRight(b, "="))
	}
	return forms
}

// har is what the tests read back of a sanitized HAR.
type har struct {
	Log struct {
		Version string `json:"version"`
		Comment string `json:"comment"`
		Pages   []struct {
			Title string `json:"title"`
		} `json:"pages"`
		Entries []struct {
			Request struct {
				URL         string      `json:"url"`
				Headers     []nameValue `json:"headers"`
				Cookies     []nameValue `json:"cookies"`
				QueryString []nameValue `json:"queryString"`
				PostData    *struct {
					Text   string      `json:"text"`
					Params []nameValue `json:"params"`
				} `json:"postData"`
			} `json:"request"`
			Response struct {
				Headers []nameValue `json:"headers"`
				Cookies []nameValue `json:"cookies"`
				Content struct {
					Text     string `json:"text"`
					Encoding string `json:"encoding"`
				} `json:"content"`
				RedirectURL string `json:"redirectURL"`
			} `json:"response"`
			Comment string `json:"comment"`
		} `json:"entries"`
	} `json:"log"`
}

type nameValue struct{ Name, Value string }

func header(h []nameValue, name string) string {
	for _, x := range h {
		if strings.EqualFold(x.Name, name) {
			return x.Value
		}
	}
	return ""
}

func decodeHAR(t *testing.T, data []byte) *har {
	t.Helper()
	var h har
	if err := json.Unmarshal(data, &h); err != nil {
		t.Fatalf("the sanitized HAR is not JSON: %v", err)
	}
	return &h
}

// TestPlantedSecretsGo is the contract: every secret the fixture plants,
// in every form, is gone from the sanitized copy.
func TestPlantedSecretsGo(t *testing.T) {
	in, out, _ := sanitizePlanted(t)
	for name, v := range planted {
		if !bytes.Contains(in, []byte(v)) && name != "BASIC_PW" && name != "PROXY_PW" {
			t.Errorf("%s is not in the fixture: the test would prove nothing", name)
		}
		for _, f := range plantedForms(v) {
			if bytes.Contains(out, []byte(f)) {
				t.Errorf("%s (%q) is in the sanitized HAR as %q", name, v, f)
			}
		}
	}
	for _, sig := range []string{"AT_SIG", "ID_SIG", "ID2_SIG", "DEV_SIG"} {
		if bytes.Contains(out, []byte(planted[sig])) {
			t.Errorf("the signature %s is in the sanitized HAR", sig)
		}
	}
	// Custom fields that can hold anything are gone.
	for _, f := range []string{`"_initiator"`, `"_webSocketMessages"`, `"_recorder"`} {
		if bytes.Contains(out, []byte(f)) {
			t.Errorf("%s is in the sanitized HAR", f)
		}
	}
}

// TestSanitizeKeepsTheEvidence checks what must stay: names, schemes,
// cookie attributes, JWT headers and claims, the harmless custom fields,
// and the correlation of pseudonyms.
func TestSanitizeKeepsTheEvidence(t *testing.T) {
	in, out, c := sanitizePlanted(t)
	h := decodeHAR(t, out)
	var hin har
	if err := json.Unmarshal(in, &hin); err != nil {
		t.Fatal(err)
	}
	if h.Log.Version != "1.2" || len(h.Log.Entries) != len(hin.Log.Entries) || len(h.Log.Entries) != 15 || c.Entries != 15 {
		t.Fatalf("version %q, %d entries (Counts %d), want 1.2 and %d", h.Log.Version, len(h.Log.Entries), c.Entries, len(hin.Log.Entries))
	}
	if !strings.HasPrefix(h.Log.Comment, hin.Log.Comment+"\n\n") || !strings.Contains(h.Log.Comment, "Sanitized by fix401 har sanitize test") {
		t.Errorf("log.comment does not keep the original and add fix401's: %q", h.Log.Comment)
	}
	pseudo := regexp.MustCompile(`^\[redacted:(cookie|authorization|token|code|password|saml|secret|param)#[1-9][0-9]*\]$`)
	e := h.Log.Entries

	// Cookies: names and attributes stay, the same value has the same
	// pseudonym everywhere, another value another one.
	sid0 := e[0].Request.Cookies[0]
	if sid0.Name != "sid" || !pseudo.MatchString(sid0.Value) {
		t.Fatalf("entry 0 cookie %+v", sid0)
	}
	if got := header(e[0].Request.Headers, "cookie"); got != "sid="+sid0.Value+"; theme="+e[0].Request.Cookies[1].Value {
		t.Errorf("Cookie header %q does not use the cookies' pseudonyms", got)
	}
	if got := header(e[0].Response.Headers, "set-cookie"); got != "sid="+sid0.Value+"; Path=/; Secure; HttpOnly; SameSite=Lax" {
		t.Errorf("Set-Cookie %q", got)
	}
	if e[3].Request.Cookies[0].Value != sid0.Value || e[0].Response.Cookies[0].Value != sid0.Value {
		t.Errorf("the same sid in entries 0 and 3 has pseudonyms %s, %s, %s", sid0.Value, e[3].Request.Cookies[0].Value, e[0].Response.Cookies[0].Value)
	}
	rotated := e[3].Response.Cookies[0].Value
	if rotated == sid0.Value || !pseudo.MatchString(rotated) || e[5].Request.Cookies[0].Value != rotated {
		t.Errorf("the rotated sid: %s in entry 3's Set-Cookie, %s sent in entry 5; the first was %s", rotated, e[5].Request.Cookies[0].Value, sid0.Value)
	}
	if got := header(e[3].Response.Headers, "set-cookie"); got != "sid="+rotated+"; Path=/; HttpOnly" {
		t.Errorf("Set-Cookie %q", got)
	}

	// Authorization keeps its scheme; a bearer JWT its header and claims.
	if got := header(e[4].Request.Headers, "authorization"); !strings.HasPrefix(got, "Basic [redacted:authorization#") {
		t.Errorf("Basic: %q", got)
	}
	if got := header(e[11].Request.Headers, "proxy-authorization"); !strings.HasPrefix(got, "Basic [redacted:authorization#") {
		t.Errorf("Proxy-Authorization: %q", got)
	}
	for _, name := range []string{"JWT_AT", "JWT_ID", "JWT_ID2", "JWT_DEV"} {
		jwt := planted[name]
		kept := jwt[:strings.LastIndexByte(jwt, '.')] + ".[redacted-signature]"
		if !bytes.Contains(out, []byte(kept)) {
			t.Errorf("%s: its header and claims are not in the output", name)
		}
	}
	at := planted["JWT_AT"]
	if got := header(e[5].Request.Headers, "authorization"); got != "Bearer "+at[:strings.LastIndexByte(at, '.')]+".[redacted-signature]" {
		t.Errorf("Bearer JWT: %q", got)
	}
	for _, hn := range []string{"X-Api-Key", "X-Auth-Token", "X-CSRF-Token"} {
		if got := header(e[5].Request.Headers, hn); !pseudo.MatchString(got) {
			t.Errorf("%s: %q", hn, got)
		}
	}

	// URLs keep their shape: names, public parameters, hosts.
	if u := e[0].Response.RedirectURL; !strings.Contains(u, "client_id=reports-app&response_type=code&redirect_uri=https%3A%2F%2Fapp.example%2Fcb") ||
		!strings.Contains(u, "state=%5Bredacted:param%23") || u != header(e[0].Response.Headers, "location") {
		t.Errorf("redirectURL %q", u)
	}
	if u := e[11].Request.URL; !strings.HasPrefix(u, "https://bob:%5Bredacted:password%23") || !strings.Contains(u, "@legacy.example/app;jsessionid=%5Bredacted:") {
		t.Errorf("userinfo and path parameter: %q", u)
	}
	if loc := header(e[6].Response.Headers, "location"); !strings.HasPrefix(loc, "https://app.example/implicit#access_token=%5Bredacted:token%23") ||
		!strings.Contains(loc, "&token_type=Bearer&id_token=eyJ") {
		t.Errorf("fragment: %q", loc)
	}
	// The same code in the page title, a Location, a URL, a query list and
	// a form post: one pseudonym.
	code := ""
	for _, q := range e[3].Request.QueryString {
		if q.Name == "code" {
			code = q.Value
		}
	}
	if !strings.HasPrefix(code, "[redacted:code#") {
		t.Fatalf("queryString code %q", code)
	}
	inURL := strings.NewReplacer("[", "%5B", "]", "%5D", "#", "%23").Replace(code)
	for where, v := range map[string]string{
		"page title": h.Log.Pages[0].Title, "Location": header(e[2].Response.Headers, "location"), "url": e[3].Request.URL,
		"token form": e[4].Request.PostData.Text,
	} {
		if !strings.Contains(v, "code="+inURL) {
			t.Errorf("%s: %q has not code=%s", where, v, inURL)
		}
	}

	// Bodies: form fields, JSON, HTML forms, SAML.
	if p := e[2].Request.PostData; p.Params[0] != (nameValue{"username", "alice"}) || !strings.HasPrefix(p.Params[1].Value, "[redacted:password#") ||
		!strings.HasPrefix(p.Text, "username=alice&password=%5Bredacted:password%23") {
		t.Errorf("login form: %+v", p)
	}
	if p := e[8].Request.PostData; !strings.HasPrefix(p.Params[0].Value, "[redacted:saml#") || p.Params[0].Value != samlInput(e[7].Response.Content.Text) {
		t.Errorf("SAMLResponse posted %q, in the auto-post form %q", p.Params[0].Value, samlInput(e[7].Response.Content.Text))
	}
	tok := e[4].Response.Content.Text
	for _, want := range []string{`"token_type": "Bearer"`, `"expires_in": 3600`, `"refresh_token": "[redacted:token#`, `"scope": "openid profile"`} {
		if !strings.Contains(tok, want) {
			t.Errorf("token response lacks %s:\n%s", want, tok)
		}
	}
	// The refresh token the provider gave is the one posted later.
	rt := regexp.MustCompile(`"refresh_token": "(\[redacted:token#\d+\])"`).FindStringSubmatch(tok)
	if p := e[14].Request.PostData; rt == nil || p.Params[1] != (nameValue{"refresh_token", rt[1]}) ||
		p.Text != "grant_type=refresh_token&refresh_token="+strings.NewReplacer("[", "%5B", "]", "%5D", "#", "%23").Replace(rt[1])+"&client_id=reports-app&scope=openid" {
		t.Errorf("refresh grant %+v, token response's %v", p, rt)
	}
	login := e[10].Request.PostData.Text
	dev := planted["JWT_DEV"]
	for _, want := range []string{`"username": "alice"`, `"otp": "[redacted:password#`, `"client_id": "reports-app"`, `"client_secret": "[redacted:secret#`, `"remember_session": true`,
		`"attestation": "` + dev[:strings.LastIndexByte(dev, '.')] + `.[redacted-signature]"`} {
		if !strings.Contains(login, want) {
			t.Errorf("JSON post lacks %s: %s", want, login)
		}
	}
	if !strings.HasPrefix(e[10].Comment, "customer note: the one-time code was [redacted:password#") {
		t.Errorf("comment %q", e[10].Comment)
	}
	// The provider's configuration is evidence, not a secret: untouched.
	if e[13].Response.Content.Text != hin.Log.Entries[13].Response.Content.Text {
		t.Errorf("the OpenID configuration changed:\n%s", e[13].Response.Content.Text)
	}
	page := e[1].Response.Content.Text
	for _, want := range []string{`<label>User <input name="username" value="alice"></label>`, `<meta name="csrf-token" content="[redacted:token#`,
		`<input type="hidden" name="authenticity_token" value="[redacted:token#`, `<form method="post" action="/login?state=%5Bredacted:param%23`} {
		if !strings.Contains(page, want) {
			t.Errorf("login page lacks %s:\n%s", want, page)
		}
	}
	if p := e[3].Response.Content.Text; !strings.Contains(p, "Your session "+sid0.Value+" was refused.") {
		t.Errorf("the echo of the cookie is not its pseudonym: %s", p)
	}
	api, err := base64.StdEncoding.DecodeString(e[5].Response.Content.Text)
	if err != nil || e[5].Response.Content.Encoding != "base64" {
		t.Fatalf("base64 body: %v", err)
	}
	if !strings.Contains(string(api), `"cookie": "sid=`+rotated+`"`) || !strings.Contains(string(api), `"authorization": "Bearer eyJ`) {
		t.Errorf("base64 body: %s", api)
	}
	ws := e[9].Response.Content.Text
	state := ""
	for _, q := range e[3].Request.QueryString {
		if q.Name == "state" {
			state = q.Value
		}
	}
	for _, want := range []string{`name="wresult" value="[redacted:saml#`, `name="wctx" value="[redacted:`, `name="code" value="[redacted:code#`, `name="state" value="` + state + `"`,
		`<input type="hidden" name="wa" value="wsignin1.0" />`, `<script>setTimeout('document.forms[0].submit()', 0);</script>`} {
		if !strings.Contains(ws, want) {
			t.Errorf("WS-Federation page lacks %s:\n%s", want, ws)
		}
	}
	if mp := e[12].Request.PostData.Text; !strings.Contains(mp, "name=\"api_key\"\r\n\r\n[redacted:secret#") || !strings.Contains(mp, "\r\n\r\nci-key\r\n") {
		t.Errorf("multipart: %q", mp)
	}

	// Harmless custom fields stay.
	for _, f := range []string{`"_resourceType": "document"`, `"_priority": "VeryHigh"`, `"_transferSize": 512`, `"_blocked_queueing": 0.8`} {
		if !bytes.Contains(out, []byte(f)) {
			t.Errorf("%s is gone", f)
		}
	}
	if c.Dropped != 3 || c.JWTs != 4 || c.Values[KindCookie] != 5 || c.Values[KindAuthorization] != 2 || c.Values[KindSAML] != 3 || c.Echoes < 3 {
		t.Errorf("counts %+v", c)
	}
}

func samlInput(page string) string {
	m := regexp.MustCompile(`name="SAMLResponse" value="([^"]*)"`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return m[1]
}

// TestSanitizeKeepsOrder checks that members keep the file's order and
// that sanitizing twice changes nothing more (pseudonyms are kept).
func TestSanitizeKeepsOrder(t *testing.T) {
	in, out, _ := sanitizePlanted(t)
	drop := map[string]bool{"_initiator": true, "_webSocketMessages": true, "_recorder": true}
	keys := func(data []byte) []string {
		var order []string
		dec := json.NewDecoder(bytes.NewReader(data))
		// walk records the names of the members of objects down to the
		// request's and response's, skipping dropped ones.
		var walk func(depth int, record bool) error
		walk = func(depth int, record bool) error {
			tok, err := dec.Token()
			if err != nil {
				return err
			}
			switch tok {
			case json.Delim('{'):
				for dec.More() {
					k, err := dec.Token()
					if err != nil {
						return err
					}
					rec := record && depth < 6 && !drop[k.(string)]
					if rec {
						order = append(order, k.(string))
					}
					if err := walk(depth+1, rec); err != nil {
						return err
					}
				}
				_, err = dec.Token()
			case json.Delim('['):
				for dec.More() {
					if err := walk(depth+1, record); err != nil {
						return err
					}
				}
				_, err = dec.Token()
			}
			return err
		}
		if err := walk(0, true); err != nil {
			t.Fatal(err)
		}
		return order
	}
	want, got := keys(in), keys(out)
	// Entry 13's blank serverIPAddress goes (the schema wants an IP or
	// nothing).
	for i, n := 0, 0; i < len(want); i++ {
		if want[i] == "serverIPAddress" {
			if n == 13 {
				want = slices.Delete(want, i, i+1)
				break
			}
			n++
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("member order changed:\n got %v\nwant %v", got, want)
	}
	again, c := sanitize(t, out)
	h1, h2 := decodeHAR(t, out), decodeHAR(t, again)
	e1, _ := json.Marshal(h1.Log.Entries)
	e2, _ := json.Marshal(h2.Log.Entries)
	if !bytes.Equal(e1, e2) {
		t.Errorf("sanitizing the sanitized HAR changed its entries")
	}
	if c.JWTs != 0 {
		t.Errorf("second pass: %+v", c)
	}
}

// TestSanitizeBadInput: what is not a HAR 1.2 is a one-line FormatError.
func TestSanitizeBadInput(t *testing.T) {
	entry := `{"startedDateTime":"2026-01-01T00:00:00Z","time":1,"request":{"method":"GET","url":"https://a.example/"},"response":{"status":200},"cache":{},"timings":{"send":0,"wait":0,"receive":0}}`
	for name, in := range map[string]string{
		"not JSON":           "GET / HTTP/1.1\r\nHost: a.example\r\n",
		"JSON not HAR":       `{"hello": "world"}`,
		"JSON array":         `[1, 2, 3]`,
		"truncated":          `{"log":{"version":"1.2","creator":{"name":"x","version":"1"},"entries":[` + entry + `,{"startedDateTime":"2026`,
		"HAR 1.1":            `{"log":{"version":"1.1","creator":{"name":"x","version":"1"},"entries":[]}}`,
		"missing entries":    `{"log":{"version":"1.2","creator":{"name":"x","version":"1"}}}`,
		"empty":              ``,
		"entry not object":   `{"log":{"version":"1.2","creator":{"name":"x","version":"1"},"entries":[42]}}`,
		"entry no request":   `{"log":{"version":"1.2","creator":{"name":"x","version":"1"},"entries":[{"response":{}}]}}`,
		"request not object": `{"log":{"version":"1.2","creator":{"name":"x","version":"1"},"entries":[{"request":"GET /","response":{}}]}}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Sanitize(strings.NewReader(in), io.Discard, Options{})
			var fe *harfile.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v (%T), want a *harfile.FormatError", err, err)
			}
			if msg := err.Error(); msg == "" || strings.Contains(msg, "\n") {
				t.Errorf("message %q is not one line", msg)
			}
		})
	}
}

// TestSanitizeNormalizes: what the schema wants is there, nulls and
// blanks where strings and numbers go are replaced, a blank server
// address (Chrome writes "") is dropped.
func TestSanitizeNormalizes(t *testing.T) {
	in := `{"log":{"version":"1.2","creator":{"name":"x","version":"1"},"entries":[{"startedDateTime":"2026-01-01T00:00:00Z","time":null,` +
		`"request":{"method":"GET","url":"https://a.example/?q=1","headers":[{"name":"Accept","value":null},"junk"],"queryString":[{"name":"q"}]},` +
		`"response":{"status":200,"content":{"size":null,"text":null}},"serverIPAddress":"","pageref":null,"_priority":"https://evil.example/?t=1"}]}}`
	out, c := sanitize(t, []byte(in))
	var got struct {
		Log struct {
			Comment string
			Entries []map[string]any
		}
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	e := got.Log.Entries[0]
	if _, ok := e["serverIPAddress"]; ok {
		t.Error("a blank serverIPAddress is kept")
	}
	if _, ok := e["pageref"]; ok {
		t.Error("a null pageref is kept")
	}
	if _, ok := e["_priority"]; ok || c.Dropped < 1 {
		t.Error("a custom field with a URL in it is kept")
	}
	for _, k := range []string{"cache", "timings", "time"} {
		if e[k] == nil {
			t.Errorf("entry has no %s", k)
		}
	}
	req := e["request"].(map[string]any)
	for _, k := range []string{"httpVersion", "cookies", "headers", "queryString", "headersSize", "bodySize"} {
		if req[k] == nil {
			t.Errorf("request has no %s", k)
		}
	}
	if hs := req["headers"].([]any); len(hs) != 1 || hs[0].(map[string]any)["value"] != "" {
		t.Errorf("headers %v", hs)
	}
	resp := e["response"].(map[string]any)
	for _, k := range []string{"statusText", "httpVersion", "cookies", "headers", "redirectURL", "headersSize", "bodySize"} {
		if resp[k] == nil {
			t.Errorf("response has no %s", k)
		}
	}
	if ct := resp["content"].(map[string]any); ct["size"] != float64(0) || ct["mimeType"] != "" || ct["text"] != nil {
		t.Errorf("content %v", ct)
	}
	if !strings.HasPrefix(got.Log.Comment, "Sanitized by fix401") {
		t.Errorf("comment %q", got.Log.Comment)
	}
	testhar.ValidateHAR(t, out)
}

// TestSanitizeLogOrder: log members are written in the order they come,
// pages after entries too, and a log without entries' items still has
// its array.
func TestSanitizeLogOrder(t *testing.T) {
	in := `{"log":{"entries":[],"version":"1.2","creator":{"name":"x","version":"1"},"pages":[{"startedDateTime":"2026-01-01T00:00:00Z","id":"p","title":"https://a.example/cb?code=abc12345","pageTimings":{}}],"comment":"hi"}}`
	out, _ := sanitize(t, []byte(in))
	var got struct {
		Log struct {
			Entries []any
			Pages   []struct{ Title string }
			Comment string
		}
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got.Log.Entries == nil || got.Log.Pages[0].Title != "https://a.example/cb?code=%5Bredacted:code%231%5D" || !strings.HasPrefix(got.Log.Comment, "hi\n\nSanitized by fix401") {
		t.Errorf("%s", out)
	}
	if i, j := bytes.Index(out, []byte(`"version"`)), bytes.Index(out, []byte(`"pages"`)); i < 0 || j < i {
		t.Errorf("members out of order:\n%s", out)
	}
}

// TestSanitizeStreams sanitizes a generated ~50 MB HAR from a pipe and
// checks that the heap never came near the file's size: entries are read,
// rewritten and written one at a time.
func TestSanitizeStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 50 MB")
	}
	const size = 50 << 20
	pr, pw := io.Pipe()
	generated := make(chan int, 1)
	go func() {
		n, err := genHAR(pw, size)
		pw.CloseWithError(err)
		generated <- n
	}()
	peak := watchHeap(t)
	cw := &countWriter{}
	c, err := Sanitize(pr, cw, Options{})
	max := peak()
	if err != nil {
		t.Fatal(err)
	}
	// Walk stops at the HAR's last brace; the generator may still be
	// writing the newline after it.
	io.Copy(io.Discard, pr)
	entries := <-generated
	if c.Entries != entries || entries == 0 {
		t.Errorf("%d entries out, %d in", c.Entries, entries)
	}
	if cw.n < size/2 {
		t.Errorf("wrote %d bytes of a %d-byte HAR", cw.n, size)
	}
	t.Logf("%d entries, %d MB in, %d MB out, peak heap %d MB; %s", entries, size>>20, cw.n>>20, max>>20, c.Summary())
	if max > 60<<20 {
		t.Errorf("peak heap %d MB sanitizing a %d MB HAR: it is not streamed", max>>20, size>>20)
	}
}

// watchHeap samples the heap until the returned func is called, which
// returns the largest HeapAlloc seen.
func watchHeap(t testing.TB) func() uint64 {
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		close(stop)
		wg.Wait()
		return peak.Load()
	}
}

type countWriter struct{ n int }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += len(p)
	return len(p), nil
}

// TestSanitizeGenerated checks the generated HAR's secrets are gone too:
// the benchmark and the streaming test measure a sanitizer that works.
func TestSanitizeGenerated(t *testing.T) {
	var in bytes.Buffer
	if _, err := genHAR(&in, 2<<20); err != nil {
		t.Fatal(err)
	}
	out, c := sanitize(t, in.Bytes())
	var h har
	if err := json.Unmarshal(out, &h); err != nil {
		t.Fatal(err)
	}
	for _, e := range h.Log.Entries {
		if v := header(e.Request.Headers, "cookie"); !strings.HasPrefix(v, "sid=[redacted:cookie#") {
			t.Fatalf("Cookie %q", v)
		}
		if strings.Contains(e.Response.Content.Text, "session ") && e.Response.Content.Encoding == "" && !strings.Contains(e.Response.Content.Text, "session [redacted:cookie#") {
			t.Fatalf("echo kept: %s", e.Response.Content.Text)
		}
	}
	if c.Dropped != len(h.Log.Entries) {
		t.Errorf("dropped %d custom fields, want one _initiator per entry (%d)", c.Dropped, len(h.Log.Entries))
	}
}
