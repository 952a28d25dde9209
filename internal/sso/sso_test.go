package sso

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestClassifyRequests(t *testing.T) {
	for _, c := range []struct {
		url   string
		form  url.Values
		proto string
		role  string
	}{
		{"https://login.example/oauth2/v2.0/authorize?client_id=abc&response_type=code&redirect_uri=https%3A%2F%2Fapp%2Fcb&scope=openid+profile&state=s&nonce=n", nil, OIDC, Request},
		{"https://github.test/login/oauth/authorize?client_id=abc&response_type=code&scope=repo", nil, OAuth2, Request},
		{"https://idp.example/sso?SAMLRequest=fZJN&RelayState=x", nil, SAML, Request},
		{"https://idp.example/sso", url.Values{"SAMLRequest": {"PHNhbWxw"}}, SAML, Request},
		{"https://adfs.example/adfs/ls/?wa=wsignin1.0&wtrealm=urn%3Aapp&wctx=x", nil, WSFed, Request},
		{"https://app.example/cb?code=abc&state=xyz", nil, OAuth2, Response},
		{"https://app.example/cb", url.Values{"code": {"abc"}, "state": {"xyz"}}, OAuth2, Response},
		{"https://app.example/acs", url.Values{"wa": {"wsignin1.0"}, "wresult": {"<t/>"}}, WSFed, Response},
	} {
		m := Classify(c.url, c.form)
		if m == nil || m.Protocol != c.proto || m.Role != c.role {
			t.Errorf("%s %v: got %+v, want %s %s", c.url, c.form, m, c.proto, c.role)
		}
	}
	for _, u := range []string{"https://app.example/", "https://app.example/search?q=code&state=ok", "https://shop.example/?client_id=1"} {
		if m := Classify(u, nil); m != nil && !(m.Role == Response && strings.Contains(u, "state=")) {
			t.Errorf("%s: %+v", u, m)
		}
	}
}

func TestClassifyErrors(t *testing.T) {
	m := Classify("https://app.example/cb?error=access_denied&error_description=The+user+declined&state=xyz", nil)
	if m == nil || !m.Failed() || m.Error != "access_denied" || m.Description != "The user declined" {
		t.Fatalf("%+v", m)
	}
	if OAuthMeaning(m.Error) == "" {
		t.Error("no meaning for access_denied")
	}
	pe, ok := PageError("Sign in\nSorry, but we're having trouble signing you in.\nAADSTS50011: The redirect URI 'https://app/cb' specified in the request does not match")
	if !ok || pe.Code != "AADSTS50011" || !strings.Contains(pe.Meaning, "reply") {
		t.Errorf("%+v", pe)
	}
	pe, ok = PageError("oops! something went wrong\nerror: invalid_redirect_uri\nerror_description: redirect_uri did not match any of the client's registered redirect_uris")
	if !ok || pe.Code != "invalid_redirect_uri" || pe.Description != "redirect_uri did not match any of the client's registered redirect_uris" {
		t.Errorf("%+v", pe)
	}
}

// samlResponse is a SAML 2.0 Response as an IdP refuses a sign-in, with
// the status nested as the core specification (section 3.2.2.2) shows it.
const samlResponse = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0" IssueInstant="2026-11-30T10:00:00Z" Destination="https://app.example/mellon/postResponse">
<saml:Issuer>https://idp.example/saml2/idp/metadata.php</saml:Issuer>
<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"/></samlp:StatusCode>
<samlp:StatusMessage>Wrong username or password</samlp:StatusMessage></samlp:Status></samlp:Response>`

const samlSuccess = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r2" Version="2.0">
<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
<saml:Assertion ID="_a1" Version="2.0" IssueInstant="2026-11-30T10:00:00Z"><saml:Subject><saml:NameID>SECRET-NAME-ID</saml:NameID></saml:Subject>
<saml:Conditions NotBefore="2026-11-30T09:59:30Z" NotOnOrAfter="2026-11-30T10:05:00Z"/></saml:Assertion></samlp:Response>`

