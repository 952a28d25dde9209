package challenge

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestDescribeExamples(t *testing.T) {
	// The wording the CLI shows for the most common challenges; kept exact
	// because other code and documentation quote it.
	tests := []struct {
		header string
		want   string
	}{
		{`Basic realm="Reports"`, `Basic, realm "Reports": the browser should ask for a user name and password`},
		{`Bearer error="invalid_token"`, `Bearer error="invalid_token": the access token was rejected (expired, revoked or malformed) — sign in again to get a new one`},
		{`Negotiate`, `Negotiate: Windows integrated authentication (Kerberos/NTLM); the machine must be on the domain or the site in the browser's intranet zone`},
	}
	for _, tt := range tests {
		got := Describe(Parse(tt.header))
		if len(got) != 1 || got[0] != tt.want {
			t.Errorf("Describe(%q) = %q, want [%q]", tt.header, got, tt.want)
		}
	}
}

func TestDescribeSchemes(t *testing.T) {
	tests := []struct {
		header string
		want   []string // substrings of the single line
	}{
		{`NTLM`, []string{"NTLM", "Windows"}},
		{`NTLM TlRMTVNTUAACAAAA`, []string{"second step"}},
		{`Digest realm="r", nonce="n", algorithm=SHA-256, qop="auth", stale=true`, []string{"algorithm SHA-256", `qop "auth"`, "nonce expired", "simple retry"}},
		{`Digest realm="r", nonce="n"`, []string{"MD5 (default)"}},
		{`Mutual realm="r", reason=auth-failed`, []string{"RFC 8120", `reason "auth-failed"`}},
		{`HOBA challenge="x", max-age=10`, []string{"RFC 7486"}},
		{`SCRAM-SHA-256 realm="r"`, []string{"RFC 7804"}},
		{`AWS4-HMAC-SHA256`, []string{"Signature Version 4"}},
		{`Newauth realm="apps", type=1`, []string{`unknown scheme "Newauth"`, "type"}},
		{`Bearer error="insufficient_scope", scope="a b"`, []string{"lacks the permission", `required scope "a b"`}},
		{`Bearer error="invalid_request"`, []string{"client application"}},
		{`Bearer realm="api"`, []string{`realm "api"`, "OAuth 2.0"}},
	}
	for _, tt := range tests {
		got := Describe(Parse(tt.header))
		if len(got) != 1 {
			t.Errorf("Describe(%q) = %q, want one line", tt.header, got)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(got[0], w) {
				t.Errorf("Describe(%q) = %q, want it to contain %q", tt.header, got[0], w)
			}
		}
	}
}

func TestDescribeInvalidAndEmpty(t *testing.T) {
	got := Describe(Parse(`Basic realm="a", Digest realm="x`))
	if len(got) != 3 || !strings.Contains(got[2], "malformed") || !strings.Contains(got[2], "unterminated") {
		t.Errorf("invalid header: %q", got)
	}
	got = Describe(Parse(`=x`))
	if len(got) != 1 || !strings.Contains(got[0], "no challenge could be read") {
		t.Errorf("nothing readable: %q", got)
	}
	got = Describe(Parse())
	if len(got) != 1 || !strings.Contains(got[0], "no challenge") {
		t.Errorf("empty: %q", got)
	}
}

func TestFind(t *testing.T) {
	r := Parse(`Newauth realm="apps", basic=foo, BASIC realm="b"`)
	c, ok := r.Find("basic")
	if !ok || c.Scheme != "BASIC" || c.Params["realm"] != "b" {
		t.Errorf("Find(basic) = %+v, %v", c, ok)
	}
	if _, ok := r.Find("Digest"); ok {
		t.Error("Find(Digest) found a challenge that is not there")
	}
}

func TestBearerError(t *testing.T) {
	r := Parse(`Basic realm="x"`, `Bearer realm="api", error="insufficient_scope", error_description="needs admin", error_uri="https://e.example/doc", scope="admin"`, `Bearer error="invalid_token"`)
	code, desc := r.BearerError()
	if code != "insufficient_scope" {
		t.Errorf("code = %q", code)
	}
	for _, w := range []string{"needs admin", "https://e.example/doc", "admin"} {
		if !strings.Contains(desc, w) {
			t.Errorf("description %q lacks %q", desc, w)
		}
	}
	if code, desc := Parse(`Basic realm="x"`).BearerError(); code != "" || desc != "" {
		t.Errorf("no Bearer: got %q, %q", code, desc)
	}
	if code, desc := Parse(`Bearer realm="x"`).BearerError(); code != "" || desc != "" {
		t.Errorf("Bearer without error: got %q, %q", code, desc)
	}
}

