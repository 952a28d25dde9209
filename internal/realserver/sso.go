package realserver

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// CA is a certificate authority of the test's own and one server
// certificate it signed for the test's host names (and 127.0.0.1): single
// sign-on needs https (mod_auth_openidc refuses a provider over http, and
// SAML stacks set SameSite=None; Secure cookies).
type CA struct {
	Dir        string
	Cert, Key  string // the server certificate and its key, PEM
	CACert     string // the authority's certificate, PEM
	BrowserEnv []string
}

// NewCA makes the authority and a server certificate for hosts, and a
// home folder whose NSS database trusts the authority: a browser started
// with BrowserEnv (HOME=that folder) trusts the servers as a company's
// managed machine trusts its own authority. Nothing machine-wide changes.
func NewCA(t testing.TB, hosts ...string) *CA {
	t.Helper()
	Need(t, "openssl", "openssl")
	Need(t, "libnss3-tools", "certutil")
	dir := sharedDir(t, "fix401-ca-")
	ca := &CA{Dir: dir, Cert: filepath.Join(dir, "server.pem"), Key: filepath.Join(dir, "server.key"), CACert: filepath.Join(dir, "ca.pem")}
	san := "IP:127.0.0.1"
	for _, h := range hosts {
		san += ",DNS:" + h
	}
	run := func(name string, args ...string) {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
	}
	run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
		"-subj", "/CN=fix401 test authority", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
	run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN="+hosts[0])
	ext := fmt.Sprintf("subjectAltName=%s\nextendedKeyUsage=serverAuth\n", san)
	if err := os.WriteFile(filepath.Join(dir, "server.ext"), []byte(ext), 0o644); err != nil {
		t.Fatal(err)
	}
	// Valid from a day back: a server under faketime reads a past clock.
	run("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
		"-out", "server.pem", "-days", "2", "-extfile", "server.ext")
	for _, f := range []string{"server.key", "server.pem", "ca.pem"} {
		os.Chmod(filepath.Join(dir, f), 0o644)
	}
	home := filepath.Join(dir, "home")
	db := filepath.Join(home, ".pki", "nssdb")
	if err := os.MkdirAll(db, 0o700); err != nil {
		t.Fatal(err)
	}
	run("certutil", "-N", "-d", "sql:"+db, "--empty-password")
	run("certutil", "-A", "-d", "sql:"+db, "-n", "fix401-test-authority", "-t", "C,,", "-i", ca.CACert)
	ca.BrowserEnv = []string{"HOME=" + home}
	return ca
}

// OIDCUser is an account of the test provider.
type OIDCUser struct {
	Password string `json:"password"`
	MFA      bool   `json:"mfa,omitempty"`
	// Groups is how many groups the id_token lists for the user (with
	// the profile scope): directories with many groups make big tokens.
	Groups int `json:"groups,omitempty"`
}

// OIDCClient is an app registered at the test provider.
type OIDCClient struct {
	ID            string   `json:"client_id"`
	Secret        string   `json:"client_secret"`
	RedirectURIs  []string `json:"redirect_uris"`
	ResponseTypes []string `json:"response_types"`
	GrantTypes    []string `json:"grant_types"`
	AuthMethod    string   `json:"token_endpoint_auth_method"`
}

// OIDCProvider is npm's oidc-provider (a certified OpenID Provider)
// serving https on a loopback port, with the interactions of
// testdata/sso/oidc-idp.mjs.
type OIDCProvider struct {
	Host   string // the name browsers use, e.g. "provider.test"
	Port   int
	Issuer string
	Dir    string
}

// OIDCOptions set the provider up.
type OIDCOptions struct {
	Host    string // the provider's host name
	Clients []OIDCClient
	Users   map[string]OIDCUser
	// IDTokenTTL is the id_token's lifetime in seconds (default 3600).
	IDTokenTTL int
	// ClockOffset runs the provider under faketime with its clock moved,
	// e.g. "-10m": its Date headers and the tokens' times move with it.
	ClockOffset string
	// Issued, when set, is a file that gets every one-time value the
	// provider hands the browser (codes, tokens, state, nonce, cookie
	// values), one per line, for the secrets test.
	Issued string
}

