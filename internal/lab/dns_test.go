package lab

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// TestOldServer: the stale-dns scenario's old server refuses every path on
// the lab's port at 127.0.0.2, while the lab at 127.0.0.1 serves the new
// page, so that the name alone decides which one a browser reaches.
func TestOldServer(t *testing.T) {
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	old, err := ListenOldServer(ln.Addr())
	if err != nil {
		ln.Close()
		t.Skipf("no %s here: %v", OldServerIP, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served, oldServed := make(chan error, 1), make(chan error, 1)
	go func() { served <- Serve(ctx, ln, New()) }()
	go func() { oldServed <- ServeOldServer(ctx, old) }()
	t.Cleanup(func() {
		cancel()
		for _, c := range []chan error{served, oldServed} {
			if err := <-c; err != nil {
				t.Error(err)
			}
		}
	})
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	if _, oldPort, _ := net.SplitHostPort(old.Addr().String()); oldPort != port {
		t.Fatalf("old server on port %s, lab on %s", oldPort, port)
	}
	s := scenario(t, "stale-dns")
	for _, path := range []string{s.Path(), "/", "/s/", "/anything"} {
		resp, body := get(t, "http://"+net.JoinHostPort(OldServerIP, port)+path, nil)
		if resp.StatusCode != 401 || !slices.Equal(resp.Header.Values("WWW-Authenticate"), []string{"Negotiate", "NTLM"}) ||
			!strings.Contains(body, "HTTP Error 401.2 - Unauthorized") {
			t.Errorf("old server %s: status %d, challenges %q", path, resp.StatusCode, resp.Header.Values("WWW-Authenticate"))
		}
	}
	resp, _ := get(t, "http://"+ln.Addr().String()+s.Path(), nil)
	if resp.StatusCode != 200 {
		t.Errorf("new server: status %d", resp.StatusCode)
	}
}

// TestStaleDNSFlush: the resolver's hosts file names the old server until
// the flush command, run by a real shell, names the new one.
func TestStaleDNSFlush(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "it's here") // a quote to quote
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	r, err := NewStaleDNS(dir)
	if errors.Is(err, ErrNoNSSWrapper) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	hosts := ""
	for _, e := range r.Env {
		if v, ok := strings.CutPrefix(e, "NSS_WRAPPER_HOSTS="); ok {
			hosts = v
		}
	}
	if hosts == "" || !slices.ContainsFunc(r.Env, func(e string) bool { return strings.HasPrefix(e, "LD_PRELOAD=/") }) {
		t.Fatalf("env %q", r.Env)
	}
	read := func() string {
		b, err := os.ReadFile(hosts)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if got := read(); got != OldServerIP+" "+StaleDNSHost+"\n" {
		t.Fatalf("before the flush: %q", got)
	}
	if out, err := exec.Command("sh", "-c", r.FlushCommand).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v %s", r.FlushCommand, err, out)
	}
	if got := read(); got != newServerIP+" "+StaleDNSHost+"\n" {
		t.Fatalf("after the flush: %q", got)
	}
}

// TestStaleDNSReap: a process left with the resolver's environment (as
// Chromium's crash handlers are) is killed; others are not.
func TestStaleDNSReap(t *testing.T) {
	r, err := NewStaleDNS(t.TempDir())
	if errors.Is(err, ErrNoNSSWrapper) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	// A shell that says "ready" once it runs: only then does its
	// /proc/PID/environ hold the marker (right after exec the kernel may
	// still show it empty, which made this test flaky under load). It
	// waits on stdin, so closing stdin ends it with status 0 unless Reap
	// killed it first.
	type started struct {
		cmd   *exec.Cmd
		stdin io.WriteCloser
	}
	start := func(env ...string) started {
		cmd := exec.Command("sh", "-c", "echo ready; read x")
		cmd.Env = append(os.Environ(), env...)
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "ready\n" {
			t.Fatalf("the shell said %q: %v", line, err)
		}
		return started{cmd, stdin}
	}
	ours, other := start(r.hostsEnv), start("NSS_WRAPPER_HOSTS=/elsewhere/hosts")
	if n := r.Reap(); n != 1 {
		t.Errorf("Reap killed %d processes, want 1", n)
	}
	ours.stdin.Close()
	if err := ours.cmd.Wait(); err == nil {
		t.Error("the process with the resolver's environment was not killed")
	}
	if err := other.cmd.Process.Signal(syscall.Signal(0)); err != nil {
		t.Errorf("another process was killed: %v", err)
	}
}
