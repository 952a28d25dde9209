//go:build !unix

package browser

import "os/exec"

// inOwnGroup: browsers on Windows are started as the executable itself.
func inOwnGroup(*exec.Cmd) {}
