package inputs

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestOneRuleForFlagsAndKeys: diagnose's flags and a check's keys get the
// same checks, each named as the person wrote it.
func TestOneRuleForFlagsAndKeys(t *testing.T) {
	dir := t.TempDir()
	jar := filepath.Join(dir, "cookies.txt")
	os.WriteFile(jar, []byte("intranet.example\tFALSE\t/\tFALSE\t0\tsid\tc00kie-value\nintranet.example\tFALSE\t/\tFALSE\t0\tlang\ten\n"), 0o600)
	b, err := Build(Given{User: "alice", Password: "pw", BearerToken: "tok", Cookies: jar}, Flags)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(b.Secrets, []string{"pw", "tok"}) || !slices.Equal(b.CookieSecrets, []string{"c00kie-value"}) || !slices.Equal(b.BrowserSecrets, []string{"pw", "tok"}) {
		t.Errorf("secrets %q, cookie secrets %q, browser secrets %q", b.Secrets, b.CookieSecrets, b.BrowserSecrets)
	}
	for _, tt := range []struct {
		g     Given
		names Names
		want  string
	}{
		{Given{Proxy: "http://bob:S3cret@proxy:3128"}, Flags, "--proxy carries a password: http://bob:[redacted]@proxy:3128"},
		{Given{Proxy: "http://bob:S3cret@proxy:3128"}, Keys, "proxy carries a password"},
		{Given{LoginURL: "not a url"}, Keys, `login_url "not a url" is not a URL (want http://, https://)`},
		{Given{Cookies: "/dev/zero"}, Flags, "--cookies /dev/zero: is not a regular file"},
		{Given{Cookies: filepath.Join(dir, "none")}, Keys, "cookies " + filepath.Join(dir, "none") + ": no such file"},
	} {
		_, err := Build(tt.g, tt.names)
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "S3cret") {
			t.Errorf("%+v: %v, want %q", tt.g, err, tt.want)
		}
	}
}
