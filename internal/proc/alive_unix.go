//go:build unix

package proc

import "syscall"

// Alive says whether a process with pid exists (another user's counts:
// it is not ours to judge).
func Alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}
