package realserver

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// SAML 2.0 for tests: SimpleSAMLphp 1.19 (Debian's simplesamlphp) as the
// identity provider, run by an Apache httpd of its own with mod_php, and
// Apache httpd with mod_auth_mellon as the service provider, both over
// https with the test's CA. The static SimpleSAMLphp files are in
// testdata/sso/saml; what changes per run is written beside them as JSON.

const (
	simpleSAMLphp = "/usr/share/simplesamlphp"
	modPHP        = "/usr/lib/apache2/modules/libphp8.2.so"
	// Debian's mod_php reads its extensions' ini files from here: the
	// SAML library needs DOM (php8.2-xml).
	phpDOM = "/etc/php/8.2/apache2/conf.d/20-dom.ini"
)

// SAMLSP is a service provider the identity provider knows (an entry of
// its saml20-sp-remote metadata).
type SAMLSP struct {
	EntityID string
	ACSURL   string // its AssertionConsumerService (HTTP-POST binding)
	SLOURL   string // its SingleLogoutService (HTTP-Redirect), optional
	// Cert is the provider's signing certificate, PEM (optional): with
	// it the identity provider checks the signature of its requests.
	Cert string
	// NameIDFormat (default transient).
	NameIDFormat string
}

// MellonSP is the entry of a MellonApp that StartMellonApp will start on
// host:port, for an identity provider started before it (pick the port
// first with FreePort). StartMellonApp registers itself anyway, with its
// certificate, unless told not to: SimpleSAMLphp reads its metadata on
// every request.
func MellonSP(host string, port int) SAMLSP {
	base := fmt.Sprintf("https://%s:%d/mellon", host, port)
	return SAMLSP{EntityID: base + "/metadata", ACSURL: base + "/postResponse", SLOURL: base + "/logout"}
}

// SAMLIdPOptions set the identity provider up.
type SAMLIdPOptions struct {
	Host  string            // the provider's host name, e.g. "idp.saml.test"
	Port  int               // 0: a free one
	Users map[string]string // user → password (exampleauth:UserPass)
	SPs   []SAMLSP          // the service providers it knows at start
	// ClockOffset runs the provider under faketime with its clock moved,
	// e.g. "-10m": the assertions' times move with it.
	ClockOffset string
	// CookieSameSite is SimpleSAMLphp's session.cookie.samesite (and the
	// language cookie's): "None" (the default here, as SimpleSAMLphp's
	// own template), "Lax", "Strict", or "-" for no attribute.
	CookieSameSite string
}

// SAMLIdP is SimpleSAMLphp serving a SAML 2.0 identity provider over
// https on a loopback port.
type SAMLIdP struct {
	Host        string
	Port        int
	Dir         string // the server's folder: config, metadata, logs
	BaseURL     string // https://host:port/simplesaml/
	EntityID    string // the provider's entity ID (its metadata URL)
	MetadataURL string
	Cert        string // the provider's signing certificate, PEM file

	mu  sync.Mutex
	sps []SAMLSP
}

// spJSON is an entry of metadata/sps.json (read by saml20-sp-remote.php).
type spJSON struct {
	EntityID     string `json:"entityID"`
	ACS          string `json:"acs"`
	SLO          string `json:"slo"`
	CertData     string `json:"certData"`
	NameIDFormat string `json:"nameIDFormat"`
}

