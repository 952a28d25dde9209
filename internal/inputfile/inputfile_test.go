//go:build unix

package inputfile

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRefusesWhatIsNotAFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, 2048), 0o644); err != nil {
		t.Fatal(err)
	}
	ok := filepath.Join(dir, "ok")
	if err := os.WriteFile(ok, []byte("fine"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ path, want string }{
		{"/dev/zero", "is not a regular file"},
		{"/dev/urandom", "is not a regular file"},
		{fifo, "is not a regular file"},
		{dir, "is a folder, not a file"},
		{big, "is 2 KiB, more than the 1 KiB such a file can be"},
		{filepath.Join(dir, "missing"), "no such file or directory"},
	} {
		done := make(chan error, 1)
		go func() { _, err := Read(tt.path, 1024); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: %v, want %q", tt.path, err, tt.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: Read hangs", tt.path)
		}
	}
	if data, err := Read(ok, 1024); err != nil || string(data) != "fine" {
		t.Errorf("a plain file: %q, %v", data, err)
	}
}
