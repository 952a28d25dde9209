// Package oscmd runs operating-system commands (the DNS flush) through an
// injectable Runner, so that steps can be tested with a fake and only this
// package imports os/exec.
package oscmd

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"runtime"
	"strings"
)

// Runner runs a command and returns its combined output.
type Runner interface {
	Run(ctx context.Context, argv []string) (output string, err error)
	// RunInput is Run with stdin: how a secret reaches a command (kinit's
	// password), never on its command line, which other users can read.
	RunInput(ctx context.Context, argv []string, stdin string) (output string, err error)
	// LookPath says whether a command exists.
	LookPath(name string) (string, error)
	// Privileged reports whether the process runs with administrator rights.
	Privileged() bool
}

// System runs real commands.
type System struct{}

// Run runs argv and returns its combined output.
func (s System) Run(ctx context.Context, argv []string) (string, error) {
	return s.RunInput(ctx, argv, "")
}

// RunInput runs argv with stdin and returns its combined output.
func (System) RunInput(ctx context.Context, argv []string, stdin string) (string, error) {
	if len(argv) == 0 {
		return "", errors.New("empty command")
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return strings.TrimSpace(out.String()), err
}

// LookPath is exec.LookPath.
func (System) LookPath(name string) (string, error) { return exec.LookPath(name) }

// Privileged reports whether we run as root (Unix) — on Windows the flush
// needs no rights, so it reports true there.
func (System) Privileged() bool { return privileged() }

// LookPath is exec.LookPath, for packages that may not import os/exec.
func LookPath(name string) (string, error) { return exec.LookPath(name) }

// ExitCode returns a failed command's exit status, or -1.
func ExitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return -1
}

// Flush is one way to flush the OS resolver cache: the commands to run in
// order, and whether they need administrator rights.
type Flush struct {
	Commands   [][]string
	NeedsAdmin bool
}

// String is the command line a person would type.
func (f Flush) String() string {
	var parts []string
	for _, c := range f.Commands {
		s := strings.Join(c, " ")
		if f.NeedsAdmin && runtime.GOOS != "windows" {
			s = "sudo " + s
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " && ")
}

// DNSFlush returns the OS's flush for goos: Windows ipconfig /flushdns; macOS
// dscacheutil + killall -HUP mDNSResponder; Linux resolvectl, else
// systemd-resolve, else nscd — the first one that exists. ok is false when
// the machine has no resolver cache to flush.
func DNSFlush(goos string, r Runner) (f Flush, ok bool) {
	switch goos {
	case "windows":
		return Flush{Commands: [][]string{{"ipconfig", "/flushdns"}}}, true
	case "darwin":
		return Flush{Commands: [][]string{{"dscacheutil", "-flushcache"}, {"killall", "-HUP", "mDNSResponder"}}, NeedsAdmin: true}, true
	}
	for _, c := range [][]string{{"resolvectl", "flush-caches"}, {"systemd-resolve", "--flush-caches"}, {"nscd", "-i", "hosts"}} {
		if _, err := r.LookPath(c[0]); err == nil {
			return Flush{Commands: [][]string{c}, NeedsAdmin: true}, true
		}
	}
	return Flush{}, false
}

// Shell turns a user's --dns-flush-command into argv for the OS shell.
func Shell(goos, command string) []string {
	if goos == "windows" {
		return []string{"cmd", "/C", command}
	}
	return []string{"sh", "-c", command}
}

// PermissionDenied reports whether a command's failure means it lacked rights.
func PermissionDenied(output string, err error) bool {
	o := strings.ToLower(output)
	for _, s := range []string{"permission denied", "access denied", "not permitted", "interactive authentication required", "must be root", "requires elevation", "access is denied"} {
		if strings.Contains(o, s) {
			return true
		}
	}
	return false
}