// StartSAMLIdP starts the identity provider. ca's server certificate must
// name o.Host (NewCA(t, appHost, idpHost) serves both).
func StartSAMLIdP(t testing.TB, ca *CA, o SAMLIdPOptions) *SAMLIdP {
	t.Helper()
	Need(t, "simplesamlphp", filepath.Join(simpleSAMLphp, "www", "_include.php"),
		filepath.Join(simpleSAMLphp, "modules", "exampleauth"))
	Need(t, "libapache2-mod-php8.2", modPHP)
	Need(t, "php8.2-xml", phpDOM)
	Need(t, "apache2-bin", "apache2", filepath.Join(modules, "mod_mpm_prefork.so"), filepath.Join(modules, "mod_ssl.so"))
	Need(t, "openssl", "openssl")
	tmpl := filepath.Join(repoRoot(t), "testdata", "sso", "saml")
	port := o.Port
	if port == 0 {
		port = FreePort(t)
	}
	dir := sharedDir(t, "fix401-samlidp-")
	p := &SAMLIdP{Host: o.Host, Port: port, Dir: dir}
	p.BaseURL = fmt.Sprintf("https://%s:%d/simplesaml/", o.Host, port)
	p.MetadataURL = p.BaseURL + "saml2/idp/metadata.php"
	p.EntityID = p.MetadataURL
	p.Cert = filepath.Join(dir, "cert", "idp.pem")
	for _, d := range []string{"config", "metadata", "cert", "log", "data", "tmp", "sessions", "www"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	copyFile := func(from, to string) {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(tmpl, from))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, to), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyFile("config.php", "config/config.php")
	copyFile("authsources.php", "config/authsources.php")
	copyFile("saml20-idp-hosted.php", "metadata/saml20-idp-hosted.php")
	copyFile("saml20-sp-remote.php", "metadata/saml20-sp-remote.php")
	samesite := o.CookieSameSite
	switch samesite {
	case "":
		samesite = "None"
	case "-":
		samesite = ""
	}
	users := o.Users
	if users == nil {
		users = map[string]string{}
	}
	writeJSON(t, filepath.Join(dir, "config", "settings.json"), map[string]any{
		"baseurl": p.BaseURL, "dir": dir, "users": users, "samesite": samesite,
		"secretsalt": randomHex(t, 16), "adminpassword": randomHex(t, 12),
	})
	p.sps = append(p.sps, o.SPs...)
	p.writeSPs(t)
	// The provider's signing key pair (not the TLS one).
	selfSigned(t, filepath.Join(dir, "cert"), "idp", o.Host+" SAML signing")

	conf := fmt.Sprintf(`ServerName %[1]s
SSLEngine on
SSLCertificateFile %[2]s
SSLCertificateKeyFile %[3]s
<FilesMatch "\.php$">
  SetHandler application/x-httpd-php
</FilesMatch>
DirectoryIndex index.php index.html
Alias /simplesaml %[4]s/www
<Directory %[4]s/www>
  Require all granted
  SetEnv SIMPLESAMLPHP_CONFIG_DIR {{DIR}}/config
</Directory>
php_admin_value error_log {{DIR}}/log/php.log
php_admin_flag display_errors off
`, o.Host, ca.Cert, ca.Key, simpleSAMLphp)
	var env []string
	if o.ClockOffset != "" {
		lib, _ := filepath.Glob("/usr/lib/*/faketime/libfaketime.so.1")
		if len(lib) == 0 {
			Need(t, "faketime", "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")
		}
		env = []string{"LD_PRELOAD=" + lib[0], "FAKETIME=" + o.ClockOffset, "FAKETIME_DONT_RESET=1"}
	}
	// Apache's children write sessions, logs and caches.
	chownRunAs(t, filepath.Join(dir, "log"), filepath.Join(dir, "data"), filepath.Join(dir, "tmp"), filepath.Join(dir, "sessions"))
	startPHPApache(t, dir, port, conf, env...)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("simplesamlphp log:\n%s", tail(filepath.Join(dir, "log", "simplesamlphp.log")))
		}
	})
	return p
}

// URL is the provider's address for path (relative to /simplesaml/).
func (p *SAMLIdP) URL(path string) string {
	return p.BaseURL + strings.TrimPrefix(path, "/")
}

// AddSP registers a service provider, or replaces the entry with its
// entity ID. The running provider sees it at its next request.
func (p *SAMLIdP) AddSP(t testing.TB, sp SAMLSP) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range p.sps {
		if p.sps[i].EntityID == sp.EntityID {
			p.sps[i] = sp
			p.writeSPs(t)
			return
		}
	}
	p.sps = append(p.sps, sp)
	p.writeSPs(t)
}

func (p *SAMLIdP) writeSPs(t testing.TB) {
	t.Helper()
	list := []spJSON{}
	for _, sp := range p.sps {
		e := spJSON{EntityID: sp.EntityID, ACS: sp.ACSURL, SLO: sp.SLOURL, NameIDFormat: sp.NameIDFormat}
		if sp.Cert != "" {
			e.CertData = certData(t, sp.Cert)
		}
		list = append(list, e)
	}
	writeJSON(t, filepath.Join(p.Dir, "metadata", "sps.json"), list)
}

// Metadata fetches the provider's SAML metadata (XML) over https.
func (p *SAMLIdP) Metadata(t testing.TB, ca *CA) string {
	t.Helper()
	tr := ca.LoopbackTransport(t)
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 15 * time.Second}
	resp, err := c.Get(p.MetadataURL)
	if err != nil {
		t.Fatalf("fetching the identity provider's metadata: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "IDPSSODescriptor") {
		t.Fatalf("the identity provider's metadata: %s\n%s", resp.Status, body)
	}
	return string(body)
}

