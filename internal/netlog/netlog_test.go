package netlog

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func read(t *testing.T, name string) []Attempt {
	t.Helper()
	l, err := Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	as, err := l.Read(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(as) == 0 {
		t.Fatalf("%s: no attempts", name)
	}
	return as
}

func TestSignedIn(t *testing.T) {
	a := read(t, "signed-in.json")[0]
	if a.Scheme != "negotiate" || !a.TokenMade || a.Failed() || a.SPN != "HTTP@krb.localhost" ||
		a.Client != "alice@FIX401.TEST" || a.Service != "HTTP/krb.localhost@FIX401.TEST" || a.Target != "server" {
		t.Fatalf("%+v", a)
	}
	if a.DefaultCredentials == nil || !*a.DefaultCredentials {
		t.Fatalf("default credentials: %+v", a)
	}
}

func TestNotAllowed(t *testing.T) {
	a := read(t, "not-allowed.json")[0]
	if a.DefaultCredentials == nil || *a.DefaultCredentials || a.HandlerError == "" || !a.Failed() || a.TokenMade {
		t.Fatalf("%+v", a)
	}
}

func TestNoTicket(t *testing.T) {
	a := read(t, "no-ticket.json")[0]
	if a.TokenError != "ERR_INVALID_AUTH_CREDENTIALS" || !slices.Contains(a.Library, "SPNEGO cannot find mechanisms to negotiate") {
		t.Fatalf("%+v", a)
	}
}

// A line still being written, and attempts that began before the offset,
// are left out rather than misread.
func TestPartialAndOffset(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "signed-in.json"))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "log.json")
	if err := os.WriteFile(p, append(data, []byte(`{"params":{"url":"http://x/"},"phase":1,"source":{"id":9`)...), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := l.Read(0)
	if len(all) != 2 {
		t.Fatalf("want the two complete attempts, got %d", len(all))
	}
	late, _ := l.Read(l.Size())
	if len(late) != 0 {
		t.Fatalf("nothing after the end: %+v", late)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Fatal("a missing log opened")
	}
}
