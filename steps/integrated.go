package steps

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/challenge"
)

// IntegratedAuth is "add the site to the intranet zone": a server that
// offers Negotiate (Kerberos) or NTLM gets the machine's own sign-in only
// from a browser that is allowed to give it to that host, and Chrome on
// macOS and Linux allows none by default.
type IntegratedAuth struct{}

func (IntegratedAuth) ID() string    { return "integrated-auth" }
func (IntegratedAuth) Title() string { return "Allow integrated sign-in" }
func (IntegratedAuth) Help() string {
	return "when the server offers Negotiate (Kerberos) or NTLM and the browser did not use the machine's sign-in for it, retries with the host allowed (Chrome's AuthServerAllowlist), using the tickets the machine already has"
}

// FixedOnUserSide: the browser's or the machine's setting, not the site's.
func (IntegratedAuth) FixedOnUserSide() bool { return true }

// FixedPhrase names the step as the object of "fixed by".
func (IntegratedAuth) FixedPhrase() string {
	return "allowing integrated sign-in (Kerberos/NTLM) for the site"
}

// allowWindows is the same in Chrome's and Edge's column: both follow the
// Windows intranet zone.
const allowWindows = "Windows: Control Panel > Internet Options > Security > Local intranet > Sites > Advanced, add the site (`https://host`), OK; or ask IT for the AuthServerAllowlist policy"

// ByHand is what a person does in each browser to repeat the step, per OS.
func (IntegratedAuth) ByHand() map[string][]string {
	return map[string][]string{
		"Chrome": {
			allowWindows,
			"macOS: `defaults write com.google.Chrome AuthServerAllowlist \"host\"` (patterns like `*.example.com`), then quit and reopen Chrome",
			"Linux: put `{\"AuthServerAllowlist\": \"host\"}` in /etc/opt/chrome/policies/managed/fix401.json (Chromium: /etc/chromium/policies/managed/), or start Chrome with `--auth-server-allowlist=host`",
			"Check it at `chrome://policy`; make sure you have a ticket: `klist` (sign in to the domain, or `kinit user@REALM`)",
		},
		"Edge": {
			allowWindows,
			"macOS: `defaults write com.microsoft.Edge AuthServerAllowlist \"host\"`, then quit and reopen Edge",
			"Linux: put `{\"AuthServerAllowlist\": \"host\"}` in /etc/opt/edge/policies/managed/fix401.json",
			"Check it at `edge://policy`; make sure you have a ticket: `klist`",
		},
		"Firefox": {
			"Open `about:config`, search `network.negotiate-auth.trusted-uris` and add the host (comma-separated); for NTLM also `network.automatic-ntlm-auth.trusted-uris`",
			"Windows: set `network.http.windows-sso.enabled` to true in `about:config` to use the Windows sign-in",
			"Make sure you have a ticket: `klist` (Windows: signed in to the domain; macOS and Linux: `kinit user@REALM`)",
		},
		"Safari": {
			"Safari uses the macOS ticket without a list: get one with the Ticket Viewer app or `kinit user@REALM` in Terminal",
			"Check it with `klist`, and that /etc/krb5.conf (or the domain's profile) names the realm",
		},
	}
}

// ByHandFor is ByHand with the site's own host where the steps say
// "host", so that a technician can copy the lines as they are.
func (s IntegratedAuth) ByHandFor(target string) map[string][]string {
	host := hostOf(target)
	if host == "" {
		return s.ByHand()
	}
	r := strings.NewReplacer("`https://host`", "`"+originOf(target)+"`", `\"host\"`, `\"`+host+`\"`, `"host"`, `"`+host+`"`, "=host`", "="+host+"`")
	out := map[string][]string{}
	for b, lines := range s.ByHand() {
		for _, l := range lines {
			out[b] = append(out[b], r.Replace(l))
		}
	}
	return out
}

func originOf(target string) string {
	p, err := url.Parse(target)
	if err != nil {
		return target
	}
	return p.Scheme + "://" + p.Host
}

// IntegratedAuthEvidence is what integrated-auth records.
type IntegratedAuthEvidence struct {
	Host    string   `json:"host"`    // the host allowed
	Schemes []string `json:"schemes"` // what the server offered: Negotiate, NTLM
}

func (IntegratedAuth) Run(ctx context.Context, env Env) (Outcome, error) {
	b := env.Baseline()
	if b == nil {
		return Outcome{Skip: "there is no failing load to look at"}, nil
	}
	schemes := offered(b)
	if len(schemes) == 0 {
		return Outcome{Skip: "the server does not offer Negotiate or NTLM"}, nil
	}
	host := hostOf(env.Target())
	for _, a := range b.Load.SignIn {
		if a.DefaultCredentials != nil && *a.DefaultCredentials {
			return Outcome{Skip: "the browser was already allowed to use this machine's sign-in for " + host, NoLoad: true}, nil
		}
	}
	err := env.Relaunch(ctx, func(o *browser.Options) {
		o.AuthServerAllowlist = append(o.AuthServerAllowlist, host)
	})
	if errors.Is(err, browser.ErrRemote) {
		return Outcome{Skip: "the browser is remote: its AuthServerAllowlist is not fix401's to change (add " + host + " to its policy)", NoLoad: true}, nil
	}
	if err != nil {
		return Outcome{}, err
	}
	return Outcome{
		Action:   fmt.Sprintf("Allowed integrated sign-in (%s) for %s, as Chrome's AuthServerAllowlist policy or the Windows Local intranet zone does, in a new browser that uses this machine's Kerberos tickets.", strings.Join(schemes, ", "), host),
		Evidence: IntegratedAuthEvidence{Host: host, Schemes: schemes},
	}, nil
}

// offered are the integrated schemes (Negotiate, NTLM) of the failing
// document's challenges.
func offered(o *Observation) []string {
	res := challenge.Parse(o.Load.Header.Values("WWW-Authenticate")...)
	var out []string
	for _, c := range res.Challenges {
		switch strings.ToLower(c.Scheme) {
		case "negotiate", "ntlm", "kerberos":
			if !contains(out, c.Scheme) {
				out = append(out, c.Scheme)
			}
		}
	}
	return out
}

func hostOf(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	return p.Hostname()
}