// MellonOptions set the service provider up.
type MellonOptions struct {
	Host string // the app's host name
	Port int    // 0: a free one (an identity provider that must know it first: pick it first)
	// CookieSameSite is MellonCookieSameSite ("Lax", "Strict", "None");
	// empty leaves it unset, as mellon's default: no SameSite attribute
	// on the session cookie. (Mellon's cookie test, set before the trip
	// to the provider, always says SameSite=None, Secure or not.)
	CookieSameSite string
	// InsecureCookie leaves MellonSecureCookie off (mellon's default);
	// otherwise it is on (Secure and HttpOnly).
	InsecureCookie bool
	// Unregistered leaves the app out of the identity provider's
	// metadata (unless the provider was started knowing it).
	Unregistered bool
	// Conf is more configuration, appended; Mods more modules. A later
	// <Location /> block overrides the base one's Mellon directives where
	// it sets a value other than mellon's default (so MellonCookieSameSite
	// None works there, but MellonSecureCookie Off does not: use
	// InsecureCookie).
	Conf string
	Mods []string
}

// MellonApp is Apache httpd with mod_auth_mellon guarding /protected/
// (a page titled "Team dashboard"), signing in at a SAMLIdP. Its SAML
// endpoints are under /mellon/.
type MellonApp struct {
	*Apache
	Host     string
	EntityID string
	ACSURL   string
}

