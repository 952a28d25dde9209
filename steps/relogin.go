package steps

import (
	"context"
	"errors"
	"fmt"
	"github.com/fix401/fix401/internal/sso"
	"path/filepath"
	"strings"

	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/challenge"
	"github.com/fix401/fix401/internal/judge"
	"github.com/fix401/fix401/internal/kerberos"
	"github.com/fix401/fix401/internal/redact"
)

// Relogin is "sign in again" with the credentials the person supplied:
// answering the HTTP challenge, filling the login form, or sending the
// bearer token — and it says so plainly when the credentials are wrong.
type Relogin struct{}

func (Relogin) ID() string    { return "relogin" }
func (Relogin) Title() string { return "Sign in again" }
func (Relogin) Help() string {
	return "signs in again with --user and the password from --password-stdin or FIX401_PASSWORD (HTTP Basic/Digest/NTLM challenge, or the login form at --login-url), or sends the token of --bearer-token-env to the site only"
}

// Needs: credentials, or there is nothing to sign in with.
func (Relogin) Needs() Needs { return Needs{Credentials: true} }

// FixedOnUserSide: the fix is the user's to make, not the site owner's.
func (Relogin) FixedOnUserSide() bool { return true }

// FixedPhrase names the step as the object of "fixed by".
func (Relogin) FixedPhrase() string { return "signing in again" }

// ByHand is what a person does in each browser to repeat the step.
func (Relogin) ByHand() map[string][]string {
	return map[string][]string{
		"Chrome": {
			"Sign out of the site, or close every Chrome window (that forgets a browser sign-in prompt's password)",
			"Open the page again and sign in with the right account",
			"If Chrome fills in a wrong password: Settings > Autofill and passwords > Google Password Manager, search the site, delete the entry",
		},
		"Edge": {
			"Sign out of the site, or close every Edge window (that forgets a browser sign-in prompt's password)",
			"Open the page again and sign in with the right account",
			"If Edge fills in a wrong password: Settings > Profiles > Passwords, search the site, delete the entry",
		},
		"Firefox": {
			"Sign out of the site, or quit Firefox (that forgets a browser sign-in prompt's password)",
			"Open the page again and sign in with the right account",
			"If Firefox fills in a wrong password: open `about:logins`, search the site, Remove",
		},
		"Safari": {
			"Sign out of the site, or quit Safari (Cmd+Q)",
			"Open the page again and sign in with the right account",
			"If Safari fills in a wrong password: Safari > Settings > Passwords (the Passwords app on macOS 15), search the site, delete the entry",
		},
	}
}

func (Relogin) Run(ctx context.Context, env Env) (Outcome, error) {
	in := env.Inputs()
	s := env.Session()
	target := env.Target()
	switch {
	case in.ProxyUser != "" && env.Baseline() != nil && env.Baseline().Verdict.Kind == judge.Proxy407:
		if !ProxyAsked(env.Baseline()) {
			return Outcome{Skip: "the 407 did not come from a proxy this browser uses (the server itself answered 407), so there is no proxy challenge to answer", NoLoad: true}, nil
		}
		return proxyLogin(ctx, env, in)

	case in.BearerToken != "":
		origin := browser.Origin(target)
		s.SetBearer(origin, in.BearerToken)
		obs, err := env.Load(ctx, target)
		if err != nil {
			return Outcome{}, err
		}
		ev := ReloginEvidence{Method: "bearer", Origin: origin}
		if !obs.OK() {
			ev.CredentialsRejected = true
			env.Logf("the server rejected the supplied bearer token")
		}
		return Outcome{
			Action:   fmt.Sprintf("Sent the supplied bearer token (from $%s) with every request to %s, and to no other site.", in.BearerEnv, origin),
			Judged:   obs,
			Evidence: ev,
		}, nil

	case in.User != "" && kerberosSite(env, in):
		out, err := kerberosLogin(ctx, env, in)
		if err == nil || !offers(env.Baseline(), "NTLM") {
			return out, err
		}
		// No Kerberos for this user here (no KDC for the realm): the
		// server takes NTLM too, which a password answers, as a browser's
		// sign-in prompt would.
		env.Logf("no Kerberos ticket could be had (%v); answering the NTLM challenge with the password instead", err)
		out, perr := passwordLogin(ctx, env, in)
		if perr == nil && out.Action != "" {
			principal, _ := kerberos.Principal(in.User)
			out.Action = fmt.Sprintf("Asked for a Kerberos ticket for %s (kinit), which failed (%v); then ", principal, err) +
				strings.ToLower(out.Action[:1]) + out.Action[1:]
		}
		return out, perr

	case in.User != "":
		return passwordLogin(ctx, env, in)
	}
	if in.ProxyUser != "" {
		return Outcome{Skip: "only proxy credentials were given (--proxy-user), and no proxy asked for them"}, nil
	}
	return Outcome{Skip: "no credentials given (use --user with --password-stdin or FIX401_PASSWORD, --login-url, or --bearer-token-env)"}, nil
}

