package browser

import (
	"errors"
	"strings"
	"testing"
)

// The sandbox is off as root, or when FIX401_NO_SANDBOX asks (a container
// where it cannot start), and the report is told why.
func TestSandboxOff(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "FIX401_NO_SANDBOX" {
				return v
			}
			return ""
		}
	}
	for _, c := range []struct {
		euid int
		env  string
		want string
	}{
		{0, "", "fix401 ran as root, where Chromium cannot use it"},
		{0, "1", "fix401 ran as root, where Chromium cannot use it"},
		{1000, "", ""},
		{1000, "0", ""},
		{1000, "1", "FIX401_NO_SANDBOX is set"},
		{1000, "TRUE", "FIX401_NO_SANDBOX is set"},
	} {
		if got := sandboxOff(c.euid, env(c.env)); got != c.want {
			t.Errorf("euid %d, FIX401_NO_SANDBOX=%q: %q, want %q", c.euid, c.env, got, c.want)
		}
	}
}

// A browser that cannot start its sandbox gets a hint that says what to
// allow, or how to do without; any other failure, how to see why.
func TestStartHint(t *testing.T) {
	// What Chromium prints as a user without user namespaces, and whose
	// setuid helper may not raise privileges (no_new_privs).
	noSandbox := errors.New("chrome failed to start:\n[1:1:1130/221500.000000:FATAL:zygote_host_impl_linux.cc(128)] No usable sandbox! If you are running on Ubuntu 23.10+ or another Linux distro that has disabled unprivileged user namespaces with AppArmor, see https://chromium.googlesource.com/chromium/src/+/main/docs/security/apparmor-userns-restrictions.md.")
	if h := startHint("/usr/bin/chromium", noSandbox); !strings.Contains(h, "FIX401_NO_SANDBOX=1") || !strings.Contains(h, "user namespaces") {
		t.Errorf("no usable sandbox: %q", h)
	}
	if h := startHint("/usr/bin/chromium", errors.New("chrome failed to start: (it exited at once without a word)")); h != "run it by hand to see why: /usr/bin/chromium --headless --no-sandbox about:blank" {
		t.Errorf("other failure: %q", h)
	}
}
