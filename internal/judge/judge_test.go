package judge

import (
	"reflect"
	"strings"
	"testing"
)

func TestJudgeStatusAndNetError(t *testing.T) {
	challenge := map[string][]string{"Www-Authenticate": {`Basic realm="x"`}, "Content-Type": {"text/html"}}
	noChallenge := map[string][]string{"Content-Type": {"text/html"}}
	cases := []struct {
		name   string
		p      Page
		want   Kind
		reason string // substring the reason must contain
	}{
		// Rule 1: net errors.
		{"refused", Page{NetError: "net::ERR_CONNECTION_REFUSED"}, NetworkError, "the server refused the connection (net::ERR_CONNECTION_REFUSED)"},
		{"dns", Page{NetError: "net::ERR_NAME_NOT_RESOLVED"}, NetworkError, "could not be resolved (DNS)"},
		{"cert authority", Page{NetError: "net::ERR_CERT_AUTHORITY_INVALID"}, NetworkError, "not issued by a trusted authority"},
		{"other cert error", Page{NetError: "net::ERR_CERT_SYMANTEC_LEGACY"}, NetworkError, "TLS certificate was rejected"},
		{"tls", Page{NetError: "net::ERR_SSL_PROTOCOL_ERROR"}, NetworkError, "TLS handshake failed"},
		{"client cert", Page{NetError: "net::ERR_BAD_SSL_CLIENT_AUTH_CERT"}, NetworkError, "client certificate"},
		{"timed out", Page{NetError: "net::ERR_TIMED_OUT", TimedOut: true}, NetworkError, "timed out (net::ERR_TIMED_OUT)"},
		{"connection timed out", Page{NetError: "net::ERR_CONNECTION_TIMED_OUT"}, NetworkError, "connection attempt timed out"},
		{"aborted", Page{NetError: "net::ERR_ABORTED"}, NetworkError, "aborted"},
		{"redirect loop", Page{NetError: "net::ERR_TOO_MANY_REDIRECTS"}, NetworkError, "redirect loop"},
		{"unknown net error", Page{NetError: "net::ERR_SOMETHING_NEW"}, NetworkError, "(net::ERR_SOMETHING_NEW)"},
		{"net error without prefix", Page{NetError: "ERR_CONNECTION_RESET"}, NetworkError, "connection was reset"},
		{"tunnel failed without 407", Page{NetError: "net::ERR_TUNNEL_CONNECTION_FAILED"}, NetworkError, "proxy could not open a tunnel"},
		{"connection reset after 200", Page{Status: 200, NetError: "net::ERR_CONNECTION_RESET", Title: "Access denied"}, NetworkError, "reset"},
		{"invalid auth credentials", Page{NetError: "net::ERR_INVALID_AUTH_CREDENTIALS"}, HTTP401, "401"},
		{"unsupported auth scheme", Page{NetError: "net::ERR_UNSUPPORTED_AUTH_SCHEME"}, HTTP401, "scheme"},
		{"missing negotiate credentials", Page{NetError: "net::ERR_MISSING_AUTH_CREDENTIALS"}, HTTP401, "Negotiate/NTLM"},
		{"unexpected proxy auth", Page{NetError: "net::ERR_UNEXPECTED_PROXY_AUTH"}, Proxy407, "407"},
		{"proxy auth unsupported", Page{NetError: "net::ERR_PROXY_AUTH_UNSUPPORTED"}, Proxy407, "proxy"},
		{"proxy auth requested", Page{NetError: "net::ERR_PROXY_AUTH_REQUESTED"}, Proxy407, "proxy"},
		{"proxy auth requested, no connection", Page{NetError: "net::ERR_PROXY_AUTH_REQUESTED_WITH_NO_CONNECTION"}, Proxy407, "proxy"},
		{"tunnel failed with 407", Page{NetError: "net::ERR_TUNNEL_CONNECTION_FAILED", Status: 407}, Proxy407, "(net::ERR_TUNNEL_CONNECTION_FAILED)"},
		{"invalid credentials on a proxy", Page{NetError: "net::ERR_INVALID_AUTH_CREDENTIALS", Status: 407}, Proxy407, "407"},
		{"empty 404 body", Page{NetError: "net::ERR_HTTP_RESPONSE_CODE_FAILURE", Status: 404}, OtherStatus, "404 Not Found"},
		{"empty 401 body", Page{NetError: "net::ERR_HTTP_RESPONSE_CODE_FAILURE", Status: 401}, HTTP401, "401"},
		{"empty 403 body", Page{NetError: "net::ERR_HTTP_RESPONSE_CODE_FAILURE", Status: 403}, Forbidden403, "403 Forbidden"},
		{"timeout, no response", Page{TimedOut: true}, NetworkError, "the page did not finish loading within the time limit"},
		{"timeout after 200 headers", Page{Status: 200, TimedOut: true, Title: "Loading quarterly report…"}, NetworkError, "did not finish loading"},
		{"timeout after a 401", Page{Status: 401, TimedOut: true}, HTTP401, "401"},
		{"timeout on a soft 401", Page{Status: 200, TimedOut: true, Title: "Access denied"}, Soft401, "Access denied"},

		// Rule 2: error statuses.
		{"401 with challenge", Page{Status: 401, Header: challenge}, HTTP401, "the page answered 401 Unauthorized"},
		{"401 without challenge", Page{Status: 401, Header: noChallenge}, HTTP401, "without a WWW-Authenticate challenge"},
		{"401 headers unknown", Page{Status: 401}, HTTP401, "the page answered 401 Unauthorized"},
		{"407", Page{Status: 407, Header: map[string][]string{"Proxy-Authenticate": {"Basic"}}}, Proxy407, "407 Proxy Authentication Required"},
		{"407 without challenge", Page{Status: 407, Header: noChallenge}, Proxy407, "without a Proxy-Authenticate challenge"},
		{"403", Page{Status: 403, Title: "403 Forbidden"}, Forbidden403, "the page answered 403 Forbidden"},
		{"403 asking to sign in", Page{Status: 403, Title: "Login required"}, Forbidden403, `"Login required"`},
		{"IIS 403 page", FromHTML(htmlPage("403 - Forbidden: Access is denied.", `<div id="header"><h1>Server Error</h1></div><h2>403 - Forbidden: Access is denied.</h2><h3>You do not have permission to view this directory or page using the credentials that you supplied.</h3>`)).withStatus(403), Forbidden403, "403"},
		{"404", Page{Status: 404, Title: "404 Not Found"}, OtherStatus, "404 Not Found"},
		{"429", Page{Status: 429}, OtherStatus, "429 Too Many Requests"},
		{"500 titled access denied", Page{Status: 500, Title: "Access denied"}, OtherStatus, `although its title says "Access denied"`},
		{"400 whose text is a denial", Page{Status: 400, Title: "Bad Request", Text: "Request rejected: you are not authorized to call this endpoint."}, OtherStatus, `although its text mentions "you are not authorized to call this endpoint"`},
		{"502 with a 401 page body", FromHTML(htmlPage("401 Unauthorized", "<h1>Unauthorized</h1>")).withStatus(502), OtherStatus, "502 Bad Gateway"},
		{"unknown status", Page{Status: 599}, OtherStatus, "599"},

		// Rule 3-5.
		{"soft 401", Page{Status: 200, Title: "Zugriff verweigert"}, Soft401, `its title says "Zugriff verweigert" (German: access denied)`},
		{"200", Page{Status: 200, Title: "Northwind"}, None, "200 OK"},
		{"204", Page{Status: 204}, None, "204 No Content"},
		{"304", Page{Status: 304, Title: "Northwind"}, None, "304"},
		{"no status, no error", Page{Title: "file"}, None, "the page loaded"},
	}
	for _, c := range cases {
		v := Judge(c.p)
		if v.Kind != c.want {
			t.Errorf("%s: got %s (%s), want %s", c.name, v.Kind, v.Reason, c.want)
			continue
		}
		if v.OK != (c.want == None) {
			t.Errorf("%s: OK = %v", c.name, v.OK)
		}
		if !strings.Contains(v.Reason, c.reason) {
			t.Errorf("%s: reason %q does not contain %q", c.name, v.Reason, c.reason)
		}
		if strings.Contains(v.Reason, "\n") || v.Reason == "" {
			t.Errorf("%s: reason %q is not one sentence", c.name, v.Reason)
		}
		if (v.Evidence != "") != (v.Kind == Soft401) {
			t.Errorf("%s: evidence %q for %s", c.name, v.Evidence, v.Kind)
		}
	}
}

