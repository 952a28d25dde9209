package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// ---- stale-dns: fixed by dns-flush ----
//
// The intranet moved to a new server and its name was repointed, but this
// machine's resolver still answers with the old server's address. The old
// server is still up, and it no longer accepts anyone: every request gets a
// 401. Reloading, clearing browser data and even a new browser process all
// ask the same resolver and get the same stale answer; only flushing it
// helps.
//
// A real resolver cache is machine-wide (systemd-resolved, nscd, Windows'
// DNS Client) and needs rights to touch. The lab instead gives one browser
// a resolver of its own, through libnss_wrapper, and a flush command that
// changes what that resolver answers: the browser still looks the name up
// through the C library as it would in real life, and keeps the answer in
// its own host cache until its process ends, which is why dns-flush starts
// a new one.

// StaleDNSHost is the name the stale-dns scenario is reached by.
const StaleDNSHost = "intranet.fix401.test"

// OldServerIP is where StaleDNSHost pointed before the move: the lab's old
// server listens there, on the lab's port (see ListenOldServer).
const OldServerIP = "127.0.0.2"

// newServerIP is where the name points now: the lab itself.
const newServerIP = "127.0.0.1"

// ErrNoNSSWrapper says that the stale-dns scenario cannot be set up here.
var ErrNoNSSWrapper = errors.New("the stale-dns scenario needs libnss_wrapper on Linux, which gives the browser a resolver of its own (Debian/Ubuntu: apt-get install libnss-wrapper)")

// nssWrapperPaths are where distributions install libnss_wrapper.
var nssWrapperPaths = []string{
	"/usr/lib/x86_64-linux-gnu/libnss_wrapper.so",
	"/usr/lib/aarch64-linux-gnu/libnss_wrapper.so",
	"/usr/lib64/libnss_wrapper.so",
	"/usr/lib/libnss_wrapper.so",
	"/usr/local/lib/libnss_wrapper.so",
}

// StaleDNS is a resolver, for the browsers of one run, that answers
// StaleDNSHost with OldServerIP until FlushCommand runs, and with the lab's
// address after.
type StaleDNS struct {
	// Env goes to the browser (browser.Options.Env): it preloads
	// libnss_wrapper with a hosts file of the run's own.
	Env []string
	// FlushCommand is the --dns-flush-command that empties the "cache":
	// it makes the resolver answer with the new server's address.
	FlushCommand string

	hostsEnv string // Env's NSS_WRAPPER_HOSTS entry, which marks our processes
}

// NewStaleDNS writes the resolver's files into dir, which the caller owns
// and removes. It fails with ErrNoNSSWrapper where libnss_wrapper is not
// installed (or the OS is not one it works on).
func NewStaleDNS(dir string) (*StaleDNS, error) {
	lib := findNSSWrapper()
	if lib == "" {
		return nil, ErrNoNSSWrapper
	}
	hosts, flushed := filepath.Join(dir, "hosts"), filepath.Join(dir, "hosts.flushed")
	for path, ip := range map[string]string{hosts: OldServerIP, flushed: newServerIP} {
		if err := os.WriteFile(path, []byte(ip+" "+StaleDNSHost+"\n"), 0o644); err != nil {
			return nil, fmt.Errorf("stale-dns: %w", err)
		}
	}
	hostsEnv := "NSS_WRAPPER_HOSTS=" + hosts
	return &StaleDNS{
		Env:          []string{"LD_PRELOAD=" + lib, hostsEnv},
		FlushCommand: "cp " + shellQuote(flushed) + " " + shellQuote(hosts),
		hostsEnv:     hostsEnv,
	}, nil
}

// Reap kills what is left of the browsers that used this resolver, once
// they are closed: Chromium's crash handlers, which outlive their browser
// when libnss_wrapper is preloaded (they hang on a lock as they exit) and
// ignore SIGTERM. They are found by the hosts file in their environment,
// which is this resolver's own. It returns how many it killed.
func (r *StaleDNS) Reap() int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	killed := 0
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil || !slices.Contains(strings.Split(string(env), "\x00"), r.hostsEnv) {
			continue
		}
		if p, err := os.FindProcess(pid); err == nil && p.Kill() == nil {
			killed++
		}
	}
	return killed
}

func findNSSWrapper() string {
	if runtime.GOOS != "linux" {
		return ""
	}
	for _, p := range nssWrapperPaths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// shellQuote quotes s for sh: the temp dir can hold anything.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// ListenOldServer listens on OldServerIP at the port of the lab's listener
// lab, so that the scenario's URL reaches one server or the other by its
// address alone. Where 127.0.0.2 is not configured (macOS without an
// alias), it fails.
func ListenOldServer(lab net.Addr) (net.Listener, error) {
	_, port, err := net.SplitHostPort(lab.String())
	if err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(OldServerIP, port))
	if err != nil {
		return nil, fmt.Errorf("lab: the stale-dns scenario's old server: %w", err)
	}
	return ln, nil
}

// ServeOldServer runs the old server on ln until ctx is done.
func ServeOldServer(ctx context.Context, ln net.Listener) error {
	return serve(ctx, ln, http.HandlerFunc(serveOldServer), func() {}, "old server")
}

// serveOldServer is the intranet's previous server, left running after the
// move with its Windows authentication broken (its machine account was
// removed from the domain): every page, every path, a 401.
func serveOldServer(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Lab-Scenario", "stale-dns")
	iisHeaders(w)
	h.Add("WWW-Authenticate", "Negotiate")
	h.Add("WWW-Authenticate", "NTLM")
	writePage(w, http.StatusUnauthorized, iis401_2.page(r))
}

// serveStaleDNS is the new server's page: what the name should reach.
func serveStaleDNS(_ *Lab, w http.ResponseWriter, _ *http.Request) {
	writePage(w, http.StatusOK, sitePage("Northwind intranet", "Northwind intranet",
		"Welcome to the new intranet server. Bookmarks and links to the old address keep working."))
}
