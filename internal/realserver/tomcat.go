package realserver

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// tomcatHome is where Debian's tomcat10 keeps the server.
const tomcatHome = "/usr/share/tomcat10"

// Tomcat is a Tomcat 10 (Debian's tomcat10) with a base folder of its own:
// one web application, its users from a MemoryRealm.
type Tomcat struct {
	Port int
	Dir  string
}

// StartTomcat serves the web application app (files relative to the
// application's root, WEB-INF/web.xml among them) at /app/, with users
// (tomcat-users.xml's content inside <tomcat-users>).
func StartTomcat(t testing.TB, app map[string]string, users string) *Tomcat {
	t.Helper()
	Need(t, "tomcat10", filepath.Join(tomcatHome, "bin", "catalina.sh"), "java")
	tc := &Tomcat{Port: FreePort(t), Dir: t.TempDir()}
	files := map[string]string{
		"conf/server.xml": fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<Server port="-1" shutdown="SHUTDOWN">
  <Service name="Catalina">
    <Connector port="%d" address="127.0.0.1" protocol="HTTP/1.1" connectionTimeout="20000"/>
    <Engine name="Catalina" defaultHost="localhost">
      <Realm className="org.apache.catalina.realm.MemoryRealm" pathname="conf/tomcat-users.xml"/>
      <Host name="localhost" appBase="webapps" unpackWARs="false" autoDeploy="false"/>
    </Engine>
  </Service>
</Server>
`, tc.Port),
		"conf/tomcat-users.xml": `<?xml version="1.0" encoding="UTF-8"?>
<tomcat-users xmlns="http://tomcat.apache.org/xml" version="1.0">
` + users + `
</tomcat-users>
`,
		"conf/logging.properties": "handlers = java.util.logging.ConsoleHandler\n.level = WARNING\n",
	}
	if web, err := os.ReadFile("/etc/tomcat10/web.xml"); err == nil {
		files["conf/web.xml"] = string(web) // the defaults every application inherits
	} else if web, err := os.ReadFile(filepath.Join(tomcatHome, "etc", "web.xml")); err == nil {
		files["conf/web.xml"] = string(web)
	}
	for name, content := range app {
		files["webapps/app/"+name] = content
	}
	for name, content := range files {
		p := filepath.Join(tc.Dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"logs", "temp", "work"} {
		os.MkdirAll(filepath.Join(tc.Dir, d), 0o755)
	}
	log := filepath.Join(tc.Dir, "logs", "catalina.log")
	exited := start(t, []string{"CATALINA_HOME=" + tomcatHome, "CATALINA_BASE=" + tc.Dir, "CATALINA_TMPDIR=" + filepath.Join(tc.Dir, "temp"),
		"JAVA_OPTS=-Xshare:auto -XX:TieredStopAtLevel=1 -Xss512k"},
		log, filepath.Join(tomcatHome, "bin", "catalina.sh"), "run")
	waitPort(t, tc.Port, exited, "tomcat", log+".out")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("tomcat log:\n%s", tail(log+".out"))
		}
	})
	return tc
}

// URL is the application's page at path, on a loopback host name.
func (tc *Tomcat) URL(host, path string) string {
	return fmt.Sprintf("http://%s:%d/app%s", host, tc.Port, path)
}
