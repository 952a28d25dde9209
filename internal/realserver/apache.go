package realserver

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Apache is an httpd (Debian's apache2-bin) serving a private folder on a
// loopback port.
type Apache struct {
	Port int
	Dir  string // the server's folder: config, document root, logs
}

// modules is where Debian keeps Apache's modules.
const modules = "/usr/lib/apache2/modules"

// StartApache starts httpd with the base modules plus the named ones
// (e.g. "auth_gssapi", "auth_form", "session_cookie"), conf added to its
// configuration ({{DIR}} is the server's folder), and files (relative
// paths) written into its folder first. env goes to the server's
// environment ({{DIR}} there too).
func StartApache(t testing.TB, mods []string, conf string, files map[string]string, env ...string) *Apache {
	t.Helper()
	return startApacheOn(t, FreePort(t), mods, conf, files, env...)
}

// startApacheOn is StartApache on a port picked before (a configuration
// that names its own address needs it first).
func startApacheOn(t testing.TB, port int, mods []string, conf string, files map[string]string, env ...string) *Apache {
	t.Helper()
	Need(t, "apache2-bin", "apache2")
	for _, m := range mods {
		Need(t, modulePackage(m), filepath.Join(modules, "mod_"+m+".so"))
	}
	a := &Apache{Port: port, Dir: sharedDir(t, "fix401-apache-")}
	for name, content := range files {
		p := filepath.Join(a.Dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	load := ""
	for _, m := range append([]string{"mpm_event", "authz_core", "authz_user", "authn_core", "mime", "dir", "alias"}, mods...) {
		load += fmt.Sprintf("LoadModule %s_module %s/mod_%s.so\n", m, modules, m)
	}
	vars := map[string]string{"DIR": a.Dir}
	mime := "/etc/mime.types" // from media-types; a stand-in where it is missing
	if !fileExists(mime) {
		mime = filepath.Join(a.Dir, "mime.types")
		os.WriteFile(mime, []byte("text/html html\n"), 0o644)
	}
	base := fmt.Sprintf(`ServerRoot %[1]s
PidFile %[1]s/httpd.pid
DefaultRuntimeDir %[1]s
Listen 127.0.0.1:%[2]d
ServerName localhost
%[3]s%[4]sTypesConfig %[5]s
ErrorLog %[1]s/error.log
LogLevel info
DocumentRoot %[1]s/www
`, a.Dir, a.Port, load, runAs(), mime)
	cfg := filepath.Join(a.Dir, "httpd.conf")
	if err := os.WriteFile(cfg, []byte(base+replace(conf, vars)), 0o644); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(a.Dir, "www"), 0o755)
	for i := range env {
		env[i] = replace(env[i], vars)
	}
	exited := start(t, env, filepath.Join(a.Dir, "error.log"), program("apache2"), "-f", cfg, "-DFOREGROUND")
	waitPort(t, a.Port, exited, "apache2", filepath.Join(a.Dir, "error.log"))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("apache error log:\n%s", tail(filepath.Join(a.Dir, "error.log")))
		}
	})
	return a
}

// URL is http://host:port + path, for a host name that reaches loopback
// (Chromium resolves every *.localhost name to it).
func (a *Apache) URL(host, path string) string {
	return fmt.Sprintf("http://%s:%d%s", host, a.Port, path)
}

func modulePackage(m string) string {
	switch m {
	case "auth_gssapi":
		return "libapache2-mod-auth-gssapi"
	case "auth_openidc":
		return "libapache2-mod-auth-openidc"
	case "auth_mellon":
		return "libapache2-mod-auth-mellon"
	}
	return "apache2-bin"
}
