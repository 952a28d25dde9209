package realserver

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Nginx is an nginx (Debian's nginx or nginx-light) serving a private
// folder on a loopback port.
type Nginx struct {
	Port int
	Dir  string
}

// StartNginx starts nginx with server, the directives of its one server
// block ({{DIR}} is its folder, whose www/ is the document root), after
// writing files (relative paths) into its folder.
func StartNginx(t testing.TB, server string, files map[string]string) *Nginx {
	t.Helper()
	Need(t, "nginx-light", "nginx")
	n := &Nginx{Port: FreePort(t), Dir: sharedDir(t, "fix401-nginx-")}
	for name, content := range files {
		p := filepath.Join(n.Dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.MkdirAll(filepath.Join(n.Dir, "www"), 0o755)
	user := ""
	if os.Geteuid() == 0 {
		user = "user www-data;\n"
	}
	vars := map[string]string{"DIR": n.Dir}
	conf := fmt.Sprintf(`%[3]sworker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log info;
events { worker_connections 64; }
http {
  access_log %[1]s/access.log;
  client_body_temp_path %[1]s/tmp-body;
  proxy_temp_path %[1]s/tmp-proxy;
  fastcgi_temp_path %[1]s/tmp-fastcgi;
  uwsgi_temp_path %[1]s/tmp-uwsgi;
  scgi_temp_path %[1]s/tmp-scgi;
  default_type text/html;
  server {
    listen 127.0.0.1:%[2]d;
    root %[1]s/www;
%[4]s
  }
}
`, n.Dir, n.Port, user, replace(server, vars))
	cfg := filepath.Join(n.Dir, "nginx.conf")
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(n.Dir, "error.log")
	exited := start(t, nil, log, program("nginx"), "-p", n.Dir, "-c", cfg, "-g", "daemon off;")
	waitPort(t, n.Port, exited, "nginx", log)
	return n
}

// URL is http://host:port + path.
func (n *Nginx) URL(host, path string) string {
	return fmt.Sprintf("http://%s:%d%s", host, n.Port, path)
}
