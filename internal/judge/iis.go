package judge

import (
	"regexp"
	"strings"
)

// An IIS sub-status is only trusted in the two shapes IIS prints it in:
// after "HTTP" ("HTTP Error 401.2", "HTTP-Fehler 401.2", "HTTP 错误 401.2",
// "HTTP 401.2 - ...") or followed by a spaced dash or a colon and a word
// ("Detailed Error - 401.1 - Unauthorized", "401.3: ..."). A bare "401.25"
// is a price or a version, not a sub-status, and "1.401.2-rc" is a version.
var (
	iisAfterHTTP  = regexp.MustCompile(`(?i)\bHTTP[^\n\d]{0,20}?(?:^|[^\d.])401\.([1-9]\d{0,2})(?:[^\d.]|\.(?:\s|$)|$)`)
	iisBeforeDash = regexp.MustCompile(`(?i)(?:^|[^\d.])401\.([1-9]\d{0,2})(?:\s+[-–—]\s*|\s*[:：]\s*)\pL`)
)

// iisDescriptions recognise IIS pages whose sub-status number was cut off
// (the IIS 6 pages print it only at the very bottom) by sentences that
// exist on exactly one sub-status page. The 401.1 sentence "You do not have
// permission to view this directory or page using the credentials that you
// supplied." is missing on purpose: IIS 7+ also prints it on the generic
// custerr 401.htm, which carries no sub-status.
var iisDescriptions = []struct{ text, code string }{
	{"sending a www-authenticate header field that the web server is not configured to accept", "401.2"},
	{"you are not authorized to view this page due to invalid authentication headers", "401.2"},
	{"access control list (acl) configuration or encryption settings for this resource on the web server", "401.3"},
	{"access control list (acl) that is configured for this resource on the web server", "401.3"},
	{"has a filter installed to verify users connecting to the server and it failed to authenticate your credentials", "401.4"},
	{"has an isapi or cgi application installed that verifies user credentials before proceeding", "401.5"},
}

// IISSubstatus finds the IIS 401 sub-status ("401.1", "401.2", "401.501", ...)
// that an IIS error page shows in text, or "" when there is none. The custom
// error page IIS sends to remote clients (custerr 401.htm) has no
// sub-status, and none is invented for it.
func IISSubstatus(text string) string {
	best, at := "", -1
	for _, re := range []*regexp.Regexp{iisAfterHTTP, iisBeforeDash} {
		if m := re.FindStringSubmatchIndex(text); m != nil && (at < 0 || m[2] < at) {
			best, at = "401."+text[m[2]:m[3]], m[2]
		}
	}
	if best != "" {
		return best
	}
	low := strings.Join(strings.Fields(strings.ToLower(text)), " ")
	for _, d := range iisDescriptions {
		if strings.Contains(low, d.text) {
			return d.code
		}
	}
	return ""
}

type iisCode struct {
	short string // what IIS calls it, for a reason's parenthesis
	long  string // the usual cause and what to do about it
}

var iisCodes = map[string]iisCode{
	"401.1": {"logon failed",
		"the server rejected the credentials it was given: a wrong user name or password, a locked, expired or disabled account, or a failed Kerberos/NTLM exchange (for example a missing or duplicate SPN, or the loopback check when browsing the server by a host name from itself); check the account and, for Windows authentication, the SPN and the domain trust"},
	"401.2": {"logon failed due to server configuration",
		"the server offers no authentication method that the browser used or supports: anonymous access is off and the request carried no usable Authorization header, for example only Windows authentication is enabled and the browser cannot do Negotiate/NTLM, or a proxy stripped the header; enable a method the client supports (Anonymous, Basic or Windows) or let the browser use integrated authentication for this site"},
	"401.3": {"unauthorized due to ACL on resource",
		"the user was authenticated, but the NTFS permissions (ACL) on the file or folder do not let that account, the anonymous IUSR account or the application pool identity read it; grant read access on the physical path"},
	"401.4": {"authorization failed by filter",
		"an ISAPI filter installed on the server checked the request and refused it; look at the site's ISAPI filters and their logs"},
	"401.5": {"authorization failed by ISAPI/CGI application",
		"the ISAPI or CGI application at this URL checked the user's credentials itself and refused them; look at that application's own authorization rules and logs"},
	"401.7": {"access denied by URL authorization policy",
		"an IIS 6 URL authorization rule on the server refused this user; review the URL authorization rules for the resource"},
	"401.501": {"access denied: too many concurrent requests from the same client IP",
		"Dynamic IP Restrictions reached its limit of concurrent requests from this client address (shown as 401 when its deny action is set to Unauthorized); wait, stop whatever floods the server, or raise maxConcurrentRequests"},
	"401.502": {"access denied: too many requests from the same client IP",
		"Dynamic IP Restrictions reached its request-rate limit for this client address within the time window (shown as 401 when its deny action is set to Unauthorized); slow down or raise maxRequests / requestTimeWindow"},
	"401.503": {"access denied: the client IP address is in the deny list",
		"the IP Address and Domain Restrictions feature denies this client address; remove it from the deny list or connect from an allowed address"},
	"401.504": {"access denied: the client host name is in the deny list",
		"the IP Address and Domain Restrictions feature (with reverse DNS lookups) denies this client's host name; remove it from the deny list or connect from an allowed host"},
}

// IISMeaning explains an IIS 401 sub-status such as "401.2" in plain
// English, with its usual cause and fix; "" when the code is not a known
// one. A bare sub-code ("2") is accepted too.
func IISMeaning(code string) string {
	code = strings.TrimSpace(code)
	if !strings.HasPrefix(code, "401.") {
		code = "401." + code
	}
	m, ok := iisCodes[code]
	if !ok {
		return ""
	}
	return "IIS " + code + " (" + m.short + "): " + m.long + "."
}
