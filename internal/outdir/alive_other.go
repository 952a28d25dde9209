//go:build !unix

package outdir

import "os"

// alive says whether a process with pid runs; where that cannot be asked
// cheaply, a lock is taken as held as long as the process can be found.
func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	p.Release()
	return true
}