func (p Page) withStatus(s int) Page {
	p.Status = s
	return p
}

func TestSubresource401(t *testing.T) {
	page := Page{
		URL: "https://app.example/dashboard", FinalURL: "https://app.example/dashboard",
		Status: 200, Title: "Dashboard – Northwind", Headings: []string{"Dashboard"},
		Subrequests: []Request{
			{URL: "https://app.example/static/app.js", Status: 200, Type: "Script", Method: "GET"},
			{URL: "https://app.example/api/me", Status: 401, Type: "Fetch", Method: "GET"},
			{URL: "https://app.example/favicon.ico", Status: 401, Type: "Other", Method: "GET"},
			{URL: "https://app.example/api/team?id=4", Status: 401, Type: "XHR", Method: "POST"},
			{URL: "https://cdn.example/font.woff2", Status: 404, Type: "Font"},
		},
	}
	v := Judge(page)
	if v.Kind != Subresource401 || !v.Kind.IsAuthFailure() {
		t.Fatalf("got %s (%s), want subresource_401", v.Kind, v.Reason)
	}
	want := "the page loaded but 2 requests it made answered 401: GET /api/me (fetch), POST /api/team?id=4 (xhr)"
	if v.Reason != want {
		t.Errorf("reason\n got %q\nwant %q", v.Reason, want)
	}
	// Failing lists every 401, the favicon included: it is not decisive,
	// but it is still a fact about the load.
	if len(v.Failing) != 3 || v.Failing[0].URL != "https://app.example/api/me" || v.Failing[1].URL != "https://app.example/favicon.ico" {
		t.Errorf("failing = %+v", v.Failing)
	}

	one := page
	one.Subrequests = []Request{{URL: "https://api.other.example/v1/me", Status: 401, Type: "Fetch"}}
	v = Judge(one)
	if want := "the page loaded but 1 request it made answered 401: GET https://api.other.example/v1/me (fetch)"; v.Reason != want {
		t.Errorf("reason\n got %q\nwant %q", v.Reason, want)
	}

	proxy := page
	proxy.Subrequests = []Request{
		{URL: "https://app.example/a", Status: 407, Type: "Fetch", Method: "GET"},
		{URL: "https://app.example/b", Status: 401, Type: "Document", Method: "GET"},
	}
	v = Judge(proxy)
	if v.Kind != Subresource401 || !strings.Contains(v.Reason, "answered 401 or 407: GET /a (fetch, 407), GET /b (document, 401)") {
		t.Errorf("mixed: got %s (%s)", v.Kind, v.Reason)
	}

	many := page
	many.Subrequests = nil
	for _, p := range []string{"a", "b", "c", "d", "e"} {
		many.Subrequests = append(many.Subrequests, Request{URL: "https://app.example/api/" + p, Status: 401, Type: "XHR"})
	}
	v = Judge(many)
	if !strings.HasSuffix(v.Reason, "GET /api/c (xhr), and 2 more") || len(v.Failing) != 5 {
		t.Errorf("many: %q, %d failing", v.Reason, len(v.Failing))
	}

	// Only the favicon, or only Cloudflare's Private Access Token probe
	// (a 401 by design): the page is fine.
	quiet := page
	quiet.Subrequests = []Request{
		{URL: "https://app.example/favicon.ico", Status: 401, Type: "Other"},
		{URL: "https://app.example/cdn-cgi/challenge-platform/h/g/pat/8f1e/1700000000/abc", Status: 401, Type: "Fetch"},
	}
	v = Judge(quiet)
	if v.Kind != None || len(v.Failing) != 1 {
		t.Errorf("favicon and PAT probe: got %s (%s), failing %+v", v.Kind, v.Reason, v.Failing)
	}

	// A soft 401 outranks the failing requests, which are still listed.
	soft := page
	soft.Title = "Access denied"
	v = Judge(soft)
	if v.Kind != Soft401 || len(v.Failing) != 3 {
		t.Errorf("soft with failing requests: got %s, %d failing", v.Kind, len(v.Failing))
	}
	// So does a document 401.
	hard := page
	hard.Status = 401
	v = Judge(hard)
	if v.Kind != HTTP401 || len(v.Failing) != 3 {
		t.Errorf("401 with failing requests: got %s, %d failing", v.Kind, len(v.Failing))
	}
	// And a network error.
	neterr := page
	neterr.NetError = "net::ERR_CONNECTION_RESET"
	if v := Judge(neterr); v.Kind != NetworkError || len(v.Failing) != 3 {
		t.Errorf("network error with failing requests: got %s, %d failing", v.Kind, len(v.Failing))
	}
}

