package agent

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fix401/fix401/internal/oscmd"
	"github.com/fix401/fix401/internal/realserver"
	"github.com/fix401/fix401/reports"
	"github.com/fix401/fix401/steps"
)

// TestNTLMAgainstSamba answers a raw NTLM challenge with explicit
// credentials (Chromium's own NTLMv2, with its MIC), checked by Samba's
// ntlm_auth: the right password signs in, a wrong one is refused by the
// acceptor after the whole handshake, which is a wrong password.
func TestNTLMAgainstSamba(t *testing.T) {
	srv := realserver.StartNTLM(t, "CORP", "alice", "alice-ntlm-pw", "<!doctype html><title>Timesheets</title><h1>Timesheets</h1>")
	target := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + "/"

	t.Run("no credentials: the browser may not sign in by itself", func(t *testing.T) {
		r := runDiag(t, Config{URL: target, Only: []string{"reload"}}).Report
		if ids := findingIDs(r); r.Outcome != reports.Unresolved || !slices.Contains(ids, "negotiate_not_allowed") {
			t.Fatalf("outcome %s findings %v", r.Outcome, ids)
		}
	})
	t.Run("the right password", func(t *testing.T) {
		r := runDiag(t, Config{URL: target, Only: []string{"relogin"},
			Inputs: steps.Inputs{User: `CORP\alice`, Password: "alice-ntlm-pw"}, Secrets: []string{"alice-ntlm-pw"}}).Report
		if r.Outcome != reports.Fixed {
			t.Fatalf("outcome %s: %s", r.Outcome, r.Diagnosis.Summary)
		}
		for _, s := range r.Steps {
			if s.ID == "relogin" && !strings.Contains(s.Action, "NTLM challenge") {
				t.Errorf("relogin: %q", s.Action)
			}
		}
		for _, f := range r.Diagnosis.Findings {
			if f.Severity == reports.Cause {
				t.Errorf("a cause after signing in by hand worked: %s", f.ID)
			}
		}
	})
	t.Run("a wrong password, refused after the whole handshake", func(t *testing.T) {
		r := runDiag(t, Config{URL: target, Only: []string{"relogin"},
			Inputs: steps.Inputs{User: `CORP\alice`, Password: "not-alice-pw"}, Secrets: []string{"not-alice-pw"}}).Report
		ids := findingIDs(r)
		if r.Outcome != reports.Unresolved || !slices.Contains(ids, "credentials_rejected") || slices.Contains(ids, "ntlm_handshake_failed") {
			t.Fatalf("outcome %s findings %v", r.Outcome, ids)
		}
	})
}

// TestNTLMHandshakeTheServerCannotDecode: Debian's gss-ntlmssp behind
// Apache mod_auth_gssapi refuses the NEGOTIATE message Chromium sends
// ("Failed to decode data"), so no password is ever checked: that is
// ntlm_handshake_failed, never a wrong password.
func TestNTLMHandshakeTheServerCannotDecode(t *testing.T) {
	realserver.Need(t, "gss-ntlmssp", "/usr/lib/x86_64-linux-gnu/gssntlmssp/gssntlmssp.so")
	// No Kerberos here: kinit for CORP\alice finds no KDC (a closed port),
	// and relogin answers the NTLM challenge the server also offers.
	krb5 := filepath.Join(t.TempDir(), "krb5.conf")
	if err := os.WriteFile(krb5, []byte("[libdefaults]\n default_realm = CORP.TEST\n dns_lookup_kdc = false\n[realms]\n CORP.TEST = {\n  kdc = 127.0.0.1:1\n }\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KRB5_CONFIG", krb5)
	apache := realserver.StartApache(t, []string{"auth_gssapi"}, `<Location /ntlm>
  AuthType GSSAPI
  AuthName "NTLM"
  GssapiAllowedMech ntlmssp
  GssapiBasicAuth Off
  GssapiConnectionBound On
  Require valid-user
</Location>
`, map[string]string{"users": "CORP:alice:alice-ntlm-pw\n", "www/ntlm/index.html": "<!doctype html><title>NTLM</title>ok"},
		"NTLM_USER_FILE={{DIR}}/users")
	t.Run("gss-ntlmssp refuses the NEGOTIATE: no password was checked", func(t *testing.T) {
		r := runDiag(t, Config{URL: apache.URL("localhost", "/ntlm/"), Only: []string{"relogin"},
			Inputs: steps.Inputs{User: `CORP\alice`, Password: "alice-ntlm-pw", Runner: oscmd.System{}}, Secrets: []string{"alice-ntlm-pw"}}).Report
		ids := findingIDs(r)
		if r.Outcome != reports.Unresolved || !slices.Contains(ids, "ntlm_handshake_failed") || slices.Contains(ids, "credentials_rejected") {
			t.Fatalf("outcome %s findings %v", r.Outcome, ids)
		}
	})
}
