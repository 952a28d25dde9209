package harsanitize

import (
	"encoding/base64"
	"encoding/json"
	"strings"
)

// signatureMark replaces a JWT's signature.
const signatureMark = "[redacted-signature]"

// stripJWT recognises a signed JSON Web Token (three base64url parts whose
// header decodes to a JSON object with "alg") and returns it with the
// signature replaced, and the signature. A JWT without its signature can
// no longer be replayed, and its header and claims (iss, aud, exp, iat,
// nonce) are what a reader of a failed sign-in needs. An unsigned token
// ("alg":"none") is its own credential: it is not a JWT here, and goes
// whole.
func stripJWT(v string) (out, sig string, ok bool) {
	if len(v) < 16 || !strings.HasPrefix(v, "eyJ") {
		return "", "", false
	}
	h, rest, ok1 := strings.Cut(v, ".")
	c, sig, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || h == "" || c == "" || sig == "" || !b64url(h) || !b64url(c) || !b64url(sig) {
		return "", "", false
	}
	hdr, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(h, "="))
	if err != nil {
		return "", "", false
	}
	var head struct {
		Alg *string `json:"alg"`
	}
	if json.Unmarshal(hdr, &head) != nil || head.Alg == nil || strings.EqualFold(*head.Alg, "none") {
		return "", "", false
	}
	return h + "." + c + "." + signatureMark, sig, true
}

func b64url(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '=') {
			return false
		}
	}
	return true
}

// stripJWTsInText drops the signature of every JWT in free text (an inline
// script holding an id_token, a debug page). This is not a search of the
// finished text for secrets: a candidate is kept or cut by its own
// structure (its header must decode to a JWT header), so prose and other
// base64 are never touched.
func (s *sanitizer) stripJWTsInText(v string) string {
	if !strings.Contains(v, "eyJ") {
		return v
	}
	var b strings.Builder
	last, from := 0, 0
	for {
		i := strings.Index(v[from:], "eyJ")
		if i < 0 {
			break
		}
		i += from
		j := i
		for j < len(v) && (b64url(v[j:j+1]) || v[j] == '.') {
			j++
		}
		from = j
		if i > 0 && (b64url(v[i-1:i]) || v[i-1] == '.') {
			continue // inside a longer blob
		}
		tok := strings.TrimRight(v[i:j], ".")
		r, ok := "", false
		if strings.Count(tok, ".") == 2 {
			if _, _, ok = stripJWT(tok); ok {
				r = s.t.pseudo(tok, KindToken)
			}
		}
		if !ok {
			continue
		}
		b.WriteString(v[last:i])
		b.WriteString(r)
		last = i + len(tok)
	}
	if last == 0 {
		return v
	}
	b.WriteString(v[last:])
	return b.String()
}
