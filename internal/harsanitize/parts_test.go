package harsanitize

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func newSanitizer() *sanitizer {
	c := &Counts{Values: map[Kind]int{}}
	return &sanitizer{c: c, t: newTable(c)}
}

func TestSanitizeURL(t *testing.T) {
	s := newSanitizer()
	for _, tt := range []struct{ in, want string }{
		{"https://a.example/p?x=1&access_token=abc&b=2", "https://a.example/p?x=1&access_token=%5Bredacted:token%231%5D&b=2"},
		{"https://u:pw@a.example/", "https://u:%5Bredacted:password%231%5D@a.example/"},
		{"https://a.example/cb#id_token=xyz&state=s1", "https://a.example/cb#id_token=%5Bredacted:token%232%5D&state=%5Bredacted:param%231%5D"},
		// The same value, the same pseudonym.
		{"/cb?token=abc", "/cb?token=%5Bredacted:token%231%5D"},
		{"https://a.example/plain?q=hello&page=2&lang=en-US", "https://a.example/plain?q=hello&page=2&lang=en-US"},
		{"https://a.example/app/#/cb?code=c0de&x=1", "https://a.example/app/#/cb?code=%5Bredacted:code%231%5D&x=1"},
		{"https://a.example/p;jsessionid=J5ESS/x", "https://a.example/p;jsessionid=%5Bredacted:token%233%5D/x"},
		{"https://a.example/s?note=a1b2c3d4e5f6g7h8i9j0k1", "https://a.example/s?note=%5Bredacted:param%232%5D"},
		{"https://a.example/s?client_id=6731de76-14a6-49ae-97bc-6eba6914391e", "https://a.example/s?client_id=6731de76-14a6-49ae-97bc-6eba6914391e"},
		// A return URL keeps its own URL, less its secrets, encoded as sent.
		{"https://a.example/login?return=https%3A%2F%2Fb.example%2Fcb%3Fcode%3Dzz99", "https://a.example/login?return=https%3A%2F%2Fb.example%2Fcb%3Fcode%3D%255Bredacted%3Acode%25232%255D"},
		{"data:text/html,<a href=?token=x>", "data:text/html,<a href=?token=x>"},
		{"localhost:8080/cb?token=abc", "localhost:8080/cb?token=%5Bredacted:token%231%5D"},
		{"not a url", "not a url"},
		{"https://a.example/p?remember_session=true", "https://a.example/p?remember_session=true"},
	} {
		if got := s.url(tt.in); got != tt.want {
			t.Errorf("url(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func TestSanitizeHeaders(t *testing.T) {
	s := newSanitizer()
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
	none := "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9."
	for _, tt := range []struct{ name, in, want string }{
		{"Authorization", "Basic YWxpY2U6c2VjcmV0", "Basic [redacted:authorization#1]"},
		{"authorization", "Bearer " + jwt, "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.[redacted-signature]"},
		{"Authorization", "Bearer " + none, "Bearer [redacted:authorization#2]"},
		{"Authorization", "Negotiate YIIGhgYGKwYBBQUCoIIGejCC", "Negotiate [redacted:authorization#3]"},
		{"Cookie", "sid=abc; theme=dark", "sid=[redacted:cookie#1]; theme=[redacted:cookie#2]"},
		{"Cookie", `q="abc"; sid=abc`, `q="[redacted:cookie#1]"; sid=[redacted:cookie#1]`},
		{"Set-Cookie", "sid=abc; Path=/; HttpOnly", "sid=[redacted:cookie#1]; Path=/; HttpOnly"},
		{"set-cookie", "a=1; Path=/\nb=2; Secure", "a=[redacted:cookie#3]; Path=/\nb=[redacted:cookie#4]; Secure"},
		{"Set-Cookie", "sid=; Max-Age=0", "sid=; Max-Age=0"},
		{"Location", "/cb?code=xyz", "/cb?code=%5Bredacted:code%231%5D"},
		{"X-Api-Key", "k123", "[redacted:secret#1]"},
		{"Ocp-Apim-Subscription-Key", "abcdef", "[redacted:secret#2]"},
		{"X-Session-Id", "s-77", "[redacted:token#1]"},
		{"Access-Control-Allow-Credentials", "true", "true"},
		{"Content-Type", "text/html", "text/html"},
		{"WWW-Authenticate", `Bearer realm="api", error="invalid_token"`, `Bearer realm="api", error="invalid_token"`},
		{"Link", "<https://cdn.example/app.js?sig=LINKSIG1>; rel=preload", "<https://cdn.example/app.js?sig=%5Bredacted:secret%233%5D>; rel=preload"},
		{"Refresh", "0; url=/next?token=zz", "0; url=/next?token=%5Bredacted:token%232%5D"},
		{"X-Original-URL", "https://h/p?token=zz", "https://h/p?token=%5Bredacted:token%232%5D"},
	} {
		if got := s.header(tt.name, tt.in); got != tt.want {
			t.Errorf("header(%s, %q)\n got %q\nwant %q", tt.name, tt.in, got, tt.want)
		}
	}
	// Basic's password is remembered: a page that echoes it loses it.
	if got, _ := s.text("you typed secret"); got != "you typed [redacted:password#1]" {
		t.Errorf("echo of the Basic password: %q", got)
	}
}

func TestSanitizeJSONBody(t *testing.T) {
	s := newSanitizer()
	for _, tt := range []struct{ in, want string }{
		{`{"access_token": "at-123", "token_type": "Bearer", "expires_in": 3600}`,
			`{"access_token": "[redacted:token#1]", "token_type": "Bearer", "expires_in": 3600}`},
		{`{"credentials": {"user": "alice", "n": 5}, "name": "x"}`, `{"credentials": {"user": "[redacted:secret#1]", "n": 5}, "name": "x"}`},
		{`{"otp": 123456, "pin": 12}`, `{"otp": "[redacted:password#1]", "pin": 12}`},
		{`{"tokens":["a-1","b-2"]}`, `{"tokens":["[redacted:token#2]","[redacted:token#3]"]}`},
		{`{"token_endpoint":"https://idp.example/token","id_token_signing_alg_values_supported":["RS256"]}`,
			`{"token_endpoint":"https://idp.example/token","id_token_signing_alg_values_supported":["RS256"]}`},
		{`{"next":"https://a.example/cb?code=qq"}`, `{"next":"https://a.example/cb?code=%5Bredacted:code%231%5D"}`},
		{`{"x": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl"}`, `{"x": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.[redacted-signature]"}`},
		{`{"password":"p\"w\\1"}`, `{"password":"[redacted:password#2]"}`},
		// Guarded against XSSI, or cut short by the recorder: still walked.
		{")]}'\n{\"refresh_token\":\"rt-1\"}", ")]}'\n{\"refresh_token\":\"[redacted:token#4]\"}"},
		{`{"a":1,"client_secret":"cs-99`, `{"a":1,"client_secret":"[redacted:secret#2]"`},
	} {
		if got := s.jsonBody(tt.in); got != tt.want {
			t.Errorf("jsonBody(%s)\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}

func TestSanitizeHTMLBody(t *testing.T) {
	s := newSanitizer()
	plain := `<!doctype html><html><head><script>if (a < b && c) { x = "<input name=code value=1>"; }</script>` +
		`<style>p{color:red}</style></head><body><!-- note --><p class=x>Hi &amp; bye<br/>` +
		`<input name="username" value="alice"><textarea>raw</textarea></body></html>`
	if got := s.htmlBody(plain); got != plain {
		t.Errorf("a page with nothing to redact changed:\n%s", got)
	}
	page := `<form action="https://sp.example/acs?ticket=T1"><INPUT type=hidden NAME=SAMLResponse VALUE="PHNhbWw+">` +
		`<input type="password" name="pw1" value="hunter2"><input name="state" value="st1" /></form><p>keep</p>`
	want := `<form action="https://sp.example/acs?ticket=%5Bredacted:token%231%5D"><input type="hidden" name="SAMLResponse" value="[redacted:saml#1]">` +
		`<input type="password" name="pw1" value="[redacted:password#1]"><input name="state" value="[redacted:param#1]"/></form><p>keep</p>`
	if got := s.htmlBody(page); got != want {
		t.Errorf("htmlBody\n got %s\nwant %s", got, want)
	}
}

func TestSanitizeMultipart(t *testing.T) {
	s := newSanitizer()
	body := "--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nhello\r\n--XyZ\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nhunter22\r\n--XyZ--\r\n"
	want := "--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nhello\r\n--XyZ\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\n[redacted:password#1]\r\n--XyZ--\r\n"
	if got := s.multipart("multipart/form-data; boundary=XyZ", body); got != want {
		t.Errorf("multipart\n got %q\nwant %q", got, want)
	}
	if got := s.multipart("multipart/form-data", body); got != want {
		t.Errorf("multipart without a boundary parameter\n got %q", got)
	}
}

func TestSanitizeEchoes(t *testing.T) {
	s := newSanitizer()
	s.t.pseudo("secret1", KindPassword)
	s.t.pseudo("abc", KindCookie)           // too short to look for
	s.t.pseudo("cookieval/+9=", KindCookie) // looked for in its escaped forms too
	s.t.pseudo("accepted", KindCookie)      // a word: replaced where it is a cookie, not in every page
	s.t.pseudo("/reports/q3", KindParam)    // a path (a "state"): the same
	for in, want := range map[string]string{
		"the secret1 here":                "the [redacted:password#1] here",
		"mysecret123 stays":               "mysecret123 stays",
		"abc abc":                         "abc abc",
		"v=cookieval%2F%2B9%3D":           "v=[redacted:cookie#2]",
		`{"c":"cookieval\/+9="}`:          `{"c":"[redacted:cookie#2]"}`,
		"b64 c2VjcmV0MQ":                  "b64 [redacted:password#1]",
		"terms accepted, see /reports/q3": "terms accepted, see /reports/q3",
	} {
		if got, _ := s.text(in); got != want {
			t.Errorf("text(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSanitizeJWTs(t *testing.T) {
	for in, ok := range map[string]bool{
		"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln":           true,
		"eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.":                false, // unsigned
		"eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJhIn0.c2ln":             false, // no alg
		"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0":                false, // two parts
		"eyJhbGciOiJSUzI1NiJ9.a.b.c.d":                        false,
		"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln/notbase64": false,
	} {
		if _, _, got := stripJWT(in); got != ok {
			t.Errorf("stripJWT(%q): %v, want %v", in, got, ok)
		}
	}
	s := newSanitizer()
	got := s.stripJWTsInText(`var t = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl"; // eyJ is not one`)
	if got != `var t = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.[redacted-signature]"; // eyJ is not one` {
		t.Errorf("stripJWTsInText: %s", got)
	}
}

// TestDecodeString checks the JSON string decoder against encoding/json.
func TestDecodeString(t *testing.T) {
	for _, in := range []string{`""`, `"plain"`, `"a\"b\\c\/d\b\f\n\r\t"`, `"\u00e9\u20ac"`, `"\ud83d\ude00"`, `"\ud83d x"`,
		`"\udc00"`, "\"caf\xc3\xa9\"", "\"bad \xff byte\"", `"\u0041\u0042"`} {
		var want string
		if err := json.Unmarshal([]byte(in), &want); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if got, ok := decodeString([]byte(in)); !ok || got != want {
			t.Errorf("decodeString(%s) = %q, %v; encoding/json: %q", in, got, ok, want)
		}
	}
	for _, in := range []string{`"\x"`, `"\u12"`, "\"a\nb\""} {
		if _, ok := decodeString([]byte(in)); ok {
			t.Errorf("decodeString(%q) took a bad string", in)
		}
	}
}

// TestIndent checks the indenter against encoding/json's.
func TestIndent(t *testing.T) {
	for _, in := range []string{`{}`, `[]`, `{"a":[],"b":{},"c":[1,{"d":"x\"}{,:"}],"e":null}`, "{ \"a\" : [ 1 , 2 ] ,\n \"b\":\"\\\\\" }", `"s"`, `12.5e3`} {
		var want bytes.Buffer
		if err := json.Indent(&want, []byte(in), "  ", "  "); err != nil {
			t.Fatal(err)
		}
		if got := indent(nil, []byte(in), "  "); string(got) != want.String() {
			t.Errorf("indent(%s)\n got %s\nwant %s", in, got, want.String())
		}
	}
}

func TestSummary(t *testing.T) {
	c := Counts{Values: map[Kind]int{KindCookie: 37, KindAuthorization: 1, KindSAML: 2}, Places: 90, JWTs: 4, Echoes: 9, Dropped: 120}
	want := "37 cookies, 1 authorization credential, 2 SAML messages (distinct values, replaced in 90 places), 4 JWT signatures, 9 echoes in bodies; dropped 120 custom fields"
	if got := c.Summary(); got != want {
		t.Errorf("Summary\n got %s\nwant %s", got, want)
	}
	if got := (Counts{}).Summary(); got != "no secrets found" || strings.Contains(got, "\n") {
		t.Errorf("empty Summary %q", got)
	}
}

// FuzzSanitizeEntry: whatever an entry holds, Sanitize gives valid JSON
// or a one-line error, and never panics.
func FuzzSanitizeEntry(f *testing.F) {
	for _, e := range []string{
		`{"request":{"url":"https://a.example/cb?code=abc#id_token=x","headers":[{"name":"Cookie","value":"a=1; b"}]},"response":{"content":{"text":"<input name=code value=1>","mimeType":"text/html"}}}`,
		`{"request":{"postData":{"mimeType":"application/json","text":"{\"password\":[1,{\"x\":\"y\"}],\"otp\":12345"}},"response":{"content":{"text":"e30=","encoding":"base64","mimeType":"application/json"}}}`,
		`{"request":{"postData":{"mimeType":"multipart/form-data; boundary=b","text":"--b\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nv\r\n--b--"}},"response":{}}`,
		`{"request":{"url":"//x/;a=b/;c","queryString":[{"name":"eyJhbGciOiJIUzI1NiJ9.eyJ9.c2ln"}],"cookies":[{"name":"x","value":"\"q\""}]},"response":{"headers":[{"name":"Link","value":"<<>>"},{"name":"Refresh","value":"url="}]}}`,
	} {
		f.Add(e)
	}
	f.Fuzz(func(t *testing.T, entry string) {
		if !json.Valid([]byte(entry)) {
			return
		}
		in := `{"log":{"version":"1.2","creator":{"name":"f","version":"1"},"entries":[` + entry + `]}}`
		var out bytes.Buffer
		_, err := Sanitize(strings.NewReader(in), &out, Options{})
		if err != nil {
			if strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), "internal error") {
				t.Fatalf("%v", err)
			}
			return
		}
		if !json.Valid(out.Bytes()) {
			t.Fatalf("output is not JSON:\n%s", out.Bytes())
		}
	})
}