// StartOIDCProvider starts the provider. It needs Node.js and the npm
// package oidc-provider in the repository's .cache/npm (make deps).
func StartOIDCProvider(t testing.TB, ca *CA, o OIDCOptions) *OIDCProvider {
	t.Helper()
	Need(t, "nodejs", "node")
	root := repoRoot(t)
	mods := filepath.Join(root, ".cache", "npm", "node_modules")
	if !fileExists(filepath.Join(mods, "oidc-provider", "package.json")) {
		msg := "oidc-provider is missing: install the npm package with make deps (into .cache/npm)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	p := &OIDCProvider{Host: o.Host, Port: FreePort(t), Dir: t.TempDir()}
	p.Issuer = fmt.Sprintf("https://%s:%d", o.Host, p.Port)
	script, err := os.ReadFile(filepath.Join(root, "testdata", "sso", "oidc-idp.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	// Node finds packages beside the script: a private copy beside them.
	if err := os.WriteFile(filepath.Join(p.Dir, "idp.mjs"), script, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(mods, filepath.Join(p.Dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	cfg := map[string]any{"issuer": p.Issuer, "port": p.Port, "clients": o.Clients, "users": o.Users,
		"idTokenTTL": o.IDTokenTTL, "issuedFile": o.Issued, "tls": map[string]string{"key": ca.Key, "cert": ca.Cert}}
	data, _ := json.Marshal(cfg)
	if err := os.WriteFile(filepath.Join(p.Dir, "config.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	argv := []string{"node", filepath.Join(p.Dir, "idp.mjs"), filepath.Join(p.Dir, "config.json")}
	var env []string
	if o.ClockOffset != "" {
		// libfaketime preloaded into node itself (the faketime program
		// would stand between the test and node, and keep it running).
		lib, _ := filepath.Glob("/usr/lib/*/faketime/libfaketime.so.1")
		if len(lib) == 0 {
			Need(t, "faketime", "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")
		}
		env = []string{"LD_PRELOAD=" + lib[0], "FAKETIME=" + o.ClockOffset, "FAKETIME_DONT_RESET=1"}
	}
	log := filepath.Join(p.Dir, "idp.log")
	exited := start(t, env, log, argv...)
	waitPort(t, p.Port, exited, "oidc-provider", log+".out")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("oidc-provider log:\n%s", tail(log+".out"))
		}
	})
	return p
}

// OpenIDCApp is Apache httpd with mod_auth_openidc guarding /protected/,
// signing in at an OIDCProvider.
type OpenIDCApp struct {
	*Apache
	Host   string
	Scheme string
}

// OpenIDCOptions set the app up.
type OpenIDCOptions struct {
	Host         string // the app's host name
	Port         int    // 0: a free one (the provider's registration names it: pick it first)
	ClientID     string
	ClientSecret string
	// HTTP serves the app over plain http (as behind a proxy that ends
	// TLS): mod_auth_openidc then sets cookies a browser may refuse.
	HTTP bool
	// ResponseType and ResponseMode: mod_auth_openidc's OIDCResponseType
	// and OIDCResponseMode ("code" and the provider's default if empty).
	ResponseType, ResponseMode string
	// RedirectPath is the path of the app's redirect URI
	// (default /protected/redirect_uri).
	RedirectPath string
	// Conf is more configuration, appended; Mods more modules it needs.
	Conf string
	Mods []string
}

// StartOpenIDCApp starts the app.
func StartOpenIDCApp(t testing.TB, ca *CA, idp *OIDCProvider, o OpenIDCOptions) *OpenIDCApp {
	t.Helper()
	mods := append([]string{"auth_openidc", "headers"}, o.Mods...)
	scheme := "https"
	if o.HTTP {
		scheme = "http"
	} else {
		mods = append(mods, "ssl", "socache_shmcb")
	}
	if o.RedirectPath == "" {
		o.RedirectPath = "/protected/redirect_uri"
	}
	port := o.Port
	if port == 0 {
		port = FreePort(t)
	}
	redirect := fmt.Sprintf("%s://%s:%d%s", scheme, o.Host, port, o.RedirectPath)
	conf := fmt.Sprintf(`DirectoryIndex index.html
OIDCProviderIssuer %[1]s
OIDCProviderAuthorizationEndpoint %[1]s/auth
OIDCProviderTokenEndpoint https://127.0.0.1:%[2]d/token
OIDCProviderTokenEndpointAuth client_secret_post
OIDCProviderJwksUri https://127.0.0.1:%[2]d/jwks
OIDCSSLValidateServer Off
OIDCClientID %[3]s
OIDCClientSecret %[4]s
OIDCRedirectURI %[5]s
OIDCCryptoPassphrase fix401-test-passphrase
OIDCScope "openid"
OIDCCacheType file
OIDCCacheDir {{DIR}}/cache
<Location /protected>
  AuthType openid-connect
  Require valid-user
</Location>
`, idp.Issuer, idp.Port, o.ClientID, o.ClientSecret, redirect)
	if o.ResponseType != "" {
		conf += fmt.Sprintf("OIDCResponseType %q\n", o.ResponseType)
	}
	if o.ResponseMode != "" {
		conf += "OIDCResponseMode " + o.ResponseMode + "\n"
	}
	if !o.HTTP {
		conf += fmt.Sprintf("SSLEngine on\nSSLCertificateFile %s\nSSLCertificateKeyFile %s\n", ca.Cert, ca.Key)
	}
	conf += o.Conf
	files := map[string]string{
		"www/protected/index.html": "<!DOCTYPE html><html><head><title>Team dashboard</title></head><body><h1>Team dashboard</h1><p>Welcome back.</p></body></html>\n",
		"cache/.keep":              "",
	}
	a := startApacheOn(t, port, mods, conf, files)
	// The session cache is written by Apache's children.
	if u := runAs(); u != "" {
		exec.Command("chown", "-R", "www-data", filepath.Join(a.Dir, "cache")).Run()
	}
	return &OpenIDCApp{Apache: a, Host: o.Host, Scheme: scheme}
}

// URL is the app's address for path.
func (a *OpenIDCApp) URL(path string) string {
	return fmt.Sprintf("%s://%s:%d%s", a.Scheme, a.Host, a.Port, path)
}

// repoRoot is the repository's top folder (where go.mod is).
func repoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot find the repository")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}
