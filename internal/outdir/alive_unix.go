//go:build unix

package outdir

import "syscall"

// alive says whether a process with pid runs (or exists, as another user's).
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}
