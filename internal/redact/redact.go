// Package redact removes secrets from what fix401 writes: URLs, headers and
// free text. The rule is to keep names and shapes (so the evidence still
// reads) and replace values with [redacted].
package redact

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// Mark replaces every secret value.
const Mark = "[redacted]"

// sensitiveParams are query and fragment parameter names whose values are
// credentials in the wild (OAuth, SAML, signed URLs, API keys).
var sensitiveParams = []string{
	"access_token", "id_token", "refresh_token", "token", "code", "password", "passwd", "pwd",
	"secret", "client_secret", "key", "apikey", "api_key", "sig", "signature", "auth",
	"session", "sessionid", "sid", "jwt", "assertion", "samlresponse", "samlrequest", "ticket",
	"x-amz-signature", "x-amz-credential", "x-amz-security-token", "x-goog-signature", "state", "nonce",
}

// IsSensitiveParam reports whether a query parameter name carries a secret.
func IsSensitiveParam(name string) bool {
	n := strings.ToLower(name)
	for _, s := range sensitiveParams {
		if n == s {
			return true
		}
	}
	return strings.Contains(n, "token") || strings.Contains(n, "secret") || strings.Contains(n, "password")
}

// URL returns u with the password of its userinfo and the values of
// sensitive query and fragment parameters replaced. Text that is not a URL
// comes back unchanged.
func URL(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Scheme == "" {
		return u
	}
	if p.User != nil {
		if _, has := p.User.Password(); has {
			p.User = url.UserPassword(p.User.Username(), Mark)
		}
	}
	p.RawQuery = params(p.RawQuery)
	if strings.Contains(p.Fragment, "=") {
		p.RawFragment = ""
		p.Fragment = params(p.EscapedFragment())
		if f, err := url.PathUnescape(p.Fragment); err == nil {
			p.Fragment = f
		}
	}
	return strings.ReplaceAll(p.String(), url.QueryEscape(Mark), Mark)
}

// params redacts an a=b&c=d string in place, keeping order and names.
func params(raw string) string {
	if raw == "" {
		return raw
	}
	parts := strings.Split(raw, "&")
	for i, part := range parts {
		name, _, has := strings.Cut(part, "=")
		if !has {
			continue
		}
		dn, err := url.QueryUnescape(name)
		if err != nil {
			dn = name
		}
		if IsSensitiveParam(dn) {
			parts[i] = name + "=" + Mark
		}
	}
	return strings.Join(parts, "&")
}

// sensitiveHeaders carry credentials in every value.
var sensitiveHeaders = map[string]bool{
	"Authorization": true, "Proxy-Authorization": true, "Cookie": true, "Set-Cookie": true,
	"X-Api-Key": true, "X-Auth-Token": true, "X-Csrf-Token": true, "X-Xsrf-Token": true,
	"Cf-Access-Client-Secret": true, "X-Amz-Security-Token": true,
}

// IsSensitiveHeader reports whether a header's value is a secret.
func IsSensitiveHeader(name string) bool {
	return sensitiveHeaders[http.CanonicalHeaderKey(name)]
}

// HeaderValue returns the value to write for header name: for Authorization
// the scheme stays ("Basic [redacted]"), for cookies the names stay
// ("sid=[redacted]; theme=[redacted]"), for other secrets only the mark.
func HeaderValue(name, value string) string {
	switch http.CanonicalHeaderKey(name) {
	case "Authorization", "Proxy-Authorization":
		if scheme, _, ok := strings.Cut(strings.TrimSpace(value), " "); ok {
			return scheme + " " + Mark
		}
		return Mark
	case "Cookie":
		return cookiePairs(value, "; ")
	case "Set-Cookie":
		first, attrs, _ := strings.Cut(value, ";")
		out := cookiePairs(first, "; ")
		if attrs != "" {
			out += ";" + attrs
		}
		return out
	case "Location", "Referer", "Content-Location":
		return URL(value)
	}
	if IsSensitiveHeader(name) {
		return Mark
	}
	return value
}

func cookiePairs(v, sep string) string {
	var out []string
	for _, pair := range strings.Split(v, ";") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		name, _, _ := strings.Cut(pair, "=")
		out = append(out, name+"="+Mark)
	}
	return strings.Join(out, sep)
}

// Header returns a redacted copy of h.
func Header(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		for _, v := range vs {
			out.Add(k, HeaderValue(k, v))
		}
	}
	return out
}

var urlInText = regexp.MustCompile(`https?://[^\s"'<>]+`)

// Text redacts every URL found in free text, and every literal secret given.
func Text(s string, secrets ...string) string {
	s = urlInText.ReplaceAllStringFunc(s, URL)
	for _, sec := range secrets {
		if len(sec) >= 3 {
			s = strings.ReplaceAll(s, sec, Mark)
		}
	}
	return s
}