// offers reports whether the failing page's challenges include scheme.
func offers(b *Observation, scheme string) bool {
	if b == nil {
		return false
	}
	_, ok := challenge.Parse(b.Load.Header.Values("WWW-Authenticate")...).Find(scheme)
	return ok
}

// passwordLogin signs in with the user and password: the login form, or
// the HTTP challenge the browser answers with them.
func passwordLogin(ctx context.Context, env Env, in Inputs) (Outcome, error) {
	s, target := env.Session(), env.Target()
	loginURL := in.LoginURL
	if f, ok := env.Baseline().SignIn(); ok && loginURL == "" && f.Provider != "" {
		return ssoLogin(ctx, env, in, f)
	}
	if loginURL == "" {
		// A login form on the failing page (Apache mod_auth_form's
		// ErrorDocument 401 shows it at the same URL), or on the page it
		// redirected to: that form is the one to fill.
		if b := env.Baseline(); b != nil && b.Load.HasPassword {
			loginURL = b.Load.FinalURL
		}
	}
	if loginURL != "" {
		return formLogin(ctx, env, in, loginURL)
	}
	if why := unanswerable(env.Baseline()); why != "" {
		return Outcome{Skip: why, NoLoad: true}, nil
	}
	s.SetCredentials(&browser.Credentials{User: in.User, Password: in.Password, ProxyUser: in.ProxyUser, ProxyPassword: in.ProxyPassword})
	obs, err := env.Load(ctx, target)
	if err != nil {
		return Outcome{}, err
	}
	schemes := authSchemes(obs)
	ev := ReloginEvidence{Method: "http-challenge", User: in.User, Schemes: schemes}
	switch {
	case !obs.OK() && kerberos.HandshakeFailed(obs.Load.SignIn):
		// The password never reached the check: not a wrong one.
		ev.HandshakeFailed = true
		env.Logf("the server refused the browser's first NTLM message, before any password was sent")
	case forbidden(obs) && answered(obs):
		ev.Forbidden, ev.StatusAfter = true, obs.Load.Status
		env.Logf("the server accepted \"%s\" and then refused the page (%d): the account lacks the permission", in.User, obs.Load.Status)
	case !obs.OK() && answered(obs):
		ev.CredentialsRejected = true
		env.Logf("the server rejected the user name or password for \"%s\"", in.User)
	case !obs.OK():
		ev.ChallengeSeen = new(false)
		env.Logf("the server sent no HTTP challenge the browser could answer; use --login-url for a login form")
	}
	action := fmt.Sprintf("Answered the server's %s challenge as \"%s\" with the supplied password.", schemes, in.User)
	if !answered(obs) {
		action = fmt.Sprintf("Loaded the page ready to answer a sign-in challenge as \"%s\"; the server sent none the browser could answer.", in.User)
	}
	return Outcome{
		Action:   action,
		Judged:   obs,
		Evidence: ev,
	}, nil
}

