// Package kerberos explains why integrated sign-in (Negotiate/Kerberos,
// NTLM) failed, from what the browser's network log recorded and what the
// machine's ticket cache holds, and gets a ticket for a supplied principal
// into a private cache with the OS's kinit.
package kerberos

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/fix401/fix401/internal/netlog"
	"github.com/fix401/fix401/internal/oscmd"
)

// Cause ids, as DESIGN.md's findings catalogue names them.
const (
	NotAllowed    = "negotiate_not_allowed"
	NoTicket      = "negotiate_no_ticket"
	TicketExpired = "negotiate_ticket_expired"
	WrongRealm    = "negotiate_wrong_realm"
	SPNUnknown    = "negotiate_spn_unknown"
	Rejected      = "negotiate_rejected"
	NTLMUsed      = "ntlm_used"
	// NTLMHandshakeFailed: the server did not answer the browser's NTLM
	// NEGOTIATE message with a CHALLENGE, so no password was ever checked.
	NTLMHandshakeFailed = "ntlm_handshake_failed"
)

// Cause is one reason integrated sign-in failed, in words, with its facts.
type Cause struct {
	ID       string
	Title    string
	Detail   string
	Evidence map[string]any
}

// Ticket says what the machine's ticket cache holds.
type Ticket int

const (
	TicketUnknown Ticket = iota // no klist, or not asked (Windows)
	TicketValid
	TicketNone // no cache, or nothing valid in it
)

func (t Ticket) String() string {
	switch t {
	case TicketValid:
		return "valid"
	case TicketNone:
		return "none"
	}
	return "unknown"
}

// CheckTicket asks `klist -s` (exit 0: a valid ticket) through the runner.
// Windows' klist has no -s, and signs in with the logon session: unknown.
func CheckTicket(ctx context.Context, r oscmd.Runner, goos string) Ticket {
	if r == nil || goos == "windows" {
		return TicketUnknown
	}
	if _, err := r.LookPath("klist"); err != nil {
		return TicketUnknown
	}
	if _, err := r.Run(ctx, []string{"klist", "-s"}); err != nil {
		return TicketNone
	}
	return TicketValid
}

// integrated are the schemes that sign in with the machine's credentials.
func integrated(scheme string) bool {
	s := strings.ToLower(scheme)
	return s == "negotiate" || s == "ntlm"
}

