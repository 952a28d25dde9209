package harsanitize

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"

	"github.com/fix401/fix401/internal/redact"
)

var separators = strings.NewReplacer("-", "", "_", "", ".", "")

// flatten lower-cases a name and drops its separators: X-Api-Key, x_api_key
// and xApiKey are one name.
func flatten(name string) string {
	return separators.Replace(strings.ToLower(strings.TrimSpace(name)))
}

// nameInfo is what a name says of its value. Names repeat (every request
// has its Accept and Cookie), so it is worked out once per name.
type nameInfo struct {
	sensitive  bool // redact.IsSensitiveParam
	descriptor bool
	header     bool // sensitiveHeader
	kind       Kind
}

func (s *sanitizer) info(name string) nameInfo {
	if ni, ok := s.names[name]; ok {
		return ni
	}
	ln := strings.ToLower(strings.TrimSpace(name))
	flat := flatten(ln)
	ni := nameInfo{sensitive: redact.IsSensitiveParam(ln) || keyName(flat) || codeName(flat), descriptor: descriptor(ln),
		header: sensitiveHeader(ln) || codeName(flat), kind: kindFor(ln)}
	if s.names == nil {
		s.names = map[string]nameInfo{}
	}
	if len(s.names) < 1<<13 {
		s.names[name] = ni
	}
	return ni
}

// holds reports a name whose value is a secret, and all of it if it is
// an object or array ("credentials": {...}).
func (ni nameInfo) holds() bool { return ni.sensitive && !ni.descriptor }

// kindFor names the kind of secret a parameter, field or header called
// name holds.
func kindFor(name string) Kind {
	flat := flatten(name)
	switch {
	case strings.Contains(flat, "saml") || flat == "wresult" || flat == "assertion":
		return KindSAML
	case strings.Contains(flat, "passw") || strings.Contains(flat, "passcode") ||
		flat == "pwd" || flat == "pass" || flat == "pw" || flat == "pin" || flat == "otp":
		return KindPassword
	case codeName(flat):
		return KindCode
	case strings.Contains(flat, "secret") || strings.Contains(flat, "apikey") || strings.Contains(flat, "verifier") || strings.HasSuffix(flat, "key") ||
		strings.Contains(flat, "signature") || flat == "sig" || flat == "hmac" || strings.Contains(flat, "credential"):
		return KindSecret
	case strings.Contains(flat, "token") || strings.Contains(flat, "session") || flat == "sid" || flat == "jwt" ||
		flat == "bearer" || flat == "auth" || flat == "authorization" || flat == "ticket" || strings.HasSuffix(flat, "sessid"):
		return KindToken
	}
	return KindParam
}

// notSecretKeys end in "key" and name no secret: a public key (WebAuthn's
// options are under "publicKey"), keys of databases, caches and message
// catalogues, and words.
var notSecretKeys = set("publickey", "idempotencykey", "primarykey", "foreignkey", "sortkey", "partitionkey", "rowkey",
	"cachekey", "routingkey", "objectkey", "messagekey", "i18nkey", "translationkey", "labelkey", "errorkey",
	"localekey", "hotkey", "monkey", "turkey", "donkey", "hockey", "whiskey", "jockey")

// keyName reports a name ending in "key" that holds one (private_key,
// signingKey, x_api_key, encryption-key): kindFor calls them secrets.
func keyName(flat string) bool {
	return strings.HasSuffix(flat, "key") && !notSecretKeys[flat]
}

// secretCodes are the words before "code" in the names of one-time codes
// (auth_code, verification_code, mfaCode, otp_code, user_code). Other
// codes are evidence (statusCode, errorCode, countryCode) and stay.
var secretCodes = []string{"auth", "authorization", "authn", "verification", "verify", "mfa", "2fa", "twofactor",
	"otp", "totp", "hotp", "sms", "email", "mail", "phone", "user", "device", "recovery", "backup", "security",
	"confirmation", "confirm", "activation", "access", "login", "signin", "onetime", "reset", "pairing", "pass",
	"secret", "challenge", "token"}

// codeName reports a name that holds a one-time code: "code", or a word of
// secretCodes and "code".
func codeName(flat string) bool {
	p, ok := strings.CutSuffix(flat, "code")
	return ok && (p == "" || slices.Contains(secretCodes, p))
}

// descriptor reports a name that describes a secret rather than holding
// one: token_type, token_endpoint, expires_in, id_token_signing_alg_values_
// supported, end_session_endpoint. An OpenID Provider's configuration is
// made of these, and it is evidence, not a credential.
func descriptor(name string) bool {
	flat := flatten(name)
	for _, suf := range []string{"type", "endpoint", "uri", "url", "supported", "expiresin", "expiresat", "expires",
		"expiry", "method", "methods", "hint", "alg", "timeout", "ttl", "lifetime", "length", "mode", "iframe",
		"required", "enabled", "parameter", "name", "header", "format"} {
		if strings.HasSuffix(flat, suf) {
			return true
		}
	}
	return false
}