// ssoLogin signs in through the identity provider the app sends the
// browser to. It starts from the app's address, never from a provider
// address seen earlier: that one carries one-time state (the request's
// state and nonce, the provider's interaction id) which is stale once a
// step cleared the cookies. It fills the provider's pages as a person
// would, the user name and password on one page or on two ("identifier
// first"), and stops at a second factor.
func ssoLogin(ctx context.Context, env Env, in Inputs, f sso.Flow) (Outcome, error) {
	s, target := env.Session(), env.Target()
	ev := ReloginEvidence{Method: "sso", User: in.User, Provider: f.Provider, Protocol: f.Protocol}
	start, err := env.Load(ctx, target)
	if err != nil {
		return Outcome{}, err
	}
	action := func(tail string) string {
		return fmt.Sprintf("Opened the page, which sent the browser to %s, and signed in there as \"%s\"%s.", f.Provider, in.User, tail)
	}
	if start.OK() {
		return Outcome{
			Action:   fmt.Sprintf("Opened the page again: %s signed the browser in without asking.", f.Provider),
			Judged:   start,
			Evidence: ev,
		}, nil
	}
	cur := start.Load
	sentPassword, sentIdentifier := false, false
	for range 5 {
		// Back at the app's host (the provider let the browser go), or a
		// load that failed or went round in circles: the page is judged.
		if browser.Origin(cur.FinalURL) == browser.Origin(target) || cur.NetError != "" || cur.TimedOut {
			break
		}
		if g, ok := cur.SignInFlow(); ok && g.Loop != nil {
			break
		}
		var form browser.LoginForm
		switch {
		case cur.OneTimeCode && sentPassword:
			ev.Pages = append(ev.Pages, "one-time code")
			ev.MFARequired = true
			env.Logf("%s asks for a second factor after the password: fix401 stops there", f.Provider)
			return Outcome{
				Action:   action(", then the provider asked for a second factor (a one-time code), which fix401 cannot give: finish the sign-in by hand"),
				Judged:   start,
				Evidence: ev,
			}, nil
		case cur.HasPassword && sentPassword, cur.IdentifierOnly && sentIdentifier && !sentPassword:
			// The provider shows its password (or user name) page again:
			// it refused the password (or does not know the user).
			ev.CredentialsRejected = true
			env.Logf("%s did not accept the user name or password for \"%s\"", f.Provider, in.User)
			return Outcome{
				Action:   action(": the provider refused the user name or password"),
				Judged:   start,
				Evidence: ev,
			}, nil
		case cur.HasPassword:
			form = browser.LoginForm{User: in.User, Password: in.Password, UserSel: in.UserSel, PasswordSel: in.PasswordSel, SubmitSel: in.SubmitSel}
			ev.Pages = append(ev.Pages, "password")
			sentPassword = true
		case cur.IdentifierOnly && !sentPassword:
			form = browser.LoginForm{User: in.User, UserSel: in.UserSel, SubmitSel: in.SubmitSel, Identifier: true}
			ev.Pages = append(ev.Pages, "identifier")
			sentIdentifier = true
		case len(ev.Pages) == 0 && !pageWithoutForm(cur):
			return Outcome{}, fmt.Errorf("%s shows no sign-in form fix401 can fill (no user name or password field); give the selectors with --user-selector and --password-selector", f.Provider)
		}
		if form.User == "" {
			// After the forms, or a page of the provider with nothing to
			// fill (its error page): the page is judged.
			break
		}
		next, err := s.SubmitLogin(ctx, form, browser.LoadOptions{})
		if errors.Is(err, browser.ErrNoLoginForm) {
			return Outcome{}, fmt.Errorf("%s shows no sign-in form fix401 can fill; give the selectors with --user-selector and --password-selector", f.Provider)
		}
		if err != nil {
			return Outcome{}, err
		}
		cur = next
	}
	if len(ev.Pages) == 0 {
		// Nothing was filled: say what the provider showed instead.
		action = func(tail string) string {
			return fmt.Sprintf("Opened the page; %s showed no sign-in form fix401 could fill as \"%s\" (if it has one, give --user-selector and --password-selector)%s.", f.Provider, in.User, tail)
		}
		if browser.Origin(cur.FinalURL) == browser.Origin(target) {
			action = func(tail string) string {
				return fmt.Sprintf("Opened the page; it did not send the browser to %s this time%s.", f.Provider, tail)
			}
		}
	}
	obs, err := env.Load(ctx, target)
	if err != nil {
		return Outcome{}, err
	}
	switch {
	case forbidden(obs):
		ev.Forbidden, ev.StatusAfter = true, obs.Load.Status
		env.Logf("%s signed \"%s\" in and then the page was refused (%d): the account lacks the permission", f.Provider, in.User, obs.Load.Status)
	case !obs.OK() && sentPassword:
		if g, ok := obs.SignIn(); ok && g.AtProvider && obs.Load.HasPassword {
			// Back at the provider's sign-in after signing in: the app did
			// not keep the sign-in (see the run's cookie findings).
			env.Logf("after signing in at %s the app sent the browser to sign in again", f.Provider)
		}
	}
	return Outcome{
		Action:   action(", then opened the page again"),
		Judged:   obs,
		Evidence: ev,
	}, nil
}