// Explain returns why the sign-in attempts of a failed load failed, most
// specific first; none when the log shows no integrated sign-in. status is
// the load's final status.
func Explain(attempts []netlog.Attempt, status int, ticket Ticket) []Cause {
	var out []Cause
	seen := map[string]bool{}
	add := func(c Cause) {
		if !seen[c.ID] {
			seen[c.ID] = true
			out = append(out, c)
		}
	}
	for _, a := range attempts {
		if !integrated(a.Scheme) || a.Target == "proxy" {
			continue
		}
		ev := map[string]any{"scheme": a.Scheme}
		if a.Origin != "" {
			ev["origin"] = a.Origin
		}
		if a.SPN != "" {
			ev["spn"] = a.SPN
		}
		if len(a.Library) > 0 {
			ev["library_error"] = a.Library[0]
		}
		msg := strings.Join(a.Library, "; ")
		ntlm := strings.EqualFold(a.Scheme, "ntlm")
		explicit := a.DefaultCredentials != nil && !*a.DefaultCredentials
		switch {
		case ntlm && a.Tokens == 1 && slices.Contains(a.Results, "reject") && status == 401:
			add(Cause{ID: NTLMHandshakeFailed, Evidence: ev,
				Title:  "The server did not complete the NTLM handshake: it refused the browser's first message.",
				Detail: "The browser sent its NTLM NEGOTIATE message and the server answered with a plain 401 instead of a CHALLENGE, so no password was ever checked: this is not a wrong password. The server's NTLM module cannot decode what the browser sends (some acceptors reject the NEGOTIATE message of current browsers); the site owner should check its NTLM set-up or offer Kerberos."})
		case ntlm && explicit && a.Tokens >= 2:
			// The password was checked: relogin says whether it was taken.
		case explicit && (a.HandlerError != "" || ntlm && a.Tokens == 0):
			ev["ticket"] = ticket.String()
			c := Cause{ID: NotAllowed, Evidence: ev,
				Title:  "The browser is not allowed to sign in to this site with the machine's own credentials (integrated sign-in).",
				Detail: "The server offers " + schemeName(a.Scheme) + ", but the host is not in the browser's AuthServerAllowlist (Chrome, Edge) or the Windows Local intranet zone, so the browser never tried."}
			if ticket == TicketNone {
				c.Detail += " This machine has no Kerberos ticket either: allowing the site will also need a sign-in to the domain (kinit)."
			}
			add(c)
		case has(msg, "Ticket expired"):
			add(Cause{ID: TicketExpired, Evidence: ev,
				Title:  "The Kerberos ticket of this machine has expired.",
				Detail: "Sign in again to get a new ticket: lock and unlock the session or sign out and in on Windows, `kinit` on macOS and Linux."})
		case has(msg, "krbtgt/") && has(msg, "not found in Kerberos database"), has(msg, "Cannot find KDC for realm"),
			has(msg, "Cannot contact any KDC for realm"):
			if r := realmOf(msg); r != "" {
				ev["realm"] = r
			}
			add(Cause{ID: WrongRealm, Evidence: ev,
				Title:  "The Kerberos ticket is for a realm that cannot reach this service.",
				Detail: "The site's host maps to another Kerberos realm (krb5.conf [domain_realm], or the domain of the service) with no trust from the user's realm: use an account of the service's realm, or ask for a cross-realm trust."})
		case has(msg, "not found in Kerberos database"), has(msg, "Server not found"):
			c := Cause{ID: SPNUnknown, Evidence: ev,
				Title:  "The Kerberos KDC knows no service principal (SPN) for this host.",
				Detail: "The browser asked for a ticket to " + spnWords(a.SPN) + " and the KDC has no such principal: the service account lacks an HTTP/ SPN for this name, or the site is opened through an alias (CNAME) or an IP address instead of its registered name."}
			if strings.Contains(a.SPN, "@") {
				if host := a.SPN[strings.Index(a.SPN, "@")+1:]; isIP(host) {
					c.Detail = "The browser asked for a ticket to " + spnWords(a.SPN) + ": the site was opened by IP address, and Kerberos service principals are registered under host names. Open it by its name."
				}
			}
			add(c)
		case has(msg, "No Kerberos credentials available"), has(msg, "No credentials were supplied"),
			has(msg, "SPNEGO cannot find mechanisms"), has(msg, "No credentials cache found"):
			ev["ticket"] = ticket.String()
			add(Cause{ID: NoTicket, Evidence: ev,
				Title:  "The browser tried integrated sign-in, but this machine has no Kerberos ticket to use.",
				Detail: "On Windows the user is not signed in to the domain (a local account, or the domain cannot be reached); on macOS and Linux run `kinit user@REALM` first, or sign in with fix401's --user user@REALM."})
		case a.TokenMade && status == 401:
			ev["client"] = a.Client
			if a.Client == "" {
				delete(ev, "client")
			}
			add(Cause{ID: Rejected, Evidence: ev,
				Title:  "The server rejected the Kerberos/NTLM token the browser sent.",
				Detail: "The browser got a ticket and sent it, and the server still answered 401: its keytab is out of date (the service account's password or key changed), the clocks differ by more than 5 minutes, or the account may not use this service. The server's error log says which."})
		}
	}
	return out
}

// UsedNTLM is the ntlm_used notice for a load that signed in: the browser
// used the machine's sign-in with NTLM, not Kerberos. nil when it did not.
func UsedNTLM(attempts []netlog.Attempt) *Cause {
	for _, a := range attempts {
		if strings.EqualFold(a.Scheme, "ntlm") && a.TokenMade && a.Target != "proxy" &&
			a.DefaultCredentials != nil && *a.DefaultCredentials {
			return &Cause{ID: NTLMUsed, Evidence: map[string]any{"origin": a.Origin},
				Title:  "The browser signed in with NTLM rather than Kerberos.",
				Detail: "NTLM is the fallback when Kerberos is not available (no SPN, no line of sight to a domain controller, an IP address or alias used): it works, but is weaker and slower, and many organisations are turning it off."}
		}
	}
	return nil
}

