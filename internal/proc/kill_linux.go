//go:build linux

package proc

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// KillUsing kills this user's processes whose command line names dir (a
// browser's --user-data-dir, its helpers' too), and returns how many. It
// is the way out when a browser stops answering while it starts.
func KillUsing(dir string) int {
	if dir == "" {
		return 0
	}
	entries, _ := os.ReadDir("/proc")
	n := 0
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmd, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil || !bytes.Contains(cmd, []byte(dir)) {
			continue
		}
		if syscall.Kill(pid, syscall.SIGKILL) == nil {
			n++
		}
	}
	return n
}
