package redact

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://a.example/p?x=1&access_token=abc&b=2": "https://a.example/p?x=1&access_token=[redacted]&b=2",
		"https://u:pw@a.example/":                      "https://u:[redacted]@a.example/",
		"https://a.example/cb#id_token=eyJ&state=s1":   "https://a.example/cb#id_token=[redacted]&state=[redacted]",
		"https://a.example/s3?X-Amz-Signature=f00&v=1": "https://a.example/s3?X-Amz-Signature=[redacted]&v=1",
		"https://a.example/plain?q=hello":              "https://a.example/plain?q=hello",
		"not a url":                                    "not a url",
		"https://a.example/p?myApiToken=zz&page=2#top": "https://a.example/p?myApiToken=[redacted]&page=2#top",
	} {
		if got := URL(in); got != want {
			t.Errorf("URL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBareFragmentToken(t *testing.T) {
	for in, want := range map[string]string{
		"https://app.example/spa#eyJhbGciOiJSUzI1NiJ9abcDEF123456xyz": "https://app.example/spa#[redacted]",
		"https://app.example/docs#section-two":                        "https://app.example/docs#section-two",
	} {
		if got := URL(in); got != want {
			t.Errorf("URL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHeaderValue(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"Authorization", "Basic YWxpY2U6c2VjcmV0", "Basic [redacted]"},
		{"authorization", "Bearer abc.def", "Bearer [redacted]"},
		{"Cookie", "sid=abc; theme=dark", "sid=[redacted]; theme=[redacted]"},
		{"Set-Cookie", "sid=abc; Path=/; HttpOnly", "sid=[redacted]; Path=/; HttpOnly"},
		{"Location", "https://a.example/cb?code=xyz", "https://a.example/cb?code=[redacted]"},
		{"X-Api-Key", "k123", "[redacted]"},
		{"Content-Type", "text/html", "text/html"},
	} {
		if got := HeaderValue(tt.name, tt.in); got != tt.want {
			t.Errorf("HeaderValue(%s, %q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
	h := Header(http.Header{"Www-Authenticate": {`Basic realm="x"`}, "Set-Cookie": {"a=1", "b=2"}})
	if h.Get("Www-Authenticate") != `Basic realm="x"` || h.Values("Set-Cookie")[1] != "b=[redacted]" {
		t.Errorf("Header = %v", h)
	}
}

func TestText(t *testing.T) {
	got := Text("see https://a.example/?token=abc and pw hunter2", "hunter2")
	if got != "see https://a.example/?token=[redacted] and pw [redacted]" {
		t.Errorf("Text = %q", got)
	}
}

// TestURLRedactionCannotBeSidestepped covers the ways secrets slipped past:
// other separators, a URL that does not parse, names outside the first
// list, and values that look like keys under an innocent name.
func TestURLRedactionCannotBeSidestepped(t *testing.T) {
	const pw = "S3cr3tValue"
	for _, tt := range []struct{ in, want string }{
		{"https://h/p?a=1;token=" + pw + ";b=2", "https://h/p?a=1;token=[redacted];b=2"},
		{"https://h/p?page=2&code_verifier=" + pw, "https://h/p?page=2&code_verifier=[redacted]"},
		{"http://alice:" + pw + "@host:badport/x?pw=" + pw, "http://[redacted]@host:badport/x?pw=[redacted]"},
		{"http://alice:" + pw + "@h/a b?q=reports", "http://alice:[redacted]@h/a%20b?q=reports"},
		{"https://h/cb?id=7&note=" + "a1b2c3d4e5f6g7h8i9j0k1", "https://h/cb?id=7&note=[redacted]"},
		{"https://h/x?lang=en-US&page=2&q=quarterly+reports", "https://h/x?lang=en-US&page=2&q=quarterly+reports"},
		// A stray space or an escape in the name, or a space after the =.
		{"https://h/p?token =" + pw, "https://h/p?token =[redacted]"},
		{"https://h/p?%20token=" + pw + "&api%5Fkey=" + pw, "https://h/p?%20token=[redacted]&api%5Fkey=[redacted]"},
		{"https://h/p?a=1;code_verifier=" + pw + ";authorization=" + pw, "https://h/p?a=1;code_verifier=[redacted];authorization=[redacted]"},
	} {
		if got := URL(tt.in); got != tt.want {
			t.Errorf("URL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, name := range []string{"code_verifier", "authorization", "x-api-key", "bearer", "credentials", "otp", "pin",
		"passcode", "hmac", "SAMLart", "X-Goog-Credential", "PHPSESSID", "JSESSIONID", "pass", "pw"} {
		if got := URL("https://h/?" + name + "=" + pw); strings.Contains(got, pw) {
			t.Errorf("%s: %s", name, got)
		}
	}
	if got := Text(`malformed URL "http://u:` + pw + `@h:bad/": invalid port`); strings.Contains(got, pw) {
		t.Errorf("Text: %s", got)
	}
}

// ParamSecrets are exactly the values URL redacts, as written and decoded:
// what a page that echoes its URL may show.
func TestParamSecrets(t *testing.T) {
	u := "https://h/app;jsessionid=JSESS1ON9?a=1;code_verifier=CV%2BSEC1&page=2&token =TK7SEC&foo=Kx8vQ2mZp7RtY3nL9wB4cF6hJ1sD5gA0"
	got := ParamSecrets(u)
	for _, want := range []string{"JSESS1ON9", "CV%2BSEC1", "CV+SEC1", "TK7SEC", "Kx8vQ2mZp7RtY3nL9wB4cF6hJ1sD5gA0"} {
		if !slices.Contains(got, want) {
			t.Errorf("ParamSecrets misses %q: %q", want, got)
		}
	}
	for _, frag := range []string{"https://app/cb#access_token=s3cretvalue9;x=1", "https://app/cb#id_token=abcdefgh12&state=q;"} {
		if got := ParamSecrets(frag); len(got) == 0 {
			t.Errorf("ParamSecrets(%q) found nothing", frag)
		}
	}
	for _, not := range []string{"1", "2"} {
		if slices.Contains(got, not) {
			t.Errorf("ParamSecrets has %q, which URL keeps: %q", not, got)
		}
	}
	red := URL(u)
	for _, v := range got {
		if strings.Contains(red, v) {
			t.Errorf("URL keeps %q that ParamSecrets names: %s", v, red)
		}
	}
}

func TestURLRedactionReviewCases(t *testing.T) {
	const tok = "ghp_16C7e42F292c6912E7710c838347Ae178B4a"
	for _, tt := range []struct{ in, secret string }{
		{"https://" + tok + "@github.example/x", tok},
		{"http://alice:S3/cret@host:bad/", "S3/cret"},
		{"https://h/?q=1 token=abc123", "abc123"},
	} {
		if got := URL(tt.in); strings.Contains(got, tt.secret) {
			t.Errorf("URL(%q) = %q", tt.in, got)
		}
		if got := Text("see " + tt.in); strings.Contains(got, tt.secret) {
			t.Errorf("Text(%q) = %q", tt.in, got)
		}
	}
	for _, in := range []string{"http:/alice:S3cr3tPw@h/", `http:\\alice:S3cr3tPw@h/`, "u:S3cr3tPw@proxy:3128"} {
		if got := URL(in); strings.Contains(got, "S3cr3tPw") {
			t.Errorf("URL(%q) = %q", in, got)
		}
	}
	if got := URL("mailto:security@example.com"); got != "mailto:security@example.com" {
		t.Errorf("a mail address: %q", got)
	}
	if got := URL("https://alice@h/"); got != "https://alice@h/" {
		t.Errorf("a plain user name: %q", got)
	}
}

// A password that is an ordinary word is masked where it stands as a
// word, never from inside another one.
func TestLiteralMasksWholeWords(t *testing.T) {
	for _, c := range []struct{ in, sec, want string }{
		{"Either the page or the form", "the", "Either [redacted] page or [redacted] form"},
		{"pw=the;", "the", "pw=[redacted];"},
		{"the", "the", "[redacted]"},
		{"othertheme", "the", "othertheme"},
		{"p@ss!p@ss", "p@ss", "[redacted]![redacted]"},
		{"x@p#y", "@p#", "x[redacted]y"}, // begins and ends with no word character
	} {
		if got := Literal(c.in, c.sec); got != c.want {
			t.Errorf("Literal(%q, %q) = %q, want %q", c.in, c.sec, got, c.want)
		}
	}
}

// A session in a path parameter (Java's ;jsessionid=) is a credential.
func TestPathParameters(t *testing.T) {
	got := URL("http://h/app;jsessionid=JsQ88zzQ/page;v=2?x=1")
	if strings.Contains(got, "JsQ88zzQ") || !strings.Contains(got, "jsessionid=[redacted]") || !strings.Contains(got, "page;v=2") {
		t.Errorf("%s", got)
	}
}

func TestStringsWalksData(t *testing.T) {
	type inner struct {
		URL string
		Ev  map[string]any
		P   *string
	}
	u := "http://h/?k=UrlVarQ9zz"
	v := &struct {
		A   string
		In  []inner
		Any any
	}{A: u, In: []inner{{URL: u, Ev: map[string]any{"u": u, "list": []string{u}, "n": 3}, P: &u}}, Any: u}
	Strings(v, "UrlVarQ9zz")
	s := fmt.Sprintf("%v %v %v %s %v", v.A, v.In[0].URL, v.In[0].Ev, *v.In[0].P, v.Any)
	if strings.Contains(s, "UrlVarQ9zz") || !strings.Contains(s, "k=[redacted]") || !strings.Contains(s, "n:3") {
		t.Errorf("%s", s)
	}
}