// HandshakeFailed reports whether a load's NTLM exchange ended before the
// password was sent (see NTLMHandshakeFailed).
func HandshakeFailed(attempts []netlog.Attempt) bool {
	for _, a := range attempts {
		if strings.EqualFold(a.Scheme, "ntlm") && a.Target != "proxy" && a.Tokens == 1 && slices.Contains(a.Results, "reject") {
			return true
		}
	}
	return false
}

func has(s, sub string) bool { return strings.Contains(s, sub) }

func schemeName(s string) string {
	if strings.EqualFold(s, "ntlm") {
		return "NTLM"
	}
	return "Negotiate (Kerberos)"
}

// spnWords turns Chromium's "HTTP@host" into the principal a KDC admin
// registers, HTTP/host.
func spnWords(spn string) string {
	if spn == "" {
		return "the site's service"
	}
	return strings.Replace(spn, "@", "/", 1)
}

func isIP(host string) bool {
	return strings.Trim(host, "0123456789.") == "" || strings.Contains(host, ":")
}

// realmOf finds the realm an error names: krbtgt/REALM@… or realm "REALM".
func realmOf(msg string) string {
	if i := strings.Index(msg, "krbtgt/"); i >= 0 {
		r := msg[i+len("krbtgt/"):]
		if j := strings.IndexAny(r, "@ "); j > 0 {
			return r[:j]
		}
	}
	if i := strings.Index(msg, `realm "`); i >= 0 {
		r := msg[i+len(`realm "`):]
		if j := strings.Index(r, `"`); j > 0 {
			return r[:j]
		}
	}
	return ""
}

// Principal turns what --user says into a Kerberos principal: alice@REALM
// as it is; CORP.EXAMPLE\alice as alice@CORP.EXAMPLE (a domain's realm is
// its DNS name in capitals); CORP\alice, whose short (NetBIOS) name is no
// realm, as alice, which kinit completes with the default realm of the
// machine's krb5.conf. ok is false for a plain user name.
func Principal(user string) (string, bool) {
	if dom, name, ok := strings.Cut(user, `\`); ok && dom != "" && name != "" {
		if strings.Contains(dom, ".") {
			return name + "@" + strings.ToUpper(dom), true
		}
		return name, true
	}
	if name, realm, ok := strings.Cut(user, "@"); ok && name != "" && realm != "" {
		return user, true
	}
	return "", false
}

// ErrRejected is a KDC's refusal of the supplied password or principal.
var ErrRejected = errors.New("the Kerberos KDC refused the credentials")

// KinitError carries kinit's own answer.
type KinitError struct {
	Answer   string // kinit's message, without the program name
	Rejected bool   // the KDC refused the principal or password
}

func (e *KinitError) Error() string { return "kinit: " + e.Answer }

func (e *KinitError) Is(target error) bool { return target == ErrRejected && e.Rejected }

// rejections are kinit's answers that mean "wrong principal or password".
var rejections = []string{
	"Password incorrect", "Preauthentication failed", "not found in Kerberos database",
	"Client's credentials have been revoked", "Password has expired", "Clients credentials have been revoked",
}

// Kinit gets a ticket for principal into cache (a "FILE:…" name of the
// caller's) with the password on kinit's stdin, never on its command line
// nor in an environment: the user's own ticket cache is not touched.
func Kinit(ctx context.Context, r oscmd.Runner, principal, password, cache string) error {
	if _, err := r.LookPath("kinit"); err != nil {
		return fmt.Errorf("kinit is not installed (Debian/Ubuntu: krb5-user; Fedora: krb5-workstation; macOS has it)")
	}
	out, err := r.RunInput(ctx, []string{"kinit", "-c", cache, principal}, password+"\n")
	if err == nil {
		return nil
	}
	answer := kinitAnswer(out)
	if answer == "" {
		answer = err.Error()
	}
	ke := &KinitError{Answer: answer}
	for _, s := range rejections {
		if strings.Contains(answer, s) {
			ke.Rejected = true
		}
	}
	return ke
}

// kinitAnswer is the last line of kinit's output without its prompt and
// program name: "Password incorrect while getting initial credentials".
func kinitAnswer(out string) string {
	var last string
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimSpace(l)
		if i := strings.Index(l, "kinit: "); i >= 0 {
			last = l[i+len("kinit: "):]
		}
	}
	return last
}
