package realserver

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Squid is a squid proxy (Debian's squid) that asks for Basic credentials
// (basic_ncsa_auth) and resolves names from a hosts file of its own, so
// that a test's made-up names reach its servers on loopback without any
// machine-wide change. Chromium sends loopback names (127.0.0.1,
// *.localhost) direct, past any proxy: a test uses such made-up names.
type Squid struct {
	Port int
	Dir  string
}

// StartSquid starts squid with users (name → password) and hosts (name →
// address).
func StartSquid(t testing.TB, users, hosts map[string]string) *Squid {
	t.Helper()
	Need(t, "squid", "squid", "/usr/lib/squid/basic_ncsa_auth")
	sq := &Squid{Port: FreePort(t), Dir: sharedDir(t, "fix401-squid-")}
	passwd := Htpasswd(t, users)
	var hostsFile strings.Builder
	for name, addr := range hosts {
		fmt.Fprintf(&hostsFile, "%s %s\n", addr, name)
	}
	conf := fmt.Sprintf(`http_port 127.0.0.1:%[1]d
pid_filename %[2]s/squid.pid
cache_log %[2]s/cache.log
access_log stdio:%[2]s/access.log
coredump_dir %[2]s
cache deny all
cache_mem 8 MB
pinger_enable off
hosts_file %[2]s/hosts
dns_nameservers 127.0.0.1
shutdown_lifetime 0 seconds
auth_param basic program /usr/lib/squid/basic_ncsa_auth %[2]s/passwd
auth_param basic realm Corporate proxy
acl authed proxy_auth REQUIRED
http_access allow authed
http_access deny all
`, sq.Port, sq.Dir)
	for name, content := range map[string]string{"squid.conf": conf, "passwd": passwd, "hosts": hostsFile.String(), "access.log": "", "cache.log": ""} {
		if err := os.WriteFile(filepath.Join(sq.Dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// As root, squid works as its own user: its logs must be that user's.
	if os.Geteuid() == 0 {
		if u, err := user.Lookup("proxy"); err == nil {
			uid, _ := strconv.Atoi(u.Uid)
			gid, _ := strconv.Atoi(u.Gid)
			for _, f := range []string{"access.log", "cache.log"} {
				os.Chown(filepath.Join(sq.Dir, f), uid, gid)
			}
		}
	}
	log := filepath.Join(sq.Dir, "cache.log")
	exited := start(t, nil, log, program("squid"), "-N", "-f", filepath.Join(sq.Dir, "squid.conf"))
	waitPort(t, sq.Port, exited, "squid", log)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("squid access log:\n%s", tail(filepath.Join(sq.Dir, "access.log")))
		}
	})
	return sq
}

// Htpasswd is an htpasswd file's content for users (name → password), in
// the MD5 ($apr1$) form Apache and squid's basic_ncsa_auth both read.
func Htpasswd(t testing.TB, users map[string]string) string {
	t.Helper()
	Need(t, "openssl", "openssl")
	var b strings.Builder
	for u, p := range users {
		out, err := exec.Command("openssl", "passwd", "-apr1", p).Output()
		if err != nil {
			t.Fatalf("openssl passwd: %v", err)
		}
		fmt.Fprintf(&b, "%s:%s\n", u, strings.TrimSpace(string(out)))
	}
	return b.String()
}

// URL is the proxy's address, for http_proxy or --proxy.
func (sq *Squid) URL() string { return fmt.Sprintf("http://127.0.0.1:%d", sq.Port) }