// pageWithoutForm reports a page with no field to fill at all (an error
// page), as opposed to a form fix401 does not recognise.
func pageWithoutForm(l *browser.Load) bool {
	return l.LoginForm == nil && !l.HasPassword && !l.IdentifierOnly && !l.OneTimeCode
}

// ProxyAsked reports whether a proxy the browser uses challenged the load
// (a 407 from the site itself is no proxy's).
func ProxyAsked(o *Observation) bool {
	for _, a := range o.Load.Auth {
		if a.Proxy {
			return true
		}
	}
	return false
}

// proxyLogin answers a proxy's 407 with --proxy-user's credentials, and
// the site's own challenge behind it, if any, with --user's: each
// challenger gets only its own.
func proxyLogin(ctx context.Context, env Env, in Inputs) (Outcome, error) {
	env.Session().SetCredentials(&browser.Credentials{User: in.User, Password: in.Password,
		ProxyUser: in.ProxyUser, ProxyPassword: in.ProxyPassword})
	obs, err := env.Load(ctx, env.Target())
	if err != nil {
		return Outcome{}, err
	}
	ev := ReloginEvidence{Method: "proxy", ProxyUser: in.ProxyUser, User: in.User}
	var proxySchemes, siteSchemes []string
	proxyAnswered, siteAnswered := false, false
	for _, a := range obs.Load.Auth {
		sc := schemeTitle(a.Scheme)
		if a.Proxy {
			proxyAnswered = proxyAnswered || a.Answer == "credentials"
			if !contains(proxySchemes, sc) {
				proxySchemes = append(proxySchemes, sc)
			}
		} else {
			siteAnswered = siteAnswered || a.Answer == "credentials"
			if !contains(siteSchemes, sc) {
				siteSchemes = append(siteSchemes, sc)
			}
		}
	}
	ev.Schemes = strings.Join(append(append([]string{}, proxySchemes...), siteSchemes...), ", ")
	action := fmt.Sprintf("Answered the proxy's %s challenge as \"%s\" with the password from FIX401_PROXY_PASSWORD", orNone(proxySchemes), in.ProxyUser)
	switch {
	case obs.Verdict.Kind == judge.Proxy407 && proxyAnswered:
		ev.ProxyCredentialsRejected = true
		env.Logf("the proxy rejected the proxy user name or password for \"%s\"", in.ProxyUser)
	case obs.Load.Status == 401 && siteAnswered:
		ev.CredentialsRejected = true
		env.Logf("the proxy let the browser through; the site rejected the user name or password for \"%s\"", in.User)
	case obs.Load.Status == 401:
		env.Logf("the proxy let the browser through; the site asks for a sign-in of its own (give --user)")
	case forbidden(obs) && siteAnswered:
		ev.Forbidden, ev.StatusAfter = true, obs.Load.Status
	}
	if siteAnswered {
		action += fmt.Sprintf(", and the site's %s challenge as \"%s\" with the supplied password", orNone(siteSchemes), in.User)
	}
	return Outcome{Action: action + ".", Judged: obs, Evidence: ev}, nil
}

