// Package sso recognises single sign-on in the requests a page made: the
// OpenID Connect or OAuth 2 authorization request, SAML's SAMLRequest and
// SAMLResponse, WS-Federation's sign-in, and what the identity provider
// answered (an error, a SAML status, the times of the tokens it issued).
//
// It keeps facts, never values: a Message says which protocol a request
// spoke and what the provider said, but holds no code, token, state,
// nonce or assertion. The values are read where they pass and dropped.
package sso

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/url"
	"strings"
	"time"
)

// Protocols, as the report names them.
const (
	OIDC   = "OpenID Connect"
	OAuth2 = "OAuth 2"
	SAML   = "SAML"
	WSFed  = "WS-Federation"
)

// Roles of a message in the dance.
const (
	Request  = "request"  // the app sends the browser to sign in
	Response = "response" // the provider sends the browser back
)

// Message is what one request carried of a sign-in protocol.
type Message struct {
	Protocol string `json:"protocol"`
	Role     string `json:"role"`
	// Binding is how it travelled: "redirect" (in the address) or "post"
	// (a form the provider's page posted).
	Binding string `json:"binding"`
	// Error and Description are OAuth 2's error and error_description,
	// or WS-Federation's; StatusCode is a SAML response's status (the top
	// one, then the nested one), e.g. "Responder/AuthnFailed".
	Error       string `json:"error,omitempty"`
	Description string `json:"description,omitempty"`
	StatusCode  string `json:"status_code,omitempty"`
	// Tokens are the times of the tokens the message carried (an
	// id_token, a SAML assertion's conditions), never the tokens.
	Tokens []TokenTimes `json:"tokens,omitempty"`
}

// Failed reports whether the provider answered with an error.
func (m *Message) Failed() bool {
	if m == nil {
		return false
	}
	return m.Error != "" || m.StatusCode != "" && !strings.HasPrefix(m.StatusCode, "Success")
}

// TokenTimes are a token's validity: what was checked, never the token.
type TokenTimes struct {
	Kind      string    `json:"kind"` // "id_token", "access_token", "SAML assertion", "bearer token"
	IssuedAt  time.Time `json:"issued_at,omitzero"`
	NotBefore time.Time `json:"not_before,omitzero"`
	Expires   time.Time `json:"expires,omitzero"`
}

// Classify reads the sign-in protocol a request speaks from its address
// and, for a form post, its body's fields; nil when it speaks none.
func Classify(rawURL string, form url.Values) *Message {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil
	}
	q := u.Query()
	if m := classify(q, "redirect"); m != nil {
		return m
	}
	if len(form) > 0 {
		return classify(form, "post")
	}
	return nil
}

func classify(v url.Values, binding string) *Message {
	has := func(k string) bool { _, ok := v[k]; return ok }
	switch {
	case has("SAMLRequest"):
		return &Message{Protocol: SAML, Role: Request, Binding: binding}
	case has("SAMLResponse"):
		m := &Message{Protocol: SAML, Role: Response, Binding: binding}
		readSAMLResponse(m, v.Get("SAMLResponse"), binding == "redirect")
		return m
	case v.Get("wa") == "wsignin1.0" && has("wresult"):
		return &Message{Protocol: WSFed, Role: Response, Binding: binding}
	case v.Get("wa") == "wsignin1.0" && has("wtrealm"):
		return &Message{Protocol: WSFed, Role: Request, Binding: binding}
	case has("response_type") && has("client_id"):
		p := OAuth2
		if strings.Contains(" "+v.Get("scope")+" ", " openid ") {
			p = OIDC
		}
		return &Message{Protocol: p, Role: Request, Binding: binding}
	case has("error") && (has("state") || has("error_description") || has("error_uri")):
		return &Message{Protocol: OAuth2, Role: Response, Binding: binding,
			Error: short(v.Get("error"), 80), Description: short(v.Get("error_description"), 300)}
	case has("id_token"):
		m := &Message{Protocol: OIDC, Role: Response, Binding: binding}
		if t, ok := JWTTimes(v.Get("id_token")); ok {
			t.Kind = "id_token"
			m.Tokens = append(m.Tokens, t)
		}
		if t, ok := JWTTimes(v.Get("access_token")); ok {
			t.Kind = "access_token"
			m.Tokens = append(m.Tokens, t)
		}
		return m
	case has("code") && has("state"), has("access_token") && has("state"):
		return &Message{Protocol: OAuth2, Role: Response, Binding: binding}
	}
	return nil
}

// JWTTimes decodes a JWT's payload for iat, nbf and exp. The token itself
// is not kept; ok is false for anything that is not a JWT with times.
func JWTTimes(tok string) (TokenTimes, bool) {
	parts := strings.Split(strings.TrimSpace(tok), ".")
	if len(parts) != 3 && len(parts) != 5 {
		return TokenTimes{}, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return TokenTimes{}, false
	}
	var claims struct {
		Iat, Nbf, Exp json.Number
	}
	if json.Unmarshal(raw, &claims) != nil {
		return TokenTimes{}, false
	}
	at := func(n json.Number) time.Time {
		f, err := n.Float64()
		if err != nil || f <= 0 {
			return time.Time{}
		}
		return time.Unix(int64(f), 0).UTC()
	}
	t := TokenTimes{IssuedAt: at(claims.Iat), NotBefore: at(claims.Nbf), Expires: at(claims.Exp)}
	if t.IssuedAt.IsZero() && t.NotBefore.IsZero() && t.Expires.IsZero() {
		return TokenTimes{}, false
	}
	return t, true
}

// readSAMLResponse decodes a SAMLResponse (base64; deflated too in the
// redirect binding) for its status and its assertion's validity. Nothing
// else of it is kept.
func readSAMLResponse(m *Message, b64 string, deflated bool) {
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(b64), ""))
	if err != nil {
		return
	}
	if deflated {
		if inflated, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(raw)), 1<<20)); err == nil {
			raw = inflated
		}
	}
	dec := xml.NewDecoder(bytes.NewReader(raw))
	var codes []string
	depth := 0 // nesting of StatusCode elements
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch el := tok.(type) {
		case xml.StartElement:
			switch el.Name.Local {
			case "StatusCode":
				depth++
				if v := attr(el, "Value"); v != "" && depth <= 2 {
					codes = append(codes, v[strings.LastIndex(v, ":")+1:])
				}
			case "Conditions":
				t := TokenTimes{Kind: "SAML assertion"}
				t.NotBefore, _ = time.Parse(time.RFC3339, attr(el, "NotBefore"))
				t.Expires, _ = time.Parse(time.RFC3339, attr(el, "NotOnOrAfter"))
				if !t.NotBefore.IsZero() || !t.Expires.IsZero() {
					m.Tokens = append(m.Tokens, t)
				}
			case "StatusMessage":
				var s string
				if dec.DecodeElement(&s, &el) == nil && m.Description == "" {
					m.Description = short(strings.TrimSpace(s), 300)
				}
			}
		case xml.EndElement:
			if el.Name.Local == "StatusCode" {
				depth--
			}
		}
	}
	m.StatusCode = strings.Join(codes, "/")
}

func attr(el xml.StartElement, name string) string {
	for _, a := range el.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func short(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
