// Package profile copies a person's Chrome user-data-dir so that fix401 can
// start from their real state (cache, cookies, localStorage) without ever
// touching the original.
package profile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrInUse means a running Chrome holds the profile: its files are being
// written, so a copy would be torn.
var ErrInUse = errors.New("the profile is in use by a running browser (close it first, or copy the profile yourself)")

// skip are files that belong to a running browser, not to the profile.
var skip = map[string]bool{"SingletonLock": true, "SingletonCookie": true, "SingletonSocket": true, "lockfile": true, "DevToolsActivePort": true}

// Copy copies the user-data-dir src into a new temporary folder and returns
// it; the caller removes it.
func Copy(src string) (string, error) {
	st, err := os.Stat(src)
	if err != nil {
		return "", err
	}
	if !st.IsDir() {
		return "", fmt.Errorf("%s is not a folder", src)
	}
	if !looksLikeProfile(src) {
		return "", fmt.Errorf("%s is not a Chrome user-data-dir (no Local State or Default folder)", src)
	}
	if inUse(src) {
		return "", ErrInUse
	}
	dst, err := os.MkdirTemp("", "fix401-profile-")
	if err != nil {
		return "", err
	}
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if skip[d.Name()] {
			return nil
		}
		to := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(to, 0o700)
		case d.Type()&fs.ModeSymlink != 0:
			return nil // locks and sockets; a profile has no real links
		case !d.Type().IsRegular():
			return nil
		}
		return copyFile(p, to)
	})
	if err != nil {
		os.RemoveAll(dst)
		return "", err
	}
	return dst, nil
}

func looksLikeProfile(dir string) bool {
	for _, n := range []string{"Local State", "Default"} {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			return true
		}
	}
	return false
}

// inUse reads Chrome's SingletonLock (a link to "host-pid") and checks
// whether that process lives.
func inUse(dir string) bool {
	target, err := os.Readlink(filepath.Join(dir, "SingletonLock"))
	if err != nil {
		_, statErr := os.Stat(filepath.Join(dir, "lockfile")) // Windows
		return statErr == nil && lockedOnWindows(filepath.Join(dir, "lockfile"))
	}
	i := strings.LastIndex(target, "-")
	pid, err := strconv.Atoi(target[i+1:])
	if err != nil {
		return true
	}
	return alive(pid)
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
