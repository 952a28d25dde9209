//go:build windows

package profile

import "os"

func alive(int) bool { return true }

// lockedOnWindows: Chrome keeps "lockfile" open exclusively while it runs,
// so removing it fails then.
func lockedOnWindows(p string) bool {
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		return true
	}
	f.Close()
	return false
}