// StartMellonApp starts the app: it makes the app's key pair and SAML
// metadata, registers it with idp, and fetches idp's metadata over https.
func StartMellonApp(t testing.TB, ca *CA, idp *SAMLIdP, o MellonOptions) *MellonApp {
	t.Helper()
	Need(t, "libapache2-mod-auth-mellon", filepath.Join(modules, "mod_auth_mellon.so"))
	Need(t, "openssl", "openssl")
	port := o.Port
	if port == 0 {
		port = FreePort(t)
	}
	sp := MellonSP(o.Host, port)
	keys := t.TempDir()
	selfSigned(t, keys, "sp", o.Host)
	key, err := os.ReadFile(filepath.Join(keys, "sp.key"))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := os.ReadFile(filepath.Join(keys, "sp.pem"))
	if err != nil {
		t.Fatal(err)
	}
	sp.Cert = string(cert)
	if !o.Unregistered {
		idp.AddSP(t, sp)
	}
	cd := certData(t, sp.Cert)
	spMeta := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="%[1]s">
  <SPSSODescriptor AuthnRequestsSigned="true" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <KeyDescriptor use="signing">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>%[2]s</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </KeyDescriptor>
    <KeyDescriptor use="encryption">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>%[2]s</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </KeyDescriptor>
    <SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="%[3]s"/>
    <NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</NameIDFormat>
    <AssertionConsumerService index="0" isDefault="true" Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="%[4]s"/>
  </SPSSODescriptor>
</EntityDescriptor>
`, html.EscapeString(sp.EntityID), cd, html.EscapeString(sp.SLOURL), html.EscapeString(sp.ACSURL))
	conf := fmt.Sprintf(`DirectoryIndex index.html
SSLEngine on
SSLCertificateFile %s
SSLCertificateKeyFile %s
LogFormat "%%h %%u \"%%r\" %%>s" fix401
CustomLog {{DIR}}/access.log fix401
MellonLockFile {{DIR}}/mellon.lock
<Location />
  MellonEndpointPath /mellon
  MellonSPPrivateKeyFile {{DIR}}/mellon/sp.key
  MellonSPCertFile {{DIR}}/mellon/sp.pem
  MellonSPMetadataFile {{DIR}}/mellon/sp-metadata.xml
  MellonIdPMetadataFile {{DIR}}/mellon/idp-metadata.xml
  MellonUser uid
`, ca.Cert, ca.Key)
	if !o.InsecureCookie {
		conf += "  MellonSecureCookie On\n"
	}
	if o.CookieSameSite != "" {
		conf += "  MellonCookieSameSite " + o.CookieSameSite + "\n"
	}
	conf += `</Location>
<Location /protected>
  AuthType Mellon
  MellonEnable auth
  Require valid-user
</Location>
` + o.Conf
	files := map[string]string{
		"www/protected/index.html": "<!DOCTYPE html><html><head><title>Team dashboard</title></head><body><h1>Team dashboard</h1><p>Welcome back.</p></body></html>\n",
		"mellon/sp.key":            string(key),
		"mellon/sp.pem":            string(cert),
		"mellon/sp-metadata.xml":   spMeta,
		"mellon/idp-metadata.xml":  idp.Metadata(t, ca),
	}
	mods := append([]string{"auth_mellon", "ssl", "socache_shmcb"}, o.Mods...)
	a := startApacheOn(t, port, mods, conf, files)
	return &MellonApp{Apache: a, Host: o.Host, EntityID: sp.EntityID, ACSURL: sp.ACSURL}
}

// URL is the app's address for path.
func (a *MellonApp) URL(path string) string {
	return fmt.Sprintf("https://%s:%d%s", a.Host, a.Port, path)
}

// LoopbackTransport is an http.Transport that reaches every host name on
// 127.0.0.1 (the port kept) and trusts the CA alone, as a browser with
// the test's host mapping and the CA's NSS database does.
func (ca *CA) LoopbackTransport(t testing.TB) *http.Transport {
	t.Helper()
	pemData, err := os.ReadFile(ca.CACert)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemData) {
		t.Fatalf("no certificate in %s", ca.CACert)
	}
	d := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			_, port, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			return d.DialContext(ctx, network, net.JoinHostPort("127.0.0.1", port))
		},
		ForceAttemptHTTP2: false,
	}
}

// startPHPApache starts httpd with mod_php from dir on port: mod_php (not
// thread-safe) needs the prefork MPM, where startApacheOn loads
// mpm_event. {{DIR}} in conf is dir.
func startPHPApache(t testing.TB, dir string, port int, conf string, env ...string) {
	t.Helper()
	load := ""
	for _, m := range []string{"mpm_prefork", "authz_core", "mime", "dir", "alias", "env", "ssl", "socache_shmcb"} {
		load += fmt.Sprintf("LoadModule %s_module %s/mod_%s.so\n", m, modules, m)
	}
	load += "LoadModule php_module " + modPHP + "\n"
	mime := "/etc/mime.types"
	if !fileExists(mime) {
		mime = filepath.Join(dir, "mime.types")
		os.WriteFile(mime, []byte("text/html html\ntext/css css\napplication/javascript js\nimage/png png\n"), 0o644)
	}
	base := fmt.Sprintf(`ServerRoot %[1]s
PidFile %[1]s/httpd.pid
DefaultRuntimeDir %[1]s
Listen 127.0.0.1:%[2]d
%[3]s%[4]sTypesConfig %[5]s
ErrorLog %[1]s/error.log
LogLevel info
LogFormat "%%h %%u \"%%r\" %%>s" fix401
CustomLog %[1]s/access.log fix401
StartServers 2
MinSpareServers 1
MaxSpareServers 4
MaxRequestWorkers 16
DocumentRoot %[1]s/www
`, dir, port, load, runAs(), mime)
	cfg := filepath.Join(dir, "httpd.conf")
	vars := map[string]string{"DIR": dir}
	if err := os.WriteFile(cfg, []byte(base+replace(conf, vars)), 0o644); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(dir, "error.log")
	exited := start(t, env, log, program("apache2"), "-f", cfg, "-DFOREGROUND")
	waitPort(t, port, exited, "apache2 (mod_php)", log+".out")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("apache (mod_php) error log:\n%s", tail(log))
		}
	})
}

// chownRunAs gives folders to the user Apache's children run as.
func chownRunAs(t testing.TB, dirs ...string) {
	t.Helper()
	f := strings.Fields(runAs())
	if len(f) < 2 {
		return
	}
	u, err := user.Lookup(f[1])
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	for _, d := range dirs {
		if err := os.Chown(d, uid, gid); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
}

// selfSigned makes name.key and name.pem (a self-signed certificate for
// SAML signing) in dir.
func selfSigned(t testing.TB, dir, name, cn string) {
	t.Helper()
	cmd := exec.Command("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
		"-keyout", name+".key", "-out", name+".pem", "-subj", "/CN="+cn)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v\n%s", err, out)
	}
	for _, f := range []string{name + ".key", name + ".pem"} {
		os.Chmod(filepath.Join(dir, f), 0o644)
	}
}

// certData is a PEM certificate's base64 body (SAML metadata's form).
func certData(t testing.TB, certPEM string) string {
	t.Helper()
	b, _ := pem.Decode([]byte(certPEM))
	if b == nil || b.Type != "CERTIFICATE" {
		t.Fatalf("not a PEM certificate: %.60q", certPEM)
	}
	return base64.StdEncoding.EncodeToString(b.Bytes)
}

func writeJSON(t testing.TB, path string, v any) {
	t.Helper()
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	// Whole or not at all: the running server may read it at any time.
	tmp := path + ".new"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
