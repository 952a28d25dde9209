package oscmd

import (
	"context"
	"testing"
)

func TestDNSFlush(t *testing.T) {
	for _, tt := range []struct {
		goos  string
		paths map[string]bool
		want  string
		ok    bool
	}{
		{"windows", nil, "ipconfig /flushdns", true},
		{"darwin", nil, "sudo dscacheutil -flushcache && sudo killall -HUP mDNSResponder", true},
		{"linux", map[string]bool{"resolvectl": true, "nscd": true}, "sudo resolvectl flush-caches", true},
		{"linux", map[string]bool{"systemd-resolve": true}, "sudo systemd-resolve --flush-caches", true},
		{"linux", map[string]bool{"nscd": true}, "sudo nscd -i hosts", true},
		{"linux", nil, "", false},
	} {
		f, ok := DNSFlush(tt.goos, &Fake{Paths: tt.paths})
		if ok != tt.ok || (ok && f.String() != tt.want && tt.goos != "windows") {
			t.Errorf("%s %v: %q %v, want %q %v", tt.goos, tt.paths, f.String(), ok, tt.want, tt.ok)
		}
	}
}

func TestSystemRun(t *testing.T) {
	out, err := System{}.Run(context.Background(), Shell("linux", "echo hi; exit 3"))
	if out != "hi" || ExitCode(err) != 3 {
		t.Errorf("out %q err %v", out, err)
	}
	if !PermissionDenied("Failed to flush caches: Access denied", nil) || PermissionDenied("ok", nil) {
		t.Error("PermissionDenied")
	}
}
