//go:build windows

package oscmd

func privileged() bool { return true }
