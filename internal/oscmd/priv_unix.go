//go:build !windows

package oscmd

import "os"

func privileged() bool { return os.Geteuid() == 0 }
