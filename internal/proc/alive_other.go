//go:build !unix

package proc

import "os"

// Alive says whether a process with pid can be found.
func Alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	p.Release()
	return true
}
