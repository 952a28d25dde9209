package redact

import "testing"

func TestCookieName(t *testing.T) {
	for in, want := range map[string]string{
		"mod_auth_openidc_state_FVDumaHu1Dl56dzpYIvKkJgSI_Q":   "mod_auth_openidc_state_[redacted]",
		"mod_auth_openidc_state_zyxwvutsrqponmLKJIH":           "mod_auth_openidc_state_[redacted]",
		"mod_auth_openidc_state_ick_FVDumaHu1Dl56dzpYIvKk":     "mod_auth_openidc_state_[redacted]",
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
