package profile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestCopy(t *testing.T) {
	src := t.TempDir()
	os.MkdirAll(filepath.Join(src, "Default"), 0o700)
	os.WriteFile(filepath.Join(src, "Local State"), []byte("{}"), 0o600)
	os.WriteFile(filepath.Join(src, "Default", "Cookies"), []byte("db"), 0o600)
	os.Symlink("host-999999999", filepath.Join(src, "SingletonLock"))
	dst, err := Copy(src)
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dst)
	if b, _ := os.ReadFile(filepath.Join(dst, "Default", "Cookies")); string(b) != "db" {
		t.Error("cookies not copied")
	}
	if _, err := os.Lstat(filepath.Join(dst, "SingletonLock")); err == nil {
		t.Error("lock copied")
	}
}

func TestCopyInUse(t *testing.T) {
	src := t.TempDir()
	os.MkdirAll(filepath.Join(src, "Default"), 0o700)
	os.Symlink(fmt.Sprintf("host-%d", os.Getpid()), filepath.Join(src, "SingletonLock"))
	if _, err := Copy(src); !errors.Is(err, ErrInUse) {
		t.Errorf("err = %v, want ErrInUse", err)
	}
	if _, err := Copy(filepath.Join(src, "nope")); err == nil {
		t.Error("missing dir copied")
	}
	if _, err := Copy(t.TempDir()); err == nil {
		t.Error("non-profile copied")
	}
}
