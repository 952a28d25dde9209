package judge

import (
	"strings"
	"testing"
)

func TestIISSubstatus(t *testing.T) {
	cases := []struct {
		text, want string
	}{
		// IIS 7+ detailed errors, title and heading.
		{"IIS 8.5 Detailed Error - 401.1 - Unauthorized", "401.1"},
		{"IIS 10.0 Detailed Error - 401.2 - Unauthorized", "401.2"},
		{"HTTP Error 401.2 - Unauthorized", "401.2"},
		{"<h3>HTTP Error 401.3 - Unauthorized</h3>", "401.3"},
		{"HTTP Error 401.4 - Unauthorized", "401.4"},
		{"HTTP Error 401.5 - Unauthorized", "401.5"},
		{"HTTP Error 401.501 - Unauthorized", "401.501"},
		{"HTTP Error 401.502 - Unauthorized", "401.502"},
		{"HTTP Error 401.503 - Unauthorized", "401.503"},
		{"HTTP Error 401.504 - Unauthorized", "401.504"},
		{"HTTP Error 401.61 - Unauthorized", "401.61"},
		{"Server Error in Application \"DEFAULT WEB SITE\"\nHTTP Error 401.1\nUnauthorized", "401.1"},
		// Localised detailed errors.
		{"HTTP-Fehler 401.2 - Unauthorized", "401.2"},
		{"Erreur HTTP 401.1 - Unauthorized", "401.1"},
		{"HTTP 错误 401.2 - 未经授权", "401.2"},
		{"Ошибка HTTP 401.3 - Unauthorized", "401.3"},
		// IIS 5/6 pages.
		{"HTTP Error 401.2 - Unauthorized: Access is denied due to server configuration.\nInternet Information Services (IIS)", "401.2"},
		{"HTTP 401.2 - Unauthorized: Logon Method Not Supported", "401.2"},
		{"HTTP Error 401.7 - Access denied by URL authorization policy on the Web server.", "401.7"},
		{"HTTP Error 401.1.", "401.1"},
		// IIS 6 text whose number was cut off: recognised by sentences only
		// one sub-status page uses.
		{"You do not have permission to view this directory or page using the credentials that you supplied because your Web browser is sending a WWW-Authenticate header field that the Web server is not configured to accept.", "401.2"},
		{"You are not authorized to view this page due to invalid authentication headers.", "401.2"},
		{"You do not have permission to view this directory or page because of the access control list (ACL) configuration or encryption settings for this resource on the Web server.", "401.3"},
		// The first sub-status wins.
		{"HTTP Error 401.1 - Unauthorized ... see also HTTP Error 401.2 - Unauthorized", "401.1"},

		// Non-matches.
		{"401 - Unauthorized: Access is denied due to invalid credentials.", ""}, // custerr 401.htm
		{"You do not have permission to view this directory or page using the credentials that you supplied.", ""},
		{"The total is 401.25 USD", ""},
		{"price: 401.25 - 10% off", ""},
		{"Room 401.5 is upstairs", ""},
		{"version 1.401.2-rc1", ""},
		{"build 401.2-beta", ""},
		{"HTTP/1.1 401 Unauthorized", ""},
		{"HTTP Error 401 - Unauthorized", ""},
		{"HTTP Error 401.0 - Unauthorized", ""},
		{"HTTP Error 401.2500 - Unauthorized", ""},
		{"Error code 401", ""},
		{"HTTP Error 403.14 - Forbidden", ""},
		{"", ""},
	}
	for _, c := range cases {
		if got := IISSubstatus(c.text); got != c.want {
			t.Errorf("IISSubstatus(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

func TestIISMeaning(t *testing.T) {
	cases := []struct {
		code  string
		words []string // each must appear in the meaning
	}{
		{"401.1", []string{"logon failed", "password"}},
		{"401.2", []string{"server configuration", "authentication method", "Negotiate/NTLM"}},
		{"401.3", []string{"ACL", "NTFS"}},
		{"401.4", []string{"filter"}},
		{"401.5", []string{"ISAPI/CGI"}},
		{"401.7", []string{"URL authorization"}},
		{"401.501", []string{"concurrent", "same client IP", "Dynamic IP Restrictions"}},
		{"401.502", []string{"too many requests", "same client IP", "rate"}},
		{"401.503", []string{"IP address", "deny list"}},
		{"401.504", []string{"host name", "deny list"}},
		{" 401.2 ", []string{"server configuration"}},
		{"2", []string{"server configuration"}},
	}
	for _, c := range cases {
		m := IISMeaning(c.code)
		if m == "" {
			t.Errorf("IISMeaning(%q) is empty", c.code)
			continue
		}
		for _, w := range c.words {
			if !strings.Contains(m, w) {
				t.Errorf("IISMeaning(%q) = %q, missing %q", c.code, m, w)
			}
		}
		if strings.Count(m, "\n") > 0 || !strings.HasSuffix(m, ".") {
			t.Errorf("IISMeaning(%q) = %q is not one plain sentence", c.code, m)
		}
	}
	for _, code := range []string{"", "401", "401.", "401.0", "401.6", "401.9", "401.61", "401.505", "403.1", "403.14", "abc", "4012"} {
		if m := IISMeaning(code); m != "" {
			t.Errorf("IISMeaning(%q) = %q, want \"\"", code, m)
		}
	}
}
