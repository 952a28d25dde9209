package kerberos

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/fix401/fix401/internal/netlog"
	"github.com/fix401/fix401/internal/oscmd"
)

func TestPrincipal(t *testing.T) {
	for in, want := range map[string]string{
		"alice@CORP.EXAMPLE": "alice@CORP.EXAMPLE",
		`corp.example\alice`: "alice@CORP.EXAMPLE",
		`CORP\alice`:         "alice", // a NetBIOS name is no realm: kinit's default realm
	} {
		if got, ok := Principal(in); !ok || got != want {
			t.Errorf("Principal(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"alice", `\alice`, "alice@", `CORP\`} {
		if _, ok := Principal(in); ok {
			t.Errorf("Principal(%q) took a plain or broken name", in)
		}
	}
}

func TestExplain(t *testing.T) {
	no, yes := false, true
	for _, c := range []struct {
		name   string
		a      netlog.Attempt
		status int
		want   string
	}{
		{"not allowed", netlog.Attempt{Scheme: "negotiate", DefaultCredentials: &no, HandlerError: "ERR_INVALID_RESPONSE"}, 401, NotAllowed},
		{"expired", netlog.Attempt{Scheme: "negotiate", DefaultCredentials: &yes, Library: []string{"Ticket expired"}}, 401, TicketExpired},
		{"spn", netlog.Attempt{Scheme: "negotiate", DefaultCredentials: &yes, SPN: "HTTP@10.0.0.5",
			Library: []string{"Server HTTP/10.0.0.5@CORP not found in Kerberos database"}}, 401, SPNUnknown},
		{"realm", netlog.Attempt{Scheme: "negotiate", DefaultCredentials: &yes,
			Library: []string{"Server krbtgt/OTHER.TEST@CORP not found in Kerberos database"}}, 401, WrongRealm},
		{"no ticket", netlog.Attempt{Scheme: "negotiate", DefaultCredentials: &yes,
			Library: []string{"SPNEGO cannot find mechanisms to negotiate"}}, 401, NoTicket},
		{"rejected", netlog.Attempt{Scheme: "negotiate", DefaultCredentials: &yes, TokenMade: true}, 401, Rejected},
		{"ntlm not allowed", netlog.Attempt{Scheme: "ntlm", DefaultCredentials: &no}, 401, NotAllowed},
		// NEGOTIATE sent, the server answered a plain 401: no password was checked.
		{"ntlm handshake", netlog.Attempt{Scheme: "ntlm", DefaultCredentials: &no, Tokens: 1, TokenMade: true, Results: []string{"reject"}}, 401, NTLMHandshakeFailed},
	} {
		got := Explain([]netlog.Attempt{c.a}, c.status, TicketValid)
		if len(got) != 1 || got[0].ID != c.want {
			t.Errorf("%s: %+v, want %s", c.name, got, c.want)
		}
	}
	// A proxy's challenge is the proxy's, and Basic is no integrated sign-in.
	if got := Explain([]netlog.Attempt{{Scheme: "negotiate", Target: "proxy", DefaultCredentials: &no}, {Scheme: "basic"}}, 401, TicketValid); len(got) != 0 {
		t.Errorf("%+v", got)
	}
	// AUTHENTICATE sent and refused: a password matter, relogin's to say.
	if got := Explain([]netlog.Attempt{{Scheme: "ntlm", DefaultCredentials: &no, Tokens: 2, TokenMade: true, Results: []string{"accept", "reject"}}}, 401, TicketValid); len(got) != 0 {
		t.Errorf("a refused NTLM password explained as %+v", got)
	}
	if c := UsedNTLM([]netlog.Attempt{{Scheme: "ntlm", DefaultCredentials: &yes, TokenMade: true}}); c == nil || c.ID != NTLMUsed {
		t.Errorf("ntlm_used: %+v", c)
	}
	if c := UsedNTLM([]netlog.Attempt{{Scheme: "ntlm", DefaultCredentials: &no, TokenMade: true}}); c != nil {
		t.Errorf("a typed password is no integrated sign-in: %+v", c)
	}
	if !HandshakeFailed([]netlog.Attempt{{Scheme: "ntlm", Tokens: 1, Results: []string{"reject"}}}) ||
		HandshakeFailed([]netlog.Attempt{{Scheme: "ntlm", Tokens: 2, Results: []string{"accept", "reject"}}}) {
		t.Error("HandshakeFailed")
	}
	spn := Explain([]netlog.Attempt{{Scheme: "negotiate", SPN: "HTTP@10.0.0.5", Library: []string{"Server HTTP/10.0.0.5@CORP not found in Kerberos database"}}}, 401, TicketValid)
	if spn[0].Evidence["spn"] != "HTTP@10.0.0.5" || !contains(spn[0].Detail, "IP address") {
		t.Errorf("%+v", spn[0])
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestKinit(t *testing.T) {
	const line = "kinit -c FILE:/x alice@CORP"
	r := &oscmd.Fake{Paths: map[string]bool{"kinit": true}, Answers: map[string]func() (string, error){
		line: func() (string, error) {
			return "Password for alice@CORP: \nkinit: Password incorrect while getting initial credentials", errors.New("exit status 1")
		},
	}}
	err := Kinit(context.Background(), r, "alice@CORP", "pw", "FILE:/x")
	var ke *KinitError
	if !errors.As(err, &ke) || !ke.Rejected || ke.Answer != "Password incorrect while getting initial credentials" || !errors.Is(err, ErrRejected) {
		t.Fatalf("%v", err)
	}
	if r.Inputs[line] != "pw\n" {
		t.Errorf("the password went to kinit as %q, not on stdin", r.Inputs[line])
	}
	for _, ran := range r.Ran {
		if strings.Contains(ran, "pw") && ran != line {
			t.Errorf("the password is on a command line: %s", ran)
		}
	}
	if err := Kinit(context.Background(), &oscmd.Fake{}, "alice@CORP", "pw", "FILE:/x"); err == nil || !strings.Contains(err.Error(), "krb5-user") {
		t.Errorf("no kinit: %v", err)
	}
}

func TestCheckTicket(t *testing.T) {
	r := &oscmd.Fake{Paths: map[string]bool{"klist": true}, Answers: map[string]func() (string, error){
		"klist -s": func() (string, error) { return "", errors.New("exit status 1") },
	}}
	if got := CheckTicket(context.Background(), r, "linux"); got != TicketNone {
		t.Errorf("%v", got)
	}
	if got := CheckTicket(context.Background(), r, "windows"); got != TicketUnknown {
		t.Errorf("windows: %v", got)
	}
	if got := CheckTicket(context.Background(), &oscmd.Fake{Paths: map[string]bool{"klist": true}}, "darwin"); got != TicketValid {
		t.Errorf("%v", got)
	}
}