func TestIsAuthFailure(t *testing.T) {
	got := map[Kind]bool{}
	for _, k := range []Kind{HTTP401, Proxy407, Soft401, Subresource401, Forbidden403, OtherStatus, NetworkError, None, Kind("")} {
		got[k] = k.IsAuthFailure()
	}
	want := map[Kind]bool{HTTP401: true, Proxy407: true, Soft401: true, Subresource401: true, Forbidden403: false, OtherStatus: false, NetworkError: false, None: false, "": false}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("IsAuthFailure = %v", got)
	}
}

// IIS sub-statuses belong to 401s and soft 401s only: a 403 or a healthy
// page that happens to show "HTTP Error 401.2" text does not get one.
func TestIISSubstatusOnlyForAuthPages(t *testing.T) {
	text := "HTTP Error 401.2 - Unauthorized"
	for _, c := range []struct {
		p    Page
		want string
	}{
		{Page{Status: 401, Text: text}, "401.2"},
		{Page{Status: 200, Headings: []string{text}}, "401.2"},
		{Page{NetError: "net::ERR_INVALID_AUTH_CREDENTIALS"}, ""},
		{Page{Status: 403, Text: text}, ""},
		{Page{Status: 200, Title: "Release notes", Text: "Fixed " + text + " on the intranet."}, ""},
	} {
		if v := Judge(c.p); v.IISSubstatus != c.want {
			t.Errorf("%+v: IIS sub-status %q, want %q", c.p, v.IISSubstatus, c.want)
		}
	}
}
