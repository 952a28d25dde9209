package redact

import "testing"

func TestCookieName(t *testing.T) {
	for in, want := range map[string]string{
		"mod_auth_openidc_state_FVDumaHu1Dl56dzpYIvKkJgSI_Q":   "mod_auth_openidc_state_[redacted]",
		"mod_auth_openidc_state_zyxwvutsrqponmLKJIH":           "mod_auth_openidc_state_[redacted]",
		"mod_auth_openidc_state_ick_FVDumaHu1Dl56dzpYIvKk":     "mod_auth_openidc_state_[redacted]",
		"mod_auth_openidc_state_Ab3x_abcd_XYZ12345678":         "mod_auth_openidc_state_[redacted]",
		"mod_auth_openidc_session":                             "mod_auth_openidc_session",
		"wordpress_logged_in_5f4dcc3b5aa765d61d8327deb882cf99": "wordpress_logged_[redacted]",
		"JSESSIONID":     "JSESSIONID",
		"_ga_ABC123XYZ9": "_ga_ABC123XYZ9",
		"session_id":     "session_id",
		"__Host-session": "__Host-session",
		"_interaction":   "_interaction",
		"AWSALBCORS":     "AWSALBCORS",
	} {
		if got := CookieName(in); got != want {
			t.Errorf("CookieName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPath(t *testing.T) {
	for in, want := range map[string]string{
		"/interaction/72Dpsk1FD3Hi6WgGT0P6dVIAP5SwSXwUQZ_urbU5RP2": "/interaction/[redacted]",
		"/interaction/aBcDeFgHiJkLmNoPqRsTu":                       "/interaction/[redacted]",
		"/docs/getting-started-with-single-sign-on":                "/docs/getting-started-with-single-sign-on",
		"/Products/WidgetDeluxe":                                   "/Products/WidgetDeluxe",
		"/wiki/SingleSignOnTroubleshooting":                        "/wiki/SingleSignOnTroubleshooting",
		"/protected/redirect_uri":                                  "/protected/redirect_uri",
		"/reports/2026-11-30/quarterly-summary-v2.pdf":             "/reports/2026-11-30/quarterly-summary-v2.pdf",
		"/api/v1/users/12345678901234567890":                       "/api/v1/users/12345678901234567890",
	} {
		if got := Path(in); got != want {
			t.Errorf("Path(%q) = %q, want %q", in, got, want)
		}
	}
}
