package judge

import (
	"regexp"
	"strings"
)

var netErrorRE = regexp.MustCompile(`ERR_[A-Z0-9_]+`)

// netErrorCode extracts "ERR_CONNECTION_REFUSED" from the forms Chrome and
// its drivers use: "net::ERR_CONNECTION_REFUSED", "ERR_CONNECTION_REFUSED",
// or a longer message that contains it.
func netErrorCode(s string) string {
	return netErrorRE.FindString(strings.ToUpper(s))
}

// authErrors are net errors Chrome raises while handling a server's 401
// challenge. When headless Chrome cannot or will not answer the challenge it
// drops the 401 page and reports one of these instead, so they are 401s.
var authErrors = map[string]string{
	"ERR_INVALID_AUTH_CREDENTIALS":             "the page answered 401 Unauthorized and the browser had no credentials it could use",
	"ERR_UNSUPPORTED_AUTH_SCHEME":              "the page answered 401 Unauthorized with an authentication scheme the browser does not support",
	"ERR_MISSING_AUTH_CREDENTIALS":             "the page asked for Windows integrated (Negotiate/NTLM) authentication and no credentials were available",
	"ERR_MISCONFIGURED_AUTH_ENVIRONMENT":       "the page asked for Kerberos/Negotiate authentication and this machine's authentication setup is misconfigured",
	"ERR_MALFORMED_IDENTITY":                   "the page answered 401 Unauthorized and the identity the browser would send is malformed",
	"ERR_UNEXPECTED_SECURITY_LIBRARY_STATUS":   "the page asked for Windows integrated authentication and the system's security library failed",
	"ERR_UNDOCUMENTED_SECURITY_LIBRARY_STATUS": "the page asked for Windows integrated authentication and the system's security library failed",
}

// proxyAuthErrors are Chrome's ways of saying a proxy wanted credentials.
var proxyAuthErrors = map[string]string{
	"ERR_PROXY_AUTH_UNSUPPORTED":                  "the proxy asked for credentials with an authentication scheme the browser does not support",
	"ERR_PROXY_AUTH_REQUESTED":                    "the proxy asked for credentials the browser did not supply",
	"ERR_PROXY_AUTH_REQUESTED_WITH_NO_CONNECTION": "the proxy asked for credentials the browser did not supply",
	"ERR_UNEXPECTED_PROXY_AUTH":                   "the server answered 407 Proxy Authentication Required although it is not a proxy the browser uses",
}

// netErrors say in plain words what Chrome's most common net errors mean,
// so a report can be read by someone who has never seen net_error_list.h.
var netErrors = map[string]string{
	"ERR_CONNECTION_REFUSED":             "the server refused the connection",
	"ERR_CONNECTION_RESET":               "the connection was reset",
	"ERR_CONNECTION_CLOSED":              "the server closed the connection unexpectedly",
	"ERR_CONNECTION_ABORTED":             "the connection was aborted",
	"ERR_CONNECTION_FAILED":              "the connection failed",
	"ERR_CONNECTION_TIMED_OUT":           "the connection attempt timed out",
	"ERR_TIMED_OUT":                      "the request timed out",
	"ERR_NAME_NOT_RESOLVED":              "the host name could not be resolved (DNS)",
	"ERR_NAME_RESOLUTION_FAILED":         "DNS resolution failed",
	"ERR_ADDRESS_UNREACHABLE":            "the server's address is unreachable",
	"ERR_ADDRESS_INVALID":                "the server's address is invalid",
	"ERR_INTERNET_DISCONNECTED":          "this machine is not connected to the network",
	"ERR_NETWORK_CHANGED":                "the network changed during the load",
	"ERR_NETWORK_ACCESS_DENIED":          "the system or a firewall denied network access",
	"ERR_EMPTY_RESPONSE":                 "the server closed the connection without sending anything",
	"ERR_ABORTED":                        "the load was aborted",
	"ERR_FAILED":                         "the load failed",
	"ERR_BLOCKED_BY_CLIENT":              "the browser blocked the request",
	"ERR_BLOCKED_BY_ADMINISTRATOR":       "a browser policy blocked the request",
	"ERR_BLOCKED_BY_RESPONSE":            "the browser blocked the response because of its headers",
	"ERR_TOO_MANY_REDIRECTS":             "the page redirected too many times (a redirect loop, often between a site and its sign-in page)",
	"ERR_UNSAFE_REDIRECT":                "the page redirected to an address the browser refuses to follow",
	"ERR_UNSAFE_PORT":                    "the browser refuses to connect to that port",
	"ERR_INVALID_URL":                    "the address is not a valid URL",
	"ERR_DISALLOWED_URL_SCHEME":          "the browser does not allow that URL scheme",
	"ERR_UNKNOWN_URL_SCHEME":             "the browser does not know that URL scheme",
	"ERR_INVALID_RESPONSE":               "the server sent a response the browser could not understand",
	"ERR_INVALID_HTTP_RESPONSE":          "the server sent an invalid HTTP response",
	"ERR_HTTP2_PROTOCOL_ERROR":           "the HTTP/2 connection failed with a protocol error",
	"ERR_QUIC_PROTOCOL_ERROR":            "the HTTP/3 (QUIC) connection failed with a protocol error",
	"ERR_CONTENT_DECODING_FAILED":        "the browser could not decode the response body",
	"ERR_RESPONSE_HEADERS_TOO_BIG":       "the server's response headers were too big",
	"ERR_HTTP_RESPONSE_CODE_FAILURE":     "the server answered with an error status and no page",
	"ERR_CACHE_MISS":                     "the page was the result of a form submission and is no longer cached",
	"ERR_FILE_NOT_FOUND":                 "the file was not found",
	"ERR_SSL_PROTOCOL_ERROR":             "the TLS handshake failed",
	"ERR_SSL_VERSION_OR_CIPHER_MISMATCH": "the server and the browser share no TLS version or cipher",
	"ERR_BAD_SSL_CLIENT_AUTH_CERT":       "the server rejected the TLS client certificate",
	"ERR_SSL_CLIENT_AUTH_CERT_NEEDED":    "the server asked for a TLS client certificate and none was sent",
	"ERR_CERT_AUTHORITY_INVALID":         "the server's TLS certificate is not issued by a trusted authority",
	"ERR_CERT_COMMON_NAME_INVALID":       "the server's TLS certificate does not match its host name",
	"ERR_CERT_DATE_INVALID":              "the server's TLS certificate has expired or is not yet valid",
	"ERR_CERT_REVOKED":                   "the server's TLS certificate has been revoked",
	"ERR_PROXY_CONNECTION_FAILED":        "the proxy server could not be reached",
	"ERR_TUNNEL_CONNECTION_FAILED":       "the proxy could not open a tunnel to the server",
	"ERR_PROXY_CERTIFICATE_INVALID":      "the proxy's TLS certificate is invalid",
	"ERR_SOCKS_CONNECTION_FAILED":        "the SOCKS proxy connection failed",
}

func describeNetError(code string) string {
	if d := netErrors[code]; d != "" {
		return d
	}
	switch {
	case strings.HasPrefix(code, "ERR_CERT_"):
		return "the server's TLS certificate was rejected"
	case strings.HasPrefix(code, "ERR_SSL_"):
		return "the TLS connection failed"
	case strings.HasPrefix(code, "ERR_PROXY_"):
		return "the connection through the proxy failed"
	case strings.HasPrefix(code, "ERR_NAME_"), strings.HasPrefix(code, "ERR_DNS_"):
		return "the host name could not be resolved (DNS)"
	}
	return "the load failed with a network error"
}