func TestSAMLResponse(t *testing.T) {
	post := base64.StdEncoding.EncodeToString([]byte(samlResponse))
	m := Classify("https://app.example/mellon/postResponse", url.Values{"SAMLResponse": {post}, "RelayState": {"x"}})
	if m == nil || m.Protocol != SAML || m.Role != Response || m.StatusCode != "Responder/AuthnFailed" || m.Description != "Wrong username or password" || !m.Failed() {
		t.Fatalf("%+v", m)
	}
	if !strings.Contains(SAMLMeaning(m.StatusCode), "authenticate") {
		t.Errorf("meaning %q", SAMLMeaning(m.StatusCode))
	}
	// The redirect binding deflates it too.
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.DefaultCompression)
	w.Write([]byte(samlSuccess))
	w.Close()
	m = Classify("https://app.example/acs?SAMLResponse="+url.QueryEscape(base64.StdEncoding.EncodeToString(buf.Bytes())), nil)
	if m == nil || m.Failed() || m.StatusCode != "Success" || len(m.Tokens) != 1 {
		t.Fatalf("%+v", m)
	}
	if want := time.Date(2026, 11, 30, 10, 5, 0, 0, time.UTC); !m.Tokens[0].Expires.Equal(want) {
		t.Errorf("expires %v", m.Tokens[0].Expires)
	}
	if strings.Contains(m.Describe(), "SECRET") {
		t.Error("the assertion's content leaked")
	}
}

func TestJWTTimes(t *testing.T) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	tok := enc(`{"alg":"RS256"}`) + "." + enc(`{"sub":"alice","iat":1796036000,"nbf":1796036000,"exp":1796036060}`) + ".sig"
	tt, ok := JWTTimes(tok)
	if !ok || tt.Expires.Sub(tt.IssuedAt) != time.Minute || tt.NotBefore.IsZero() {
		t.Fatalf("%+v %v", tt, ok)
	}
	for _, bad := range []string{"", "abc", "a.b.c", enc(`{}`) + "." + enc(`{"sub":"x"}`) + ".s"} {
		if _, ok := JWTTimes(bad); ok {
			t.Errorf("%q read as a JWT", bad)
		}
	}
}

func TestAnalyzeFlowAndLoop(t *testing.T) {
	auth := &Message{Protocol: OIDC, Role: Request}
	back := &Message{Protocol: OAuth2, Role: Response}
	f, ok := Analyze([]Hop{
		{URL: "https://app.example/protected/"},
		{URL: "https://idp.test/auth?client_id=a&response_type=code", Msg: auth},
		{URL: "https://idp.test/interaction/abc"},
	})
	if !ok || f.Provider != "idp.test" || f.Protocol != OIDC || !f.AtProvider || f.Loop != nil || f.ProviderPath != "/auth" {
		t.Fatalf("%+v", f)
	}
	var hops []Hop
	for range 6 {
		hops = append(hops,
			Hop{URL: "https://app.example/protected/", Status: 302},
			Hop{URL: "https://idp.test/auth?state=1", Status: 303, Msg: auth},
			Hop{URL: "https://app.example/cb?code=x&state=1", Status: 302, Msg: back})
	}
	hops[len(hops)-1].Failed = "net::ERR_TOO_MANY_REDIRECTS"
	f, ok = Analyze(hops)
	if !ok || f.Loop == nil || f.Loop.Rounds != 6 || !f.Loop.GaveUp || len(f.Loop.Cycle) != 3 {
		t.Fatalf("%+v %+v", f, f.Loop)
	}
	for _, c := range f.Loop.Cycle {
		if strings.ContainsAny(c, "?=") {
			t.Errorf("cycle hop %q shows parameters", c)
		}
	}
	// Ended back at the callback: the app refused the answer.
	f, _ = Analyze([]Hop{
		{URL: "https://app.example/protected/"},
		{URL: "https://idp.test/auth?x", Msg: auth},
		{URL: "https://app.example/cb", Method: "POST", Msg: back, Status: 400},
	})
	if !f.AtCallback || f.Callback != "app.example/cb" || f.AtProvider {
		t.Errorf("%+v", f)
	}
	// One retry that then succeeds is no loop.
	if f, _ := Analyze([]Hop{
		{URL: "https://app.example/"}, {URL: "https://idp.test/auth?x", Msg: auth}, {URL: "https://app.example/cb?code=1", Msg: back},
		{URL: "https://app.example/"}, {URL: "https://idp.test/auth?y", Msg: auth}, {URL: "https://app.example/cb?code=2", Msg: back},
		{URL: "https://app.example/home"},
	}); f.Loop != nil {
		t.Errorf("a retry read as a loop: %+v", f.Loop)
	}
	// Two hosts redirecting to each other without a sign-in are no
	// sign-in loop.
	if f, ok := Analyze([]Hop{{URL: "https://a.example/"}, {URL: "https://www.a.example/"}, {URL: "https://a.example/"}, {URL: "https://www.a.example/", Failed: "net::ERR_TOO_MANY_REDIRECTS"}}); ok || f.Loop != nil {
		t.Errorf("%+v", f)
	}
	// A plain redirect between two pages of one host is no sign-in loop.
	if f, ok := Analyze([]Hop{{URL: "https://a/x"}, {URL: "https://a/y"}, {URL: "https://a/x"}, {URL: "https://a/y"}}); ok {
		t.Errorf("%+v", f)
	}
}
