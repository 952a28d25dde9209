package harsanitize

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"
)

// harOf wraps entries in a HAR's log.
func harOf(entries ...string) []byte {
	return []byte(`{"log":{"version":"1.2","creator":{"name":"t","version":"1"},"entries":[` + strings.Join(entries, ",") + `]}}`)
}

// TestSanitizeTwoPasses: a body that echoes a secret first sent in a
// later entry keeps it in one pass and loses it with Collect's Known; the
// pseudonyms are the same either way, and a Known serves any number of
// passes, at once.
func TestSanitizeTwoPasses(t *testing.T) {
	const sess = "laterS3ss10nValue42xyz"
	const pw = "Earl13rPassw0rd!"
	in := harOf(
		// The first page shows the session and the password (a debug
		// page) before either is sent.
		`{"request":{"method":"GET","url":"https://a.example/debug"},"response":{"status":200,"content":{"mimeType":"text/plain","text":"session=`+sess+` typed `+pw+`"}}}`,
		`{"request":{"method":"POST","url":"https://a.example/login","postData":{"mimeType":"application/x-www-form-urlencoded","text":"user=alice&password=`+strings.ReplaceAll(pw, "!", "%21")+`"}},`+
			`"response":{"status":302,"headers":[{"name":"Set-Cookie","value":"sid=`+sess+`; Path=/"}],"content":{"mimeType":"text/html","text":"x"}}}`,
	)
	one, c1 := sanitize(t, in)
	if !bytes.Contains(one, []byte(sess)) {
		t.Fatalf("one pass: the echo before its first sighting went; the test proves nothing")
	}
	k, err := Collect(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if k.Len() == 0 {
		t.Fatal("Collect found nothing")
	}
	var outs [4]bytes.Buffer
	var counts [4]Counts
	var errs [4]error
	var wg sync.WaitGroup
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			counts[i], errs[i] = Sanitize(bytes.NewReader(in), &outs[i], Options{Version: "test", Known: k})
		}()
	}
	wg.Wait()
	for i := range outs {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if !bytes.Equal(outs[i].Bytes(), outs[0].Bytes()) {
			t.Errorf("pass %d with the same Known wrote another file", i)
		}
	}
	two := outs[0].Bytes()
	for _, v := range []string{sess, pw} {
		if bytes.Contains(two, []byte(v)) {
			t.Errorf("two passes: %q is in the sanitized HAR:\n%s", v, two)
		}
	}
	if !bytes.Contains(two, []byte(`session=[redacted:cookie#1] typed [redacted:password#1]`)) {
		t.Errorf("two passes: the echo is not the pseudonym of the later value:\n%s", two)
	}
	// The places replaced by structure are the same; only echoes differ.
	c2 := counts[0]
	if c2.Places != c1.Places || c2.JWTs != c1.JWTs || c2.Values[KindCookie] != c1.Values[KindCookie] || c2.Echoes <= c1.Echoes {
		t.Errorf("counts: one pass %+v, two passes %+v", c1, c2)
	}
	// Collect fails as Sanitize does on what is not a HAR.
	if _, err := Collect(strings.NewReader(`{"log":`)); err == nil {
		t.Error("Collect took a truncated HAR")
	}
}