func orNone(schemes []string) string {
	if len(schemes) == 0 {
		return "(none was sent)"
	}
	return strings.Join(schemes, ", ")
}

// kerberosSite says whether relogin signs in with a Kerberos ticket: the
// user is a principal (alice@REALM, DOMAIN\alice) and the server offers
// Negotiate with no password scheme beside it.
func kerberosSite(env Env, in Inputs) bool {
	if _, ok := kerberos.Principal(in.User); !ok || in.LoginURL != "" || in.GOOS == "windows" {
		return false
	}
	b := env.Baseline()
	if b == nil {
		return false
	}
	res := challenge.Parse(b.Load.Header.Values("WWW-Authenticate")...)
	_, negotiate := res.Find("Negotiate")
	_, basic := res.Find("Basic")
	_, digest := res.Find("Digest")
	return negotiate && !basic && !digest
}

// kerberosLogin gets a ticket for the principal into a ticket cache of the
// run's own (kinit, the password on its stdin) and opens a browser that
// uses that cache: the user's own tickets are not touched.
func kerberosLogin(ctx context.Context, env Env, in Inputs) (Outcome, error) {
	principal, _ := kerberos.Principal(in.User)
	dir, err := env.Scratch()
	if err != nil {
		return Outcome{}, err
	}
	cache := "FILE:" + filepath.Join(dir, "krb5cc")
	ev := ReloginEvidence{Method: "kerberos", User: principal, Schemes: "Negotiate"}
	if err := kerberos.Kinit(ctx, in.Runner, principal, in.Password, cache); err != nil {
		var ke *kerberos.KinitError
		if !errors.As(err, &ke) {
			return Outcome{}, err
		}
		ev.KDCAnswer = ke.Answer
		if !ke.Rejected {
			return Outcome{}, err
		}
		ev.CredentialsRejected = true
		env.Logf("the Kerberos KDC refused \"%s\": %s", principal, ke.Answer)
		return Outcome{
			Action:   fmt.Sprintf("Asked the Kerberos KDC for a ticket for %s (kinit, into a ticket cache of fix401's own); it refused: %s.", principal, ke.Answer),
			Summary:  "kinit refused: " + ke.Answer,
			NoLoad:   true,
			Evidence: ev,
		}, nil
	}
	err = env.Relaunch(ctx, func(o *browser.Options) {
		o.Env = append(o.Env, "KRB5CCNAME="+cache)
	})
	if errors.Is(err, browser.ErrRemote) {
		return Outcome{Skip: "the browser is remote: it cannot use a Kerberos ticket cache of this machine", NoLoad: true}, nil
	}
	if err != nil {
		return Outcome{}, err
	}
	obs, err := env.Load(ctx, env.Target())
	if err != nil {
		return Outcome{}, err
	}
	if !obs.OK() && obs.Load.Status == 401 {
		ev.CredentialsRejected = true
		env.Logf("the server did not accept the Kerberos ticket of \"%s\"", principal)
	}
	return Outcome{
		Action:   fmt.Sprintf("Got a Kerberos ticket for %s (kinit, into a ticket cache of fix401's own, leaving this machine's tickets as they were) and opened the page in a browser that uses it.", principal),
		Judged:   obs,
		Evidence: ev,
	}, nil
}