// publicParams are OAuth and OpenID Connect parameters that are public by
// definition (RFC 6749 §2.2: "The client identifier is not a secret") and
// decide many failed sign-ins (the wrong client_id, a redirect_uri the
// provider does not know): their values stay even when random-looking.
var publicParams = map[string]bool{
	"client_id": true, "client-request-id": true, "response_type": true, "response_mode": true, "scope": true,
	"redirect_uri": true, "code_challenge_method": true, "grant_type": true, "prompt": true, "ui_locales": true,
	"x-client-sku": true, "x-client-ver": true, "x-client-os": true, "x-client-cpu": true, "resource": true,
	"audience": true, "login_hint": true, "domain_hint": true, "max_age": true, "acr_values": true, "sigalg": true,
	// PKCE's challenge is sent in the open by design (RFC 7636 §4.3); its
	// verifier is the secret.
	"code_challenge": true,
}

// ordinary reports a value that is a flag, not a secret, whatever its
// name: remember_session=true, Access-Control-Allow-Credentials: true.
func ordinary(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "false", "on", "off", "yes", "no", "null", "undefined", "none", "0", "1":
		return true
	}
	return false
}

// judge decides what a named value becomes: its pseudonym when the name
// says it is a secret (or, with shape, when it looks like a key whatever
// its name), its signature-less form when it is a JWT, its redacted form
// when it is a URL carrying secrets of its own; otherwise it stays. The
// result is plain text, to be encoded for where it goes.
func (s *sanitizer) judge(name, v string, shape bool) (string, bool) {
	if v == "" || isPlaceholder(v) {
		return v, false
	}
	ni := s.info(name)
	if _, _, ok := stripJWT(v); ok {
		return s.t.pseudo(v, ni.kind), true
	}
	lname := strings.ToLower(strings.TrimSpace(name))
	if lname == "authorization" || lname == "proxy-authorization" || lname == "proxy_authorization" {
		// An Authorization value copied into a body or a field keeps its
		// scheme, as the header does.
		r := s.authorization(v)
		return r, r != v
	}
	if ni.sensitive && ni.kind == KindPassword {
		// A password is a password, even when it looks like a path.
		return s.t.pseudo(v, KindPassword), true
	}
	if isURL(v) {
		if r := s.url(v); r != v {
			return r, true
		}
		return v, false
	}
	if ni.sensitive {
		switch {
		case ordinary(v):
			return v, false
		case ni.descriptor && !redact.RandomLooking(v):
			return v, false
		}
		return s.t.pseudo(v, ni.kind), true
	}
	if embeddedJSON(v) && s.depth < maxDepth {
		// JSON in a field (a form's payload={"password":…}, a JSON
		// string holding a request body, a hidden input): walked as a
		// JSON body.
		s.depth++
		r := s.jsonBody(v)
		s.depth--
		if r != v {
			return r, true
		}
	}
	if shape && !publicParams[lname] && redact.RandomLooking(v) {
		return s.t.pseudo(v, KindParam), true
	}
	// A value met before as a secret is one here too, whatever its name
	// here (a session id passed on in a parameter called "s").
	if r, ok := s.known(v); ok {
		return r, true
	}
	return v, false
}

// isURL reports an absolute URL with a host, or a path with a query.
func isURL(v string) bool {
	if len(v) > 1 && v[0] == '/' && v[1] != '/' {
		return strings.ContainsAny(v, "?#;")
	}
	i := strings.Index(v, "://")
	if i <= 0 || strings.ContainsAny(v, " \t\r\n\"<>") {
		return false
	}
	for _, c := range v[:i] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// unescape decodes a query or form value (+ is a space), or returns it as
// it is when it does not decode.
func unescape(v string) string {
	if !strings.ContainsAny(v, "%+") {
		return v
	}
	if d, err := url.QueryUnescape(v); err == nil {
		return d
	}
	return v
}

// maxDepth bounds JSON walked inside JSON inside JSON.
const maxDepth = 8

// embeddedJSON reports a field value that is a JSON object or array:
// "{" or "[" first and "}" or "]" last.
func embeddedJSON(v string) bool {
	t := strings.TrimSpace(v)
	if len(t) < 2 {
		return false
	}
	first, last := t[0], t[len(t)-1]
	return (first == '{' || first == '[') && (last == '}' || last == ']')
}

// jsonText reports a body that is JSON whatever its type says (an XHR
// posting JSON as application/x-www-form-urlencoded): "{" or "[" first,
// and it parses.
func jsonText(text string) bool {
	t := strings.TrimLeft(text, " \t\r\n\ufeff")
	return t != "" && (t[0] == '{' || t[0] == '[') && json.Valid([]byte(t))
}
