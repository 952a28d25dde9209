package agent

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/judge"
	"github.com/fix401/fix401/internal/redact"
	"github.com/fix401/fix401/internal/sso"
	"github.com/fix401/fix401/reports"
)

// maxSkew is how far a server's clock may be from this machine's before
// it is worth saying: token lifetimes allow a few minutes of leeway.
const maxSkew = 5 * time.Minute

// loopHosts are a loop's hosts in the order it visits them.
func loopHosts(cycle []string) []string {
	var out []string
	for _, c := range cycle {
		h := strings.SplitN(c, "/", 2)[0]
		if !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out
}

// ssoFindings are what the run saw of single sign-on: the sign-in page
// the app sent the browser to, a redirect loop, cookies the browser
// refused, the provider's errors, tokens out of their time and clocks
// that disagree. They come from the requests themselves, never from a
// token's or cookie's value.
func ssoFindings(r *run, v judge.Verdict) []reports.Finding {
	var out []reports.Finding
	b := r.baseline
	flow, ok := b.Load.SignInFlow()
	failed := r.report.Outcome != reports.Fixed && r.report.Outcome != reports.Healthy
	if lf, found := firstLoop(r); found && (!ok || flow.Loop == nil) {
		out = append(out, loopFinding(lf))
	}
	switch {
	case ok && flow.Loop != nil:
		out = append(out, loopFinding(flow))
	case ok && flow.AtProvider && v.Kind == judge.Soft401 && len(flow.Errors) == 0 && b.Load.Status < 400 && !pageHasError(b.Load):
		ev := map[string]any{"provider": flow.Provider, "app": flow.App, "sign_in_page": sso.HostPath(b.Load.FinalURL)}
		if flow.Protocol != "" {
			ev["protocol"] = flow.Protocol
		}
		if flow.ProviderPath != "" {
			ev["request"] = flow.Provider + flow.ProviderPath
		}
		title := fmt.Sprintf("The page sends the browser to sign in at %s", flow.Provider)
		if flow.Protocol != "" {
			title += " (" + flow.Protocol + ")"
		}
		sev := reports.Cause
		pages, _ := r.stepEvidence("relogin", "pages").([]string)
		rejected := r.credentialsRejected()
		switch {
		case r.report.Outcome == reports.Fixed && fixedBy(r) != "relogin":
			sev = reports.Notice
		case slices.Contains(pages, "password") && !rejected && r.report.Outcome != reports.Fixed:
			// relogin signed in at the provider and the page still
			// failed: being asked to sign in was not what broke it.
			sev = reports.Notice
		}
		out = append(out, reports.Finding{ID: reports.FindingSSOSignInRequired, Severity: sev, Title: title + ".",
			Detail:   "The app signs users in through an identity provider: nobody is signed in there in this browser (or the session expired), so the provider shows its sign-in page. Signing in there is the fix (fix401 does so with --user).",
			Evidence: ev})
	}
	out = append(out, providerErrors(r, flow, ok)...)
	out = append(out, blockedCookies(r, failed)...)
	out = append(out, tokenTimes(r, failed)...)
	out = append(out, clockSkew(r, failed)...)
	if mfa, _ := r.stepEvidence("relogin", "mfa_required").(bool); mfa {
		ev := map[string]any{}
		if p, ok := r.stepEvidence("relogin", "provider").(string); ok && p != "" {
			ev["provider"] = p
		}
		if u := r.cfg.Inputs.User; u != "" {
			ev["user"] = u
		}
		out = append(out, reports.Finding{ID: reports.FindingMFARequired, Severity: reports.Cause,
			Title:    "The identity provider asks for a second factor: fix401 stopped there.",
			Detail:   "The user name and password were accepted; the provider then asked for a one-time code (an authenticator app, a text message or a security key), which only the user can give. Sign in by hand to finish.",
			Evidence: ev})
	}
	return out
}

// firstLoop is the first load of the run whose sign-in went round in
// circles: a loop often shows only once the provider has a session (after
// relogin signed in).
func firstLoop(r *run) (sso.Flow, bool) {
	for _, o := range r.observed {
		if f, ok := o.Load.SignInFlow(); ok && f.Loop != nil {
			return f, true
		}
	}
	return sso.Flow{}, false
}

func loopFinding(flow sso.Flow) reports.Finding {
	hosts := loopHosts(flow.Loop.Cycle)
	ev := map[string]any{"cycle": flow.Loop.Cycle, "rounds": flow.Loop.Rounds, "hosts": hosts}
	title := fmt.Sprintf("The sign-in redirects between %s repeat: the browser went round %d times.", strings.Join(hosts, " and "), flow.Loop.Rounds)
	if flow.Loop.GaveUp {
		ev["stopped_by"] = "browser"
		title = fmt.Sprintf("The sign-in redirects between %s repeat until the browser gives up (%d rounds).", strings.Join(hosts, " and "), flow.Loop.Rounds)
	}
	if flow.Protocol != "" {
		ev["protocol"] = flow.Protocol
	}
	return reports.Finding{ID: reports.FindingSSORedirectLoop, Severity: reports.Cause, Title: title,
		Detail:   "The provider signs the user in and sends the browser back, but the app does not keep the sign-in and sends it to the provider again. Usually the app's session cookie is refused or lost (see cookie_blocked), or the app's and the provider's addresses disagree (http behind an https proxy, another host name).",
		Evidence: ev}
}

func fixedBy(r *run) string {
	if r.report.FixedBy == nil {
		return ""
	}
	return *r.report.FixedBy
}

// pageHasError reports that a provider's page is an error page.
func pageHasError(l *browser.Load) bool {
	_, ok := providerPageError(l)
	return ok
}

// errorWords are how providers' error pages title themselves ("Metadata
// not found", "Sorry, but we're having trouble signing you in", "oops!
// something went wrong").
var errorWords = regexp.MustCompile(`(?i)\b(error|errors|not found|failed|failure|invalid|denied|unable|problem|went wrong|trouble|expired|unknown|cannot|can't|not allowed|not authorized)\b`)

// callbackRefused reports that a load which ended at the app's address
// for the provider's answer shows the app refusing it: an error status,
// an error the provider sent, or an error heading. A single-page app
// whose return address is its own page ends there when all went well.
func callbackRefused(l *browser.Load, f sso.Flow) bool {
	return l.Status >= 400 || len(f.Errors) > 0 || errorHeading(l) != ""
}

// errorHeading is the page's title or heading that reads as an error, "".
func errorHeading(l *browser.Load) string {
	for _, h := range append([]string{l.Title}, l.Headings...) {
		if h = strings.TrimSpace(h); h != "" && len(h) <= 120 && errorWords.MatchString(h) {
			return h
		}
	}
	return ""
}

// providerPageError is the error a provider's page shows: a code it names
// (OAuth 2's, Entra ID's AADSTS…), else its error heading, else its status
// when it answered 4xx/5xx. A page with a sign-in form is none: providers
// show "wrong password" above the form.
func providerPageError(l *browser.Load) (sso.ProviderError, bool) {
	form := l.HasPassword || l.IdentifierOnly || l.OneTimeCode
	if form && l.Status < 400 {
		return sso.ProviderError{}, false
	}
	if pe, ok := sso.PageError(l.Title + "\n" + l.Text); ok {
		return pe, true
	}
	if h := errorHeading(l); h != "" {
		return sso.ProviderError{Code: h}, true
	}
	if l.Status >= 400 {
		return sso.ProviderError{Code: statusPhrase(l.Status)}, true
	}
	return sso.ProviderError{}, false
}

// providerErrors are the provider's error answers: carried back to the app
// (OAuth 2 error, SAML status), or shown on its own page.
func providerErrors(r *run, baseFlow sso.Flow, baseOK bool) []reports.Finding {
	var out []reports.Finding
	seen := map[string]bool{}
	add := func(host, proto, code, desc, meaning, where string) {
		key := host + " " + code
		if seen[key] {
			return
		}
		seen[key] = true
		ev := map[string]any{"provider": host, "error": code, "where": where}
		if proto != "" {
			ev["protocol"] = proto
		}
		if desc != "" {
			ev["description"] = redact.Text(desc)
		}
		if meaning != "" {
			ev["meaning"] = meaning
		}
		title := fmt.Sprintf("The identity provider %s answered with an error: %s.", host, code)
		if meaning != "" {
			title = fmt.Sprintf("The identity provider %s answered with an error: %s — %s.", host, code, meaning)
		}
		out = append(out, reports.Finding{ID: reports.FindingIdPError, Severity: reports.Cause, Title: title,
			Detail:   "The provider refused the sign-in for a reason of its own, which no browser remedy changes: the app's or the provider's administrators fix it (the app's registration at the provider, its redirect address, the account's access).",
			Evidence: ev})
	}
	// The provider's own error page, where a load ended.
	for _, o := range r.observed {
		f, ok := o.Load.SignInFlow()
		if !ok || !f.AtProvider {
			continue
		}
		if pe, found := providerPageError(o.Load); found {
			add(f.Provider, f.Protocol, pe.Code, pe.Description, pe.Meaning, "the provider's page")
		}
	}
	// Errors sent back to the app, in the run's page loads.
	for _, q := range r.requests() {
		for _, h := range q.Hops() {
			m := h.SSO
			if m == nil || m.Role != sso.Response || !m.Failed() || !h.Document || silentSignIn[m.Error] {
				continue
			}
			from := providerOf(q, h, baseFlow, baseOK)
			if from == "" {
				continue // no provider seen: an app's own ?error= parameter
			}
			code, meaning := m.Error, sso.OAuthMeaning(m.Error)
			if pe, ok := sso.PageError(m.Description); ok && strings.HasPrefix(pe.Code, "AADSTS") {
				// Entra ID puts its own code in error_description.
				code, meaning = m.Error+" "+pe.Code, pe.Meaning
			}
			if m.StatusCode != "" {
				code, meaning = "SAML StatusCode "+m.StatusCode, sso.SAMLMeaning(m.StatusCode)
			}
			add(from, m.Protocol, code, m.Description, meaning, "sent back to "+hostOf(h.URL))
		}
	}
	return out
}

// silentSignIn are the errors a provider answers a sign-in asked not to
// show a page with (prompt=none, a hidden frame's renewal): "the user must
// sign in", which sso_sign_in_required says better.
var silentSignIn = map[string]bool{"login_required": true, "interaction_required": true,
	"consent_required": true, "account_selection_required": true}

// providerOf names the provider a response came from: the host of the hop
// before it, or the run's provider; "" when the run saw none.
func providerOf(q, h *browser.Request, f sso.Flow, ok bool) string {
	hops := q.Hops()
	for i, x := range hops {
		if x == h && i > 0 && hostOf(hops[i-1].URL) != hostOf(h.URL) {
			return hostOf(hops[i-1].URL)
		}
	}
	if ok && f.Provider != "" {
		return f.Provider
	}
	return ""
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

// blockedCookies are the cookies the browser refused on the run's page
// loads (their document requests: what a sign-in rides on), by name,
// domain and the browser's reason.
func blockedCookies(r *run, failed bool) []reports.Finding {
	type key struct {
		name, domain string
		set          bool
	}
	found := map[key]map[string]any{}
	var order []key
	for _, q := range r.requests() {
		for _, h := range q.Hops() {
			if !h.Document {
				continue // a frame's or a script's: not what the page rides on
			}
			for _, c := range h.BlockedCookies {
				k := key{c.Name, c.Domain, c.Set}
				if _, ok := found[k]; ok {
					continue
				}
				dir := "not sent"
				if c.Set {
					dir = "not stored"
				}
				found[k] = map[string]any{"name": c.Name, "domain": c.Domain, "refused": dir,
					"reasons": c.Reasons, "explained": cookieReason(c.Reasons), "at": sso.HostPath(h.URL)}
				order = append(order, k)
			}
		}
	}
	if len(order) == 0 {
		return nil
	}
	var cookies []map[string]any
	var names []string
	for _, k := range order {
		cookies = append(cookies, found[k])
		if !slices.Contains(names, k.name) {
			names = append(names, k.name)
		}
	}
	first := found[order[0]]
	title := fmt.Sprintf("The browser refused the cookie %s (%s): %s.", names[0], first["refused"], first["explained"])
	if len(names) > 1 {
		title = fmt.Sprintf("The browser refused %d cookies the sign-in uses (%s): %s.", len(names), strings.Join(names, ", "), first["explained"])
	}
	sev := reports.Warning
	if failed {
		sev = reports.Cause
	}
	return []reports.Finding{{ID: reports.FindingCookieBlocked, Severity: sev, Title: title,
		Detail:   "A sign-in keeps its state and its session in cookies: a cookie the browser will not store or send makes the app forget the sign-in (an error after the provider, or a loop back to it). The fix is on the site: the cookie's attributes (Secure, SameSite, Domain), or serving the app over https.",
		Evidence: map[string]any{"cookies": cookies}}}
}

// cookieReason says Chrome's reasons in plain words.
func cookieReason(reasons []string) string {
	var out []string
	for _, r := range reasons {
		if m, ok := cookieReasons[r]; ok {
			out = append(out, m)
		} else {
			out = append(out, r)
		}
	}
	return strings.Join(out, "; ")
}

var cookieReasons = map[string]string{
	"SameSiteNoneInsecure":                     "it is SameSite=None without Secure, which browsers refuse",
	"SameSiteLax":                              "it is SameSite=Lax and the request came from another site (a form the provider posted back to the app)",
	"SameSiteStrict":                           "it is SameSite=Strict and the request came from another site",
	"SameSiteUnspecifiedTreatedAsLax":          "it has no SameSite attribute, so the browser treats it as Lax, and the request came from another site",
	"SchemefulSameSiteLax":                     "it is SameSite=Lax and the request came from another site (a form the provider posted back to the app, or http and https mixed)",
	"SchemefulSameSiteStrict":                  "it is SameSite=Strict and the request came from another site (or http and https mixed)",
	"SchemefulSameSiteUnspecifiedTreatedAsLax": "it has no SameSite attribute, so the browser treats it as Lax, and the request came from another site (or http and https mixed)",
	"SecureOnly":                               "it is marked Secure and the page is not https",
	"DomainMismatch":                           "its Domain attribute does not match the site that set it",
	"InvalidDomain":                            "its Domain attribute is not one this site may set",
	"InvalidPrefix":                            "its __Secure- or __Host- name prefix rules are broken",
	"UserPreferences":                          "the browser's settings block it (third-party cookies blocked)",
	"ThirdPartyPhaseout":                       "the browser blocks third-party cookies",
	"ThirdPartyBlockedInFirstPartySet":         "the browser blocks third-party cookies",
	"NameValuePairExceedsMaxSize":              "it is larger than the 4 KB browsers accept",
	"SyntaxError":                              "the Set-Cookie header does not parse",
	"SchemeNotSupported":                       "cookies are not allowed for this address's scheme",
	"OverwriteSecure":                          "an http page may not overwrite a Secure cookie",
	"DisallowedCharacter":                      "it has a character cookies may not hold",
	"NoCookieContent":                          "it is empty",
	"ExceedsMaxSize":                           "it is larger than browsers accept",
	"PortMismatch":                             "it was set for another port",
	"SchemeMismatch":                           "it was set for another scheme",
	"AnonymousContext":                         "the request carries no cookies (an anonymous request)",
	"SameSitePartyContextMismatch":             "the page's sites do not allow it",
	"ThirdPartyBlockedBySettings":              "the browser's settings block third-party cookies",
	"UnknownError":                             "the browser refused it for a reason it did not give",
}

// tokenTimes checks the tokens that passed through the browser (an
// id_token in a form post, a SAML assertion's conditions), the bearer
// tokens the page sent, and the supplied one, against this machine's
// clock and the server's.
func tokenTimes(r *run, failed bool) []reports.Finding {
	var out []reports.Finding
	seen := map[string]bool{}
	check := func(t sso.TokenTimes, at time.Time, serverDate time.Time, where string) {
		var problem string
		var ev = map[string]any{"token": t.Kind, "where": where}
		if !t.IssuedAt.IsZero() {
			ev["issued_at"] = t.IssuedAt.UTC().Format(time.RFC3339)
		}
		if !t.NotBefore.IsZero() {
			ev["not_before"] = t.NotBefore.UTC().Format(time.RFC3339)
		}
		if !t.Expires.IsZero() {
			ev["expires"] = t.Expires.UTC().Format(time.RFC3339)
		}
		ev["checked_at"] = at.UTC().Format(time.RFC3339)
		if !serverDate.IsZero() {
			ev["server_date"] = serverDate.UTC().Format(time.RFC3339)
		}
		clock := "this machine's clock"
		if r.recording != nil {
			clock = "the clock of the machine that recorded it"
		}
		now := at
		if !serverDate.IsZero() && (!t.Expires.IsZero() && serverDate.After(t.Expires) || !t.NotBefore.IsZero() && serverDate.Before(t.NotBefore)) {
			now, clock = serverDate, "the server's clock"
		}
		switch {
		case !t.Expires.IsZero() && !now.Before(t.Expires):
			problem = fmt.Sprintf("had expired %s before it was used (by %s)", span(now.Sub(t.Expires)), clock)
		case !t.NotBefore.IsZero() && now.Before(t.NotBefore):
			problem = fmt.Sprintf("was not valid yet: it starts %s after it was used (by %s)", span(t.NotBefore.Sub(now)), clock)
		default:
			return
		}
		key := t.Kind + where
		if seen[key] {
			return
		}
		seen[key] = true
		sev := reports.Warning
		if failed {
			sev = reports.Cause
		}
		title := fmt.Sprintf("The %s %s %s.", t.Kind, where, problem)
		if !t.IssuedAt.IsZero() && !t.Expires.IsZero() {
			ev["lifetime_s"] = int(t.Expires.Sub(t.IssuedAt).Seconds())
		}
		out = append(out, reports.Finding{ID: reports.FindingTokenExpired, Severity: sev, Title: title,
			Detail:   "A token is only good between its nbf (or iat) and exp times. A token that is out of its time when used is refused: either it is old (sign in again for a new one), or a clock is wrong (the provider's, the app's or this machine's; see clock_skew), or its lifetime is shorter than the clocks' difference.",
			Evidence: ev})
	}
	for _, q := range r.requests() {
		for _, h := range q.Hops() {
			if h.SSO == nil {
				continue
			}
			for _, t := range h.SSO.Tokens {
				check(t, h.Started, serverDate(h.ResponseHdr), "the provider sent to "+hostOf(h.URL))
			}
		}
	}
	// Bearer JWTs the page's own requests sent.
	for _, o := range r.observed {
		for _, q := range o.Load.Requests {
			a := q.RequestHdr.Get("Authorization")
			scheme, tok, _ := strings.Cut(a, " ")
			if !strings.EqualFold(scheme, "Bearer") {
				continue
			}
			if t, ok := sso.JWTTimes(tok); ok && tok != r.cfg.Inputs.BearerToken {
				t.Kind = "bearer token"
				check(t, q.Started, serverDate(q.ResponseHdr), "the page sent to "+hostOf(q.URL))
			}
		}
	}
	// Tokens single-page apps keep in their storage.
	for _, o := range r.observed {
		for _, st := range o.Load.StoredTokens {
			at := func(f float64) time.Time {
				if f <= 0 {
					return time.Time{}
				}
				return time.Unix(int64(f), 0).UTC()
			}
			t := sso.TokenTimes{Kind: "token", IssuedAt: at(st.Iat), NotBefore: at(st.Nbf), Expires: at(st.Exp)}
			check(t, o.Load.Started, serverDate(o.Load.Header), "the page keeps in its "+st.Store)
		}
	}
	if tok := r.cfg.Inputs.BearerToken; tok != "" {
		if t, ok := sso.JWTTimes(tok); ok {
			t.Kind = "supplied bearer token"
			var date time.Time
			if b := r.baseline; b != nil {
				date = serverDate(b.Load.Header)
			}
			check(t, r.cfg.Now(), date, "(--bearer-token-env)")
		}
	}
	return out
}

// clockSkew compares each server's Date with this machine's clock when the
// answer came.
func clockSkew(r *run, failed bool) []reports.Finding {
	type skew struct {
		host       string
		server, us time.Time
	}
	byHost := map[string]skew{}
	for _, q := range r.requests() {
		for _, h := range q.Hops() {
			d := serverDate(h.ResponseHdr)
			// A cache keeps the origin's Date (with Age): only pages'
			// documents answered by the server itself count.
			if d.IsZero() || !h.Document || h.FromCache || h.ResponseHdr.Get("Age") != "" {
				continue
			}
			// This process's clock, not a remote browser's.
			us := h.Arrived().Add(time.Duration((h.Timing.Blocked + max(h.Timing.DNS, 0) + max(h.Timing.Connect, 0) + max(h.Timing.Send, 0) + max(h.Timing.Wait, 0)) * float64(time.Millisecond)))
			diff := d.Sub(us)
			if diff < 0 {
				diff = -diff
			}
			// Date has one-second resolution; what counts is minutes.
			if diff <= maxSkew {
				continue
			}
			host := hostOf(h.URL)
			if _, ok := byHost[host]; !ok {
				byHost[host] = skew{host, d, us}
			}
		}
	}
	hosts := make([]string, 0, len(byHost))
	for h := range byHost {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	var out []reports.Finding
	for _, h := range hosts {
		s := byHost[h]
		d := s.server.Sub(s.us)
		way := "ahead of"
		if d < 0 {
			way, d = "behind", -d
		}
		sev := reports.Warning
		if failed {
			sev = reports.Cause
		}
		out = append(out, reports.Finding{ID: reports.FindingClockSkew, Severity: sev,
			Title:  fmt.Sprintf("The clock of %s is %s %s %s.", h, span(d), way, r.machine()),
			Detail: "Sign-in tokens and Kerberos tickets are valid for a time window checked against the clock: when the provider's, the app's and the user's clocks differ by more than a few minutes, tokens are refused as expired or not yet valid. The server's administrators (or this machine's, whichever is wrong) should sync it with NTP.",
			Evidence: map[string]any{"host": h, "server_date": s.server.UTC().Format(time.RFC3339),
				"this_machine": s.us.UTC().Truncate(time.Second).Format(time.RFC3339), "offset_s": int(s.server.Sub(s.us).Seconds())}})
	}
	return out
}

func serverDate(h http.Header) time.Time {
	if h == nil {
		return time.Time{}
	}
	t, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		return time.Time{}
	}
	return t
}

// span says a duration the way people say it: "9 min", "2 h 5 min", "40 s".
func span(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		h := int(d.Hours())
		m := int(d.Minutes()) - 60*h
		if m == 0 {
			return fmt.Sprintf("%d h", h)
		}
		return fmt.Sprintf("%d h %d min", h, m)
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// maxHops bounds a chain in the report: a loop's first rounds say it all.
const maxHops = 30

// signInHops is a load's redirect chain for the report when it went
// through a single sign-on: each document request's host and path, its
// status, what it carried of the protocol and which cookies were set or
// refused, by name. Nil for a load that spoke no sign-in protocol.
func signInHops(l *browser.Load) []reports.Hop {
	f, ok := l.SignInFlow()
	if !ok || f.Provider == "" && f.Loop == nil || len(l.Chain) < 2 {
		return nil
	}
	var out []reports.Hop
	for i, q := range l.Chain {
		if i == maxHops {
			break
		}
		u, err := url.Parse(q.URL)
		if err != nil {
			continue
		}
		h := reports.Hop{Host: u.Host, Path: redact.Path(u.EscapedPath()), Method: q.Method, Status: q.Status, Error: q.Failed, Side: "other"}
		if h.Path == "" {
			h.Path = "/"
		}
		switch u.Host {
		case f.App:
			h.Side = "app"
		case f.Provider:
			h.Side = "provider"
		}
		if m := q.SSO; m != nil {
			switch {
			case m.Failed():
				h.Message = m.Describe()
			case m.Role == sso.Request:
				h.Message = m.Protocol + " sign-in request"
			default:
				h.Message = m.Protocol + " answer from the provider"
			}
			h.Message = redact.Text(h.Message)
		}
		for _, sc := range q.ResponseHdr.Values("Set-Cookie") {
			pair, _, _ := strings.Cut(sc, ";")
			name, _, hasName := strings.Cut(pair, "=")
			if !hasName {
				continue // a bare value: nothing of it is shown
			}
			if n := redact.CookieName(strings.TrimSpace(name)); n != "" && !slices.Contains(h.CookiesSet, n) {
				h.CookiesSet = append(h.CookiesSet, n)
			}
		}
		for _, c := range q.BlockedCookies {
			what := "not sent"
			if c.Set {
				what = "not stored"
			}
			e := c.Name + " (" + what + ": " + strings.Join(c.Reasons, ", ") + ")"
			if !slices.Contains(h.CookiesRefused, e) {
				h.CookiesRefused = append(h.CookiesRefused, e)
			}
		}
		out = append(out, h)
	}
	return out
}

// ssoBlocked reports a single sign-on cause that no new password fixes:
// the provider's error, a loop, a refused cookie, a second factor.
func ssoBlocked(fs []reports.Finding) bool {
	for _, f := range fs {
		switch f.ID {
		case reports.FindingIdPError, reports.FindingSSORedirectLoop, reports.FindingMFARequired:
			return true
		case reports.FindingCookieBlocked:
			if f.Severity == reports.Cause {
				return true
			}
		}
	}
	return false
}

// ssoNextSteps say who fixes what the single sign-on findings found: the
// app's administrators, the provider's, the user (a second factor), or
// whoever keeps a clock.
func ssoNextSteps(fs []reports.Finding) []string {
	var out []string
	str := func(f reports.Finding, k string) string { s, _ := f.Evidence[k].(string); return s }
	for _, f := range fs {
		if f.Severity != reports.Cause && f.ID != reports.FindingClockSkew {
			continue
		}
		switch f.ID {
		case reports.FindingSSORedirectLoop:
			out = append(out, "Tell the app's administrators that signing in loops between "+strings.Join(loopHosts(anyStrings(f.Evidence["cycle"])), " and ")+": the app does not keep the sign-in (a session cookie the browser refuses or loses, or an app address behind its proxy that differs from the one users open).")
		case reports.FindingCookieBlocked:
			out = append(out, "Tell the app's administrators which cookie the browser refuses and why (the cookie_blocked finding): the fix is the cookie's attributes (Secure, SameSite, Domain), its size, or serving the app over https.")
		case reports.FindingIdPError:
			msg := "Tell the administrators of the app's sign-in (its registration at " + str(f, "provider") + ") what the provider answered: " + str(f, "error")
			if m := str(f, "meaning"); m != "" {
				msg += " — " + m
			}
			out = append(out, msg+".")
		case reports.FindingMFARequired:
			out = append(out, "Finish the sign-in by hand: the provider asks the user for a second factor (an authenticator app, a text message or a security key).")
		case reports.FindingClockSkew:
			out = append(out, "Have the clock of "+str(f, "host")+" (or of this machine, whichever is wrong) synced with NTP: sign-in tokens are checked against it.")
		case reports.FindingTokenExpired:
			out = append(out, "Sign in again for a fresh token; if a token is already expired right after signing in, a clock is wrong (see clock_skew) or the token's lifetime is too short.")
		}
	}
	return out
}

func anyStrings(v any) []string {
	switch x := v.(type) {
	case []string:
		return x
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// machine names the machine whose clock the times were taken on: this
// one, or for a recording, the one that recorded it.
func (r *run) machine() string {
	if r.recording != nil {
		return "the recording machine's"
	}
	return "this machine's"
}