func formLogin(ctx context.Context, env Env, in Inputs, loginURL string) (Outcome, error) {
	s := env.Session()
	if _, err := env.Load(ctx, loginURL); err != nil {
		return Outcome{}, err
	}
	after, err := s.SubmitLogin(ctx, browser.LoginForm{
		User: in.User, Password: in.Password, UserSel: in.UserSel, PasswordSel: in.PasswordSel, SubmitSel: in.SubmitSel,
	}, browser.LoadOptions{})
	if errors.Is(err, browser.ErrNoLoginForm) {
		return Outcome{}, fmt.Errorf("no login form at %s (no password field); give the selectors with --user-selector and --password-selector", loginURL)
	}
	if err != nil {
		return Outcome{}, err
	}
	ev := ReloginEvidence{Method: "form", User: in.User, LoginURL: redact.URL(loginURL)}
	obs, err := env.Load(ctx, env.Target())
	if err != nil {
		return Outcome{}, err
	}
	if forbidden(obs) && !after.HasPassword {
		ev.Forbidden, ev.StatusAfter = true, obs.Load.Status
		env.Logf("the login form took \"%s\" and then the page was refused (%d): the account lacks the permission", in.User, obs.Load.Status)
	} else if !obs.OK() && after.HasPassword {
		ev.CredentialsRejected = true
		env.Logf("the login form did not accept the user name or password for \"%s\"", in.User)
	}
	return Outcome{
		Action:   fmt.Sprintf("Signed in again at %s as \"%s\", then opened the page.", loginURL, in.User),
		Judged:   obs,
		Evidence: ev,
	}, nil
}

// unanswerable says why a password cannot answer the failing page's
// challenges ("" when one can): a browser answers Basic, Digest and NTLM
// with a user and password, but Negotiate needs a Kerberos ticket and
// Bearer a token.
func unanswerable(b *Observation) string {
	if b == nil {
		return ""
	}
	res := challenge.Parse(b.Load.Header.Values("WWW-Authenticate")...)
	if len(res.Challenges) == 0 {
		return ""
	}
	var others []string
	for _, c := range res.Challenges {
		switch strings.ToLower(c.Scheme) {
		case "basic", "digest", "ntlm":
			return ""
		default:
			others = append(others, c.Scheme)
		}
	}
	for _, o := range others {
		switch strings.ToLower(o) {
		case "negotiate", "kerberos":
			return "the server asks for " + strings.Join(others, ", ") + ", which a password cannot answer in a browser: give the user as a Kerberos principal (--user alice@REALM) so that fix401 gets a ticket with kinit"
		case "bearer":
			return "the server asks for a bearer token, which a password cannot answer: give the token with --bearer-token-env, or the sign-in page with --login-url"
		}
	}
	return "the server asks for " + strings.Join(others, ", ") + ", which a browser cannot answer with a user name and password"
}

// forbidden reports whether a load was refused for want of permission:
// a 403 (or a page that says so) after the credentials were taken.
func forbidden(o *Observation) bool {
	return o.Verdict.Kind == judge.Forbidden403
}

// answered reports whether credentials were given to an auth challenge.
func answered(o *Observation) bool {
	for _, a := range o.Load.Auth {
		if a.Answer == "credentials" {
			return true
		}
	}
	return false
}

func authSchemes(o *Observation) string {
	var out []string
	for _, a := range o.Load.Auth {
		if sc := schemeTitle(a.Scheme); !contains(out, sc) && sc != "" {
			out = append(out, sc)
		}
	}
	if len(out) == 0 {
		return "none was sent"
	}
	return strings.Join(out, ", ")
}

// schemeTitle spells a scheme as servers and RFCs do: Chromium reports
// them in lower case.
func schemeTitle(s string) string {
	switch strings.ToLower(s) {
	case "basic":
		return "Basic"
	case "digest":
		return "Digest"
	case "ntlm":
		return "NTLM"
	case "negotiate":
		return "Negotiate"
	}
	return s
}

// ViaProxy is "try another network or a VPN": the same page through the
// proxy the person named.
type ViaProxy struct{}

