//go:build unix

package browser

import (
	"os/exec"
	"syscall"
)

// inOwnGroup makes cmd's cancellation kill its whole process group: Debian's
// /usr/bin/chromium-headless-shell is a shell script that runs the browser
// without exec, and killing the script alone left the browser running.
func inOwnGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