// TestSanitizePlantedTwoPasses: two passes over the fixture leave none of
// its secrets either, and number the pseudonyms as one pass does.
func TestSanitizePlantedTwoPasses(t *testing.T) {
	in, one, _ := sanitizePlanted(t)
	k, err := Collect(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := Sanitize(bytes.NewReader(in), &out, Options{Version: "test", Known: k}); err != nil {
		t.Fatal(err)
	}
	for name, v := range planted {
		for _, f := range plantedForms(v) {
			if bytes.Contains(out.Bytes(), []byte(f)) {
				t.Errorf("%s (%q) is in the sanitized HAR as %q", name, v, f)
			}
		}
	}
	h1, h2 := decodeHAR(t, one), decodeHAR(t, out.Bytes())
	for i := range h1.Log.Entries {
		if a, b := h1.Log.Entries[i].Request.URL, h2.Log.Entries[i].Request.URL; a != b {
			t.Errorf("entry %d: url %q in one pass, %q in two", i, a, b)
		}
	}
}

func TestSanitizeFoldedSetCookie(t *testing.T) {
	s := newSanitizer()
	for _, tt := range []struct{ in, want string }{
		{"a=1; Path=/, b=f0ldedS3cret99; Path=/", "a=[redacted:cookie#1]; Path=/, b=[redacted:cookie#2]; Path=/"},
		{"a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/, b=f0ldedS3cret99; HttpOnly",
			"a=[redacted:cookie#1]; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/, b=[redacted:cookie#2]; HttpOnly"},
		{"a=1; expires=Thu, 01-Jan-1970 00:00:00 GMT,b=x2; Secure\nc=y3", "a=[redacted:cookie#1]; expires=Thu, 01-Jan-1970 00:00:00 GMT,b=[redacted:cookie#3]; Secure\nc=[redacted:cookie#4]"},
		{"a=1, b=2", "a=[redacted:cookie#1], b=[redacted:cookie#5]"},
	} {
		if got := s.header("Set-Cookie", tt.in); got != tt.want {
			t.Errorf("Set-Cookie %q\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func TestSanitizeJSONStructures(t *testing.T) {
	s := newSanitizer()
	for _, tt := range []struct{ in, want string }{
		// jQuery's serializeArray, and the value before its name.
		{`[{"name":"user","value":"alice"},{"name":"password","value":"pairPw1"},{"value":"pairPw2","name":"Passwd"}]`,
			`[{"name":"user","value":"alice"},{"name":"password","value":"[redacted:password#1]"},{"value":"[redacted:password#2]","name":"Passwd"}]`},
		{`{"fields":[{"Name":"otp","value":915372},{"name":"apikey","Value":"k-1","extra":"eyJ"}]}`,
			`{"fields":[{"Name":"otp","value":"[redacted:password#3]"},{"name":"apikey","Value":"[redacted:secret#1]","extra":"eyJ"}]}`},
		// JSON in a JSON string.
		{`{"method":"POST","body":"{\"username\":\"alice\",\"password\":\"innerPw\"}"}`,
			`{"method":"POST","body":"{\"username\":\"alice\",\"password\":\"[redacted:password#4]\"}"}`},
		{`{"body":"[{\"name\":\"client_secret\",\"value\":\"cs-in\"}]"}`,
			`{"body":"[{\"name\":\"client_secret\",\"value\":\"[redacted:secret#2]\"}]"}`},
		// Names of keys and one-time codes; codes that are evidence stay.
		{`{"private_key":"pk-1","signingKey":"sk-2","auth_code":"ac-1","verification_code":"vc-1","mfaCode":"mf-1"}`,
			`{"private_key":"[redacted:secret#3]","signingKey":"[redacted:secret#4]","auth_code":"[redacted:code#1]","verification_code":"[redacted:code#2]","mfaCode":"[redacted:code#3]"}`},
		{`{"statusCode":"AADSTS50126","errorCode":"invalid_grant","countryCode":"FR","publicKey":{"rp":{"name":"Corp"}},"idempotencyKey":"ik"}`,
			`{"statusCode":"AADSTS50126","errorCode":"invalid_grant","countryCode":"FR","publicKey":{"rp":{"name":"Corp"}},"idempotencyKey":"ik"}`},
	} {
		if got := s.jsonBody(tt.in); got != tt.want {
			t.Errorf("jsonBody(%s)\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct{ mime, in, want string }{
		// A form field holding JSON, encoded as sent and decoded.
		{"application/x-www-form-urlencoded", "a=1&payload=%7B%22password%22%3A%22formJsonPw%22%7D",
			"a=1&payload=%7B%22password%22%3A%22%5Bredacted%3Apassword%235%5D%22%7D"},
		{"application/x-www-form-urlencoded", `payload={"user":"bob","pin":"4321"}`,
			`payload={"user":"bob","pin":"%5Bredacted:password%236%5D"}`},
		// A JSON body sent as a form.
		{"application/x-www-form-urlencoded; charset=UTF-8", `{"username":"alice","password":"mislabeledPw"}`,
			`{"username":"alice","password":"[redacted:password#7]"}`},
	} {
		if got := s.body(tt.mime, tt.in); got != tt.want {
			t.Errorf("body(%s, %s)\n got %s\nwant %s", tt.mime, tt.in, got, tt.want)
		}
	}
	// postData.params as a tool decoded them.
	if got := string(s.nameValues([]byte(`[{"name":"payload","value":"{\"password\":\"formJsonPw\"}"}]`), false)); got != `[{"name":"payload","value":"{\"password\":\"[redacted:password#5]\"}"}]` {
		t.Errorf("params: %s", got)
	}
}

func TestSanitizeXMLAndTextarea(t *testing.T) {
	s := newSanitizer()
	soap := `<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header>` +
		`<o:Security><o:UsernameToken u:Id="uuid-1"><o:Username>CORP\alice</o:Username><o:Password>s0apPw&amp;1</o:Password></o:UsernameToken>` +
		`<wsse:UsernameToken><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">wssePw2</wsse:Password></wsse:UsernameToken>` +
		`<wsse:BinarySecurityToken ValueType="x" EncodingType="y">MIIBinTok3n==</wsse:BinarySecurityToken>` +
		`<Password><![CDATA[cdataPw<3]]></Password><Password/><Password></Password></o:Security></s:Header>` +
		`<s:Body><t:TokenType>urn:oasis:names:tc:SAML:1.0:assertion</t:TokenType><ds:SignatureValue>c2lnVmFs</ds:SignatureValue></s:Body></s:Envelope>`
	want := `<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header>` +
		`<o:Security><o:UsernameToken u:Id="uuid-1"><o:Username>CORP\alice</o:Username><o:Password>[redacted:password#1]</o:Password></o:UsernameToken>` +
		`<wsse:UsernameToken><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">[redacted:password#2]</wsse:Password></wsse:UsernameToken>` +
		`<wsse:BinarySecurityToken ValueType="x" EncodingType="y">[redacted:token#1]</wsse:BinarySecurityToken>` +
		`<Password><![CDATA[[redacted:password#3]]]></Password><Password/><Password></Password></o:Security></s:Header>` +
		`<s:Body><t:TokenType>urn:oasis:names:tc:SAML:1.0:assertion</t:TokenType><ds:SignatureValue>[redacted:secret#1]</ds:SignatureValue></s:Body></s:Envelope>`
	for _, mime := range []string{"application/soap+xml; charset=utf-8", ""} {
		s := newSanitizer()
		if got := s.body(mime, soap); got != want {
			t.Errorf("body(%q, SOAP)\n got %s\nwant %s", mime, got, want)
		}
	}
	if _, ok := s.t.repl["s0apPw&1"]; ok {
		t.Error("the escaped form was taken for the value")
	}
	page := `<html><body><form method=post><textarea name=SAMLResponse>PHNhbWw+dGV4dGFyZWE=</textarea>` +
		`<textarea name="comments">keep &lt;me&gt;</textarea></form></body></html>`
	wantPage := `<html><body><form method=post><textarea name=SAMLResponse>[redacted:saml#1]</textarea>` +
		`<textarea name="comments">keep &lt;me&gt;</textarea></form></body></html>`
	if got := s.htmlBody(page); got != wantPage {
		t.Errorf("htmlBody(textarea)\n got %s\nwant %s", got, wantPage)
	}
}

// TestSanitizeUnpaddedBase64: a response body in base64 without its "="
// padding is decoded all the same, and written back as it came.
func TestSanitizeUnpaddedBase64(t *testing.T) {
	body := `{"access_token":"rawB64T0ken77","x":1}`
	raw := base64.RawStdEncoding.EncodeToString([]byte(body))
	if raw == base64.StdEncoding.EncodeToString([]byte(body)) {
		t.Fatal("the body needs padding for the test to prove anything")
	}
	in := harOf(`{"request":{"method":"GET","url":"https://a.example/"},"response":{"status":200,"content":{"mimeType":"application/json","encoding":"base64","text":"` + raw + `"}}}`)
	out, _ := sanitize(t, in)
	h := decodeHAR(t, out)
	text := h.Log.Entries[0].Response.Content.Text
	dec, err := base64.RawStdEncoding.DecodeString(text)
	if err != nil {
		t.Fatalf("content.text %q: %v", text, err)
	}
	if string(dec) != `{"access_token":"[redacted:token#1]","x":1}` {
		t.Errorf("decoded body %s", dec)
	}
}

// TestPlantedMoreSecretsGo is TestPlantedSecretsGo for
// testdata/planted-more.har: secrets in SOAP bodies, folded Set-Cookie
// lines, JSON posted as a form, name/value arrays, JSON inside JSON and
// inside a form field, key and code names, a <textarea>. (The fixture of
// testdata/har is read by internal/cli's tests too, which count its
// entries.) One pass and two passes both.
func TestPlantedMoreSecretsGo(t *testing.T) {
	in, err := os.ReadFile("testdata/planted-more.har")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/planted-more-secrets.json")
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{}
	if err := json.Unmarshal(data, &secrets); err != nil {
		t.Fatal(err)
	}
	one, _ := sanitize(t, in)
	k, err := Collect(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var two bytes.Buffer
	if _, err := Sanitize(bytes.NewReader(in), &two, Options{Known: k}); err != nil {
		t.Fatal(err)
	}
	for pass, out := range map[string][]byte{"one pass": one, "two passes": two.Bytes()} {
		if !json.Valid(out) {
			t.Fatalf("%s: not JSON", pass)
		}
		for name, v := range secrets {
			if !bytes.Contains(in, []byte(v)) {
				t.Errorf("%s is not in the fixture: the test would prove nothing", name)
			}
			for _, f := range plantedForms(v) {
				if bytes.Contains(out, []byte(f)) {
					t.Errorf("%s: %s (%q) is in the sanitized HAR as %q", pass, name, v, f)
				}
			}
		}
	}
	// What explains the failure stays.
	for _, keep := range []string{"ID3242: The security token could not be authenticated or authorized.", "MSISAuthenticated=", "Expires=Wed, 21 Oct 2026 07:28:00 GMT",
		"urn:oasis:names:tc:SAML:1.0:assertion", "CORP\\\\alice", `\"error\": \"mfa_failed\"`} {
		if !bytes.Contains(one, []byte(keep)) {
			t.Errorf("%q is gone from the sanitized HAR", keep)
		}
	}
}