func TestSplitHeaderLines(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", []string{}},
		{`Basic realm="a"`, []string{`Basic realm="a"`}},
		{"Negotiate\nNTLM", []string{"Negotiate", "NTLM"}},
		{"Negotiate\r\nNTLM\n\n", []string{"Negotiate", "NTLM"}},
		{" Basic realm=\"a\" \n\tBearer ", []string{`Basic realm="a"`, "Bearer"}},
	}
	for _, tt := range tests {
		got := SplitHeaderLines(tt.in)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SplitHeaderLines(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// A DevTools value parsed whole fails with a hint; split, it is fine.
	cdp := "Negotiate\nNTLM"
	if r := Parse(cdp); r.Valid || !strings.Contains(*r.Error, "SplitHeaderLines") {
		t.Errorf("Parse(%q) = %+v, want an error pointing at SplitHeaderLines", cdp, r)
	}
	if r := Parse(SplitHeaderLines(cdp)...); !r.Valid || len(r.Challenges) != 2 {
		t.Errorf("Parse(SplitHeaderLines(%q)) = %+v", cdp, r)
	}
}

func TestJSONShape(t *testing.T) {
	// Consumers of the JSON output rely on [] and {} rather than null, and on
	// null for an absent token68 or error.
	b, err := json.Marshal(Parse(`Basic`))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"valid":true,"error":null,"challenges":[{"scheme":"Basic","params":{},"token68":null}],"warnings":["challenge 1 (Basic): no realm; RFC 7617 §2 requires one"]}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	b, _ = json.Marshal(Parse())
	if !strings.Contains(string(b), `"challenges":[]`) {
		t.Errorf("empty result: %s", b)
	}
	b, _ = json.Marshal(Parse(`=`))
	if !strings.Contains(string(b), `"challenges":[],"warnings":[]`) || !strings.Contains(string(b), `"valid":false,"error":"column 1: `) {
		t.Errorf("invalid result: %s", b)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name    string
		headers []string
		want    string // substring of the error
	}{
		{"position in a later line", []string{`Basic realm="a"`, `Digest realm=`}, "field line 2, column 14: missing value"},
		{"bare line feed", []string{"Basic realm=\"a\"\nNTLM"}, "SplitHeaderLines"},
		{"line feed in quotes", []string{"Basic realm=\"a\nb\""}, "line break inside a quoted string"},
		{"control character in quotes", []string{"Basic realm=\"a\x01\""}, "invalid character"},
		{"control character after backslash", []string{"Basic realm=\"a\\\x00\""}, "after a backslash"},
		{"backslash at the end", []string{`Basic realm="a\`}, "unterminated"},
		{"non-ASCII outside quotes", []string{"Basic realm=f\xc3\xa4"}, "non-ASCII byte"},
		{"non-ASCII scheme", []string{"B\xe4sic"}, "non-ASCII byte"},
		{"quoted scheme", []string{`"Basic" realm="a"`}, "expected an auth scheme"},
		{"quote right after scheme", []string{`Basic"realm"`}, `unexpected "\"" after auth scheme "Basic"`},
		{"two words after scheme", []string{`Foo abc def`}, "neither a token68 nor a name=value parameter"},
		{"value is a list", []string{`Basic realm=a b`}, `expected a comma after parameter "realm"`},
		{"parameter after token68 in a later line", []string{`Negotiate abc`, `realm="x"`}, "cannot follow the token68"},
		{"scheme alone on a line, parameter on the next", []string{`Basic`, `realm="x"`}, "followed by a comma, not a space"},
		{"equals without value before comma", []string{`Foo a=b, c=, d`}, `missing value for parameter "c"`},
	}
	for _, tt := range tests {
		r := Parse(tt.headers...)
		if r.Valid || r.Error == nil || !strings.Contains(*r.Error, tt.want) {
			t.Errorf("%s: Parse(%q) error = %v, want it to contain %q", tt.name, tt.headers, deref(r.Error), tt.want)
		}
	}
}

func TestValid(t *testing.T) {
	tests := []struct {
		name    string
		headers []string
		want    []Challenge
	}{
		{"parameter list continues on the next line", []string{`Newauth realm="apps"`, `type=1`, `Basic realm="b"`},
			[]Challenge{{Scheme: "Newauth", Params: map[string]string{"realm": "apps", "type": "1"}}, {Scheme: "Basic", Params: map[string]string{"realm": "b"}}}},
		{"token68 without padding and with slashes", []string{`Foo a/b+c.d~e_f-g`},
			[]Challenge{{Scheme: "Foo", Params: map[string]string{}, Token68: ptr("a/b+c.d~e_f-g")}}},
		{"generic scheme, one padding character", []string{`Foo abc=`},
			[]Challenge{{Scheme: "Foo", Params: map[string]string{}, Token68: ptr("abc=")}}},
		{"BWS both sides of =", []string{"Foo a \t= \tb"},
			[]Challenge{{Scheme: "Foo", Params: map[string]string{"a": "b"}}}},
		{"empty quoted value and escaped backslash", []string{`Foo a="", b="x\\y"`},
			[]Challenge{{Scheme: "Foo", Params: map[string]string{"a": "", "b": `x\y`}}}},
		{"comma inside quotes", []string{`Foo a="1, b=2", c=3`},
			[]Challenge{{Scheme: "Foo", Params: map[string]string{"a": "1, b=2", "c": "3"}}}},
		{"same parameter in two challenges", []string{`Basic realm="a", Basic realm="b"`},
			[]Challenge{{Scheme: "Basic", Params: map[string]string{"realm": "a"}}, {Scheme: "Basic", Params: map[string]string{"realm": "b"}}}},
	}
	for _, tt := range tests {
		r := Parse(tt.headers...)
		if !r.Valid {
			t.Errorf("%s: Parse(%q) invalid: %s", tt.name, tt.headers, *r.Error)
			continue
		}
		for i := range r.Challenges {
			r.Challenges[i].Order = nil // TestParamOrder checks it
		}
		if !reflect.DeepEqual(r.Challenges, tt.want) {
			t.Errorf("%s: Parse(%q) = %+v, want %+v", tt.name, tt.headers, r.Challenges, tt.want)
		}
	}
}

// TestParamOrder: the parameters keep the order the server sent them in.
func TestParamOrder(t *testing.T) {
	r := Parse(`Digest realm="x", qop="auth", nonce="n", algorithm=SHA-256, opaque="o"`, `Basic zeta=1, alpha=2`)
	if got := [][]string{r.Challenges[0].Order, r.Challenges[1].Order}; !reflect.DeepEqual(got, [][]string{{"realm", "qop", "nonce", "algorithm", "opaque"}, {"zeta", "alpha"}}) {
		t.Errorf("order %q", got)
	}
}

func TestWarnings(t *testing.T) {
	r := Parse("Basic\trealm=\"a\"")
	if !r.Valid || !containsSub(r.Warnings, "tab separates") {
		t.Errorf("tab after scheme: %+v", r)
	}
	// A challenge cut short by an error is not judged by scheme rules: its
	// realm may be exactly what broke.
	r = Parse(`Basic, Digest realm="x`)
	if !containsSub(r.Warnings, "challenge 1 (Basic): no realm") {
		t.Errorf("complete challenge not checked: %q", r.Warnings)
	}
	if containsSub(r.Warnings, "challenge 2") {
		t.Errorf("partial challenge checked: %q", r.Warnings)
	}
	r = Parse(`Basic realm="a", charset=utf-8`)
	if containsSub(r.Warnings, "charset") {
		t.Errorf("charset is case-insensitive: %q", r.Warnings)
	}
	r = Parse(`Basic dXNlcjpwYXNz`)
	if !r.Valid || !containsSub(r.Warnings, "carries a token68") {
		t.Errorf("Basic token68: %+v", r)
	}
}

func TestLargeRealm(t *testing.T) {
	// Firefox test_authentication.js largeRealm: a realm over 32 KiB.
	big := strings.Repeat("a", 33*1024)
	r := Parse(`Digest realm="` + big + `", domain="foo"`)
	if !r.Valid || r.Challenges[0].Params["realm"] != big {
		t.Errorf("large realm not parsed whole: valid=%v", r.Valid)
	}
}

func ptr(s string) *string { return &s }
