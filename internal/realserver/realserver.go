// Package realserver starts real servers from Debian's packages for tests:
// an MIT Kerberos KDC with a realm of its own and Apache httpd with the
// modules a test names, each from a private folder on a free loopback port,
// with nothing machine-wide changed. `make deps` (.ci/deps.sh --test)
// installs the packages; in CI a missing one fails the test, elsewhere it
// skips it with the package to install.
package realserver

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Need finds programs (a name on PATH, or an absolute path), failing the
// test in CI and skipping it elsewhere when one is missing; pkg names the
// Debian package that has them.
func Need(t testing.TB, pkg string, programs ...string) {
	t.Helper()
	for _, p := range programs {
		found := false
		if filepath.IsAbs(p) {
			_, err := os.Stat(p)
			found = err == nil
		} else {
			_, err := exec.LookPath(p)
			found = err == nil
			if !found {
				// Debian keeps servers in sbin, which a user's PATH may lack.
				for _, d := range []string{"/usr/sbin", "/sbin"} {
					if _, err := os.Stat(filepath.Join(d, p)); err == nil {
						found = true
					}
				}
			}
		}
		if found {
			continue
		}
		msg := fmt.Sprintf("%s is missing: install the Debian package %s (make deps does)", p, pkg)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

// program resolves a server program that may live in sbin.
func program(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, d := range []string{"/usr/sbin", "/sbin"} {
		if p := filepath.Join(d, name); fileExists(p) {
			return p
		}
	}
	return name
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// FreePort returns a loopback port that was free a moment ago, outside
// the kernel's range of ephemeral ports: a port the kernel handed out
// (Listen on :0) may be handed to another process's server or outgoing
// connection before the test's server binds it, and a test whose server
// then fails to bind would talk to that other one.
func FreePort(t testing.TB) int {
	t.Helper()
	for range 200 {
		port := 20000 + rand.IntN(12000) // below Linux's 32768-60999
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		ln.Close()
		return port
	}
	t.Fatal("no free loopback port between 20000 and 32000")
	return 0
}

// waitPort waits until something accepts connections on port, or the
// process exits, or 15 s pass.
func waitPort(t testing.TB, port int, exited <-chan struct{}, what string, logFile string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			t.Fatalf("%s exited at start:\n%s", what, tail(logFile))
		default:
		}
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s did not listen on port %d within 15 s:\n%s", what, port, tail(logFile))
}

// tail is the end of a log file, for a failure message.
func tail(p string) string {
	data, _ := os.ReadFile(p)
	s := string(data)
	if len(s) > 3000 {
		s = s[len(s)-3000:]
	}
	return s
}

// start runs a server in the background, in a process group of its own,
// and stops it when the test ends. The group: prefork Apache stops by
// signalling its whole process group, which under -DFOREGROUND would
// otherwise be the test's; and a server that does not stop is killed with
// its children, no more.
func start(t testing.TB, env []string, logFile string, argv ...string) <-chan struct{} {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := os.Create(logFile + ".out")
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", argv[0], err)
	}
	pgid := cmd.Process.Pid
	exited := make(chan struct{})
	go func() { cmd.Wait(); out.Close(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			// Its group alone, by its id (not reused while the unreaped
			// leader holds it).
			syscall.Kill(-pgid, syscall.SIGKILL)
			<-exited
		}
	})
	return exited
}

// sharedDir is a folder a server that drops root rights (Apache's
// children run as www-data) can read: t.TempDir's are the owner's only.
func sharedDir(t testing.TB, prefix string) string {
	t.Helper()
	// Under /tmp itself: a test's TMPDIR may be a folder only its owner
	// can enter.
	parent := "/tmp"
	if !fileExists(parent) {
		parent = ""
	}
	d, err := os.MkdirTemp(parent, prefix)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(d, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// runAs is the User/Group lines Apache needs when it starts as root.
func runAs() string {
	if os.Geteuid() != 0 {
		return ""
	}
	for _, ug := range [][2]string{{"www-data", "www-data"}, {"nobody", "nogroup"}} {
		if _, err := user.Lookup(ug[0]); err == nil {
			return fmt.Sprintf("User %s\nGroup %s\n", ug[0], ug[1])
		}
	}
	return ""
}

// replace fills {{NAME}} placeholders.
func replace(s string, vars map[string]string) string {
	for k, v := range vars {
		s = strings.ReplaceAll(s, "{{"+k+"}}", v)
	}
	return s
}