func (ViaProxy) ID() string    { return "via-proxy" }
func (ViaProxy) Title() string { return "Another network (proxy)" }
func (ViaProxy) Help() string {
	return `loads the page through --proxy: the "try another network or a VPN" advice`
}

// Needs: a proxy to go through.
func (ViaProxy) Needs() Needs { return Needs{Proxy: true} }

// FixedPhrase names the step as the object of "fixed by".
func (ViaProxy) FixedPhrase() string { return "another network (the proxy)" }

// ByHand is what a person does in each browser to repeat the step.
func (ViaProxy) ByHand() map[string][]string {
	return map[string][]string{
		"Chrome": {
			"Connect the company VPN (or disconnect it if it was on), or try another network such as a phone hotspot",
			"Chrome uses the system proxy: Settings > System > Open your computer's proxy settings",
			"Reload the page",
		},
		"Edge": {
			"Connect the company VPN (or disconnect it if it was on), or try another network such as a phone hotspot",
			"Edge uses the system proxy: Settings > System and performance > Open your computer's proxy settings",
			"Reload the page",
		},
		"Firefox": {
			"Connect the company VPN (or disconnect it if it was on), or try another network such as a phone hotspot",
			"Check the proxy: Settings > General > Network Settings > Settings…",
			"Reload the page",
		},
		"Safari": {
			"Connect the company VPN (or disconnect it if it was on), or try another network such as a phone hotspot",
			"Safari uses the system proxy: System Settings > Network > (the network) > Details > Proxies",
			"Reload the page",
		},
	}
}

func (ViaProxy) Run(ctx context.Context, env Env) (Outcome, error) {
	p := env.Inputs().Proxy
	if p == "" {
		return Outcome{Skip: "no --proxy given"}, nil
	}
	if err := env.UseProxy(ctx, p); err != nil {
		return Outcome{}, err
	}
	return Outcome{Action: fmt.Sprintf("Loaded the page through the proxy %s, as from another network.", p)}, nil
}

// ReloginEvidence is what relogin records: how it signed in, never with
// what secret.
type ReloginEvidence struct {
	Method    string `json:"method"`               // bearer, http-challenge, kerberos or form
	User      string `json:"user,omitempty"`       // the user name (not a secret)
	Origin    string `json:"origin,omitempty"`     // where the bearer token went
	Schemes   string `json:"schemes,omitempty"`    // the challenges answered
	LoginURL  string `json:"login_url,omitempty"`  // the form filled, redacted
	KDCAnswer string `json:"kdc_answer,omitempty"` // kinit's answer when it failed
	ProxyUser string `json:"proxy_user,omitempty"` // the proxy user name (not a secret)
	// ProxyCredentialsRejected: the proxy answered 407 again to them.
	ProxyCredentialsRejected bool `json:"proxy_credentials_rejected,omitempty"`
	CredentialsRejected      bool `json:"credentials_rejected,omitempty"`
	// Forbidden: the credentials were taken, and the account may not see
	// the page (a 403 after sign-in).
	Forbidden   bool `json:"forbidden,omitempty"`
	StatusAfter int  `json:"status_after,omitempty"`
	// HandshakeFailed: an NTLM exchange ended before the password was sent.
	HandshakeFailed bool  `json:"handshake_failed,omitempty"` // the page's status after signing in
	ChallengeSeen   *bool `json:"challenge_seen,omitempty"`   // false: no challenge to answer
	// Provider and Protocol: the identity provider signed in at (sso).
	Provider string `json:"provider,omitempty"`
	Protocol string `json:"protocol,omitempty"`
	// Pages are the provider's pages filled, in order: "identifier",
	// "password", and where it stopped ("one-time code").
	Pages []string `json:"pages,omitempty"`
	// MFARequired: the provider asked for a second factor after the
	// password, which fix401 cannot give.
	MFARequired bool `json:"mfa_required,omitempty"`
}
