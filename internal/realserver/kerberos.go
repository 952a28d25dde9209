package realserver

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// KDC is an MIT Kerberos KDC with one realm of its own, listening on a
// loopback port. Its krb5.conf (Conf) maps the host domains it was given
// to that realm; tests point KRB5_CONFIG at it.
type KDC struct {
	Realm string
	Conf  string // krb5.conf for clients (the browser, kinit, klist)
	Port  int
	dir   string
	env   []string
}

// StartKDC creates a realm in a private folder and starts its KDC.
// domains maps DNS domains (".corp.localhost") to realms: those not of
// this KDC's realm model a host of another realm with no trust.
func StartKDC(t testing.TB, realm string, domains map[string]string) *KDC {
	t.Helper()
	Need(t, "krb5-kdc", "krb5kdc", "kdb5_util")
	Need(t, "krb5-admin-server", "kadmin.local")
	Need(t, "krb5-user", "kinit", "klist")
	dir := t.TempDir()
	k := &KDC{Realm: realm, Conf: filepath.Join(dir, "krb5.conf"), Port: FreePort(t), dir: dir}
	var dr strings.Builder
	for d, r := range domains {
		fmt.Fprintf(&dr, "  %s = %s\n", d, r)
	}
	krb5 := fmt.Sprintf(`[libdefaults]
  default_realm = %[1]s
  dns_lookup_kdc = false
  dns_lookup_realm = false
  rdns = false
  dns_canonicalize_hostname = false
  udp_preference_limit = 0
  # One second, not five minutes: a test can then see a ticket that has
  # expired without waiting out the tolerance the KDC and the client allow.
  clockskew = 1
[realms]
  %[1]s = {
    kdc = 127.0.0.1:%[2]d
  }
[domain_realm]
%[3]s`, realm, k.Port, dr.String())
	kdc := fmt.Sprintf(`[kdcdefaults]
  kdc_listen = 127.0.0.1:%[2]d
  kdc_tcp_listen = 127.0.0.1:%[2]d
[realms]
  %[1]s = {
    database_name = %[3]s/principal
    key_stash_file = %[3]s/stash
    acl_file = %[3]s/kadm5.acl
    max_life = 10h
    supported_enctypes = aes256-cts-hmac-sha1-96:normal
  }
[logging]
  kdc = FILE:%[3]s/kdc.log
`, realm, k.Port, dir)
	for p, c := range map[string]string{k.Conf: krb5, filepath.Join(dir, "kdc.conf"): kdc} {
		if err := os.WriteFile(p, []byte(c), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	k.env = []string{"KRB5_CONFIG=" + k.Conf, "KRB5_KDC_PROFILE=" + filepath.Join(dir, "kdc.conf")}
	k.run(t, "", program("kdb5_util"), "create", "-s", "-r", realm, "-P", "fix401-master-key")
	exited := start(t, k.env, filepath.Join(dir, "kdc.log"), program("krb5kdc"), "-n", "-P", filepath.Join(dir, "kdc.pid"))
	waitPort(t, k.Port, exited, "krb5kdc", filepath.Join(dir, "kdc.log"))
	return k
}

func (k *KDC) run(t testing.TB, stdin string, argv ...string) string {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), k.env...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(argv[:2], " "), err, out)
	}
	return string(out)
}

func (k *KDC) admin(t testing.TB, query string) {
	t.Helper()
	k.run(t, "", program("kadmin.local"), "-r", k.Realm, "-q", query)
}

// AddUser adds a user principal with a password.
func (k *KDC) AddUser(t testing.TB, name, password string) {
	t.Helper()
	k.admin(t, fmt.Sprintf("addprinc -pw %s %s", password, name))
}

// AddService adds HTTP/host and writes its key to keytab.
func (k *KDC) AddService(t testing.TB, host, keytab string) {
	t.Helper()
	k.admin(t, "addprinc -randkey HTTP/"+host)
	k.admin(t, fmt.Sprintf("ktadd -k %s HTTP/%s", keytab, host))
}

// Rekey gives HTTP/host a new key that no keytab has: the service's
// tickets then fail to decrypt, as after a password change of a service
// account whose keytab was not renewed.
func (k *KDC) Rekey(t testing.TB, host string) {
	t.Helper()
	k.admin(t, "cpw -randkey HTTP/"+host)
}

// Kinit gets a ticket for principal into cache (a FILE: name), with a
// lifetime such as "10h" or "2s".
func (k *KDC) Kinit(t testing.TB, principal, password, cache, lifetime string) {
	t.Helper()
	k.run(t, password+"\n", "kinit", "-l", lifetime, "-c", cache, principal)
}

// Skew is the clock skew the realm tolerates (krb5.conf clockskew): a
// ticket is refused only once it has been expired for longer.
const Skew = time.Second

// TicketValid reports whether cache holds a ticket that has not expired.
func (k *KDC) TicketValid(cache string) bool {
	cmd := exec.Command("klist", "-s", "-c", cache)
	cmd.Env = append(os.Environ(), k.env...)
	return cmd.Run() == nil
}

// StartGSSAPIApache starts Apache with mod_auth_gssapi protecting /private/
// with the keys of keytab (written by AddService), plus files. Apache's
// children (www-data) cannot enter the KDC's folder: the keytab and the
// realm's krb5.conf are copied into Apache's own.
func StartGSSAPIApache(t testing.TB, kdc *KDC, keytab string, files map[string]string) *Apache {
	t.Helper()
	kt, err := os.ReadFile(keytab)
	if err != nil {
		t.Fatal(err)
	}
	conf, err := os.ReadFile(kdc.Conf)
	if err != nil {
		t.Fatal(err)
	}
	all := map[string]string{"http.keytab": string(kt), "krb5.conf": string(conf)}
	for k, v := range files {
		all[k] = v
	}
	return StartApache(t, []string{"auth_gssapi"}, `KeepAlive On
<Location /private>
  AuthType GSSAPI
  AuthName "Kerberos sign-in"
  GssapiCredStore keytab:{{DIR}}/http.keytab
  GssapiAllowedMech krb5
  Require valid-user
</Location>
`, all, "KRB5_CONFIG={{DIR}}/krb5.conf", "KRB5RCACHETYPE=none")
}
