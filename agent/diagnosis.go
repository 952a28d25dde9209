package agent

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/challenge"
	"github.com/fix401/fix401/internal/judge"
	"github.com/fix401/fix401/internal/kerberos"
	"github.com/fix401/fix401/internal/netlog"
	"github.com/fix401/fix401/internal/redact"
	"github.com/fix401/fix401/reports"
	"github.com/fix401/fix401/steps"
)

// diagnose explains the baseline failure in plain words.
func diagnose(r *run) reports.Diagnosis {
	d := reports.Diagnosis{Kind: string(judge.None), Challenges: []reports.Challenge{}, NextSteps: []string{}}
	b := r.baseline
	if b == nil {
		d.Kind = string(judge.NetworkError)
		d.Summary = "The page could not be loaded at all, so nothing could be diagnosed."
		if r.report.Error != nil {
			d.Summary = "The run stopped before the page could be loaded: " + *r.report.Error + "."
		}
		d.NextSteps = []string{"Run fix401 again; if it keeps failing, check that the URL is reachable from this machine."}
		return d
	}
	v := b.Verdict
	d.Kind = string(v.Kind)
	if b.Load.Status > 0 {
		d.Status = new(b.Load.Status)
	}
	if intermittent, _ := r.stepEvidence("reproduce", "intermittent").(bool); intermittent {
		d.Intermittent = true
	}

	// The challenge: the document's own, or the failing sub-request's.
	hdr, name := b.Load.Header, "WWW-Authenticate"
	if v.Kind == judge.Proxy407 {
		name = "Proxy-Authenticate"
	}
	if v.Kind == judge.Subresource401 {
		hdr = failingHeader(b, v)
	}
	lines := slices.Clone(hdr.Values(name))
	for i := range lines {
		// A server may echo the token it refused (error_description):
		// masked before it is parsed, so no part of the report has it.
		// Only what the traffic carried (tokens, cookies, 8 characters or
		// more): the baseline's challenge came before any supplied
		// password was sent, and a password that is a word of the realm
		// must not garble it.
		lines[i] = redact.Literal(lines[i], append(slices.Clone(r.cfg.StateSecrets), r.seen...)...)
	}
	if len(lines) > 0 {
		res := challenge.Parse(lines...)
		d.Header = name
		d.HeaderLines = lines
		d.HeaderValid = new(res.Valid)
		d.HeaderError = res.Error
		for _, c := range res.Challenges {
			d.Challenges = append(d.Challenges, reports.Challenge{Scheme: c.Scheme, Token68: c.Token68, Params: c.Params})
		}
		d.Explanations = challenge.Describe(res)
		d.Warnings = append(d.Warnings, res.Warnings...)
		if code, desc := res.BearerError(); code != "" {
			d.BearerError = new(code)
			if desc != "" {
				d.BearerDesc = new(desc)
			}
		}
	}
	if v.IISSubstatus != "" {
		d.IISSubstatus = new(v.IISSubstatus)
		d.IISMeaning = judge.IISMeaning(v.IISSubstatus)
	}
	if s, ok := retryAfter(hdr.Get("Retry-After"), r.cfg.Now()); ok {
		d.RetryAfterS = new(s)
	}
	if secs, ok := r.stepEvidence("reload", "retry_after_s").(int); ok && d.RetryAfterS == nil {
		d.RetryAfterS = new(secs)
	}
	noChallenge := (v.Kind == judge.HTTP401 || v.Kind == judge.Subresource401) && len(lines) == 0
	if f, ok := b.Load.SignInFlow(); ok && f.Provider != "" && v.Kind == judge.HTTP401 {
		// An app that signs in through a provider answers its own 401
		// (an error after the provider's answer) without a challenge, by
		// design: nothing for a browser to answer.
		noChallenge = false
	}
	if noChallenge && b.Load.LoginForm != nil && v.Kind == judge.HTTP401 {
		// A 401 page that is a sign-in form (Apache mod_auth_form's
		// ErrorDocument 401): the form is how to sign in, not a bug.
		noChallenge = false
		d.Warnings = append(d.Warnings, "the server answered 401 without a WWW-Authenticate header and with a sign-in form on the page: the site signs in with its own form (as Apache mod_auth_form does), not with an HTTP challenge")
	}
	if noChallenge {
		d.Warnings = append(d.Warnings, "the server answered 401 without a WWW-Authenticate header, which RFC 9110 §15.5.2 requires: a server bug worth reporting to the site owner")
	}
	if r.recording != nil && r.recording.noBodies {
		d.Warnings = append(d.Warnings, "the recording keeps no page bodies (exported without content): a page that answers 200 with a sign-in or access-denied page cannot be told from it; export the HAR with content")
	}
	if r.recording != nil && r.recording.sanitized {
		d.Warnings = append(d.Warnings, "the recording has no Cookie, Set-Cookie or Authorization header at all (DevTools' default \"sanitized\" export drops them): whether credentials or a session were sent cannot be told from it")
	}
	if r.recording != nil && !b.Load.SignInLog && b.Load.Status == 401 && (has(d.Challenges, "Negotiate") || has(d.Challenges, "NTLM")) {
		d.Warnings = append(d.Warnings, "a HAR does not carry the browser's sign-in log: why integrated sign-in (Negotiate/NTLM) failed cannot be told from it; give fix401 analyze the browser's network log too (chrome://net-export, --netlog), or run fix401 diagnose on the user's machine")
	} else if b.Load.Status == 401 && !b.Load.SignInLog && (has(d.Challenges, "Negotiate") || has(d.Challenges, "NTLM")) {
		d.Warnings = append(d.Warnings, "the browser is remote, so its network log cannot be read: why integrated sign-in (Negotiate/NTLM) failed could not be determined; run fix401 with a local browser on the user's machine to find out")
	}
	d.Findings = findings(r, v, d, noChallenge)
	d.Summary = summary(r, v, d, noChallenge)
	d.NextSteps = nextSteps(r, v, d, noChallenge)
	if r.report.Outcome == reports.Unresolved || r.report.Outcome == reports.NotAuthFailure {
		d.Contact = r.contact
	}
	// fix401's own sentences, built from page data that was masked when
	// it was observed (see maskLoad) and the steps' facts: URLs are
	// redacted, and nothing is searched for the supplied secrets.
	for i := range d.NextSteps {
		d.NextSteps[i] = redact.Text(d.NextSteps[i])
	}
	d.Summary = redact.Text(d.Summary)
	return d
}

// findings names the causes found, under DESIGN.md's stable ids, from
// what the judge and the steps recorded. Evidence holds facts, never a
// secret: URLs are redacted, values of credentials never taken.
func findings(r *run, v judge.Verdict, d reports.Diagnosis, noChallenge bool) []reports.Finding {
	var out []reports.Finding
	add := func(f reports.Finding) { out = append(out, f) }
	b := r.baseline
	if noChallenge {
		ev := map[string]any{"status": 401, "url": redact.URL(b.Load.FinalURL)}
		if v.Kind == judge.Subresource401 && len(v.Failing) > 0 {
			ev["url"] = redact.URL(v.Failing[0].URL)
		}
		// The cause when nothing got past it; otherwise a bug worth
		// reporting beside what really fixed the page.
		sev := reports.Warning
		if r.report.Outcome == reports.Unresolved {
			sev = reports.Cause
		}
		add(reports.Finding{ID: reports.FindingNoChallenge, Severity: sev,
			Title:    "The server answered 401 without a WWW-Authenticate header.",
			Detail:   "RFC 9110 §15.5.2 requires the header: without it no browser can know how to sign in. A server bug worth reporting to the site owner.",
			Evidence: ev})
	}
	if v.Kind == judge.Proxy407 {
		ev := map[string]any{}
		if len(d.Challenges) > 0 {
			ev["schemes"] = schemeNames(d.Challenges)
		}
		title, detail := "A proxy between this machine and the site asks for credentials (407), not the site.",
			"This is for the network team: the proxy settings or the proxy account of this machine."
		// A recording does not say which proxy the browser used.
		if r.recording == nil && !steps.ProxyAsked(b) {
			ev["from_proxy_in_use"] = false
			title = "The page got 407 Proxy Authentication Required, but from no proxy this browser uses."
			detail = "A server that answers 407 although it is not the proxy of this machine, or a proxy that sent no challenge: for the network team, who know this network's proxies."
		}
		add(reports.Finding{ID: reports.FindingProxyAuthRequired, Severity: reports.Cause,
			Title: title, Detail: detail, Evidence: ev})
	}
	if d.Intermittent {
		ev := map[string]any{}
		if kinds, ok := r.stepEvidence("reproduce", "kinds").([]string); ok {
			ev["kinds"] = kinds
		}
		add(reports.Finding{ID: reports.FindingIntermittent, Severity: reports.Warning,
			Title:    "The failure did not repeat on a second load.",
			Detail:   "Something on the server side changes between loads (a restart, a load balancer with one bad node, a rate limit): reloading may seem to fix it for a while.",
			Evidence: ev})
	}
	sub := v.IISSubstatus
	if rateSub := sub == "401.501" || sub == "401.502"; d.RetryAfterS != nil || rateSub {
		ev := map[string]any{}
		title := "The server asks the browser to wait before trying again."
		if d.RetryAfterS != nil {
			ev["retry_after_s"] = *d.RetryAfterS
			title = fmt.Sprintf("The server asks the browser to wait %d s before trying again (Retry-After).", *d.RetryAfterS)
		}
		if rateSub {
			ev["iis_substatus"] = sub
			title = "IIS refuses this client for now (" + sub + "): " + strings.TrimSuffix(judge.IISMeaning(sub), ".") + "."
		}
		sev := reports.Cause
		if r.report.Outcome == reports.Fixed && *r.report.FixedBy != "reload" {
			sev = reports.Notice
		}
		add(reports.Finding{ID: reports.FindingRateLimited, Severity: sev, Title: title, Evidence: ev})
	}
	for _, c := range r.signInCauses(d) {
		fixedBy := ""
		if r.report.FixedBy != nil {
			fixedBy = *r.report.FixedBy
		}
		if r.report.Outcome == reports.Fixed && fixedBy != "integrated-auth" && fixedBy != "relogin" {
			// Another remedy let a browser in without integrated sign-in:
			// what that sign-in lacked was not why the page failed.
			break
		}
		sev := reports.Cause
		method, _ := r.stepEvidence("relogin", "method").(string)
		switch {
		case c.ID == kerberos.NTLMUsed:
			sev = reports.Notice
		case fixedBy == "relogin" && method != "kerberos":
			// Signing in by hand worked: the browser's own sign-in not
			// being allowed is worth knowing, not why it failed.
			sev = reports.Warning
		}
		add(reports.Finding{ID: c.ID, Severity: sev, Title: c.Title, Detail: c.Detail, Evidence: c.Evidence})
	}
	if r.relogRejected() {
		ev := map[string]any{}
		m, _ := r.stepEvidence("relogin", "method").(string)
		if m != "" {
			ev["method"] = m
		}
		title, detail := "The server refused the credentials that were supplied.", "The user name, password or token is wrong, expired or locked, or the account cannot sign in here."
		if m == "form" {
			title = "The sign-in form refused the credentials that were supplied: it came back after they were sent."
		}
		if p, ok := r.stepEvidence("relogin", "provider").(string); ok && m == "sso" {
			ev["provider"] = p
			title = "The identity provider " + p + " refused the user name or password that were supplied: it showed its password page again."
		}
		if answer, ok := r.stepEvidence("relogin", "kdc_answer").(string); ok && answer != "" {
			ev["kdc_answer"] = answer
			title = "The Kerberos KDC refused the credentials that were supplied (kinit: " + answer + ")."
			detail = "The principal or its password is wrong, expired or locked: kinit could not get a ticket, so no browser could sign in with it."
		}
		if sc, ok := r.stepEvidence("relogin", "schemes").(string); ok && sc != "" {
			ev["schemes"] = sc
		}
		if u := r.cfg.Inputs.User; u != "" {
			ev["user"] = u
		}
		add(reports.Finding{ID: reports.FindingCredentialsRejected, Severity: reports.Cause,
			Title: title, Detail: detail, Evidence: ev})
	}
	if rejected, _ := r.stepEvidence(RecordingStep, "credentials_rejected").(bool); rejected {
		ev := map[string]any{}
		for _, k := range []string{"schemes", "url", "status", "method", "host"} {
			if v := r.stepEvidence(RecordingStep, k); v != nil {
				ev[k] = v
			}
		}
		id, title, detail := reports.FindingCredentialsRejected, "The server refused the credentials the browser sent: the request that carried them got the same challenge again.",
			"The user name, password or token is wrong, expired or locked, or the account cannot sign in here."
		if m, _ := r.stepEvidence(RecordingStep, "method").(string); m == "form" {
			title = "The sign-in form at " + fmt.Sprint(r.stepEvidence(RecordingStep, "host")) + " refused the password: the recording shows it posted, and the form came back."
		}
		if proxy, _ := r.stepEvidence(RecordingStep, "proxy").(bool); proxy {
			id, title, detail = reports.FindingProxyCredentialsRejected, "The proxy refused the proxy credentials the browser sent: it asked again (407).",
				"The proxy user name or password is wrong, expired or locked: for the network team, not the site owner."
		}
		add(reports.Finding{ID: id, Severity: reports.Cause, Title: title, Detail: detail, Evidence: ev})
	}
	if rejected, _ := r.stepEvidence("relogin", "proxy_credentials_rejected").(bool); rejected {
		ev := map[string]any{}
		if u := r.cfg.Inputs.ProxyUser; u != "" {
			ev["proxy_user"] = u
		}
		if sc, ok := r.stepEvidence("relogin", "schemes").(string); ok && sc != "" {
			ev["schemes"] = sc
		}
		add(reports.Finding{ID: reports.FindingProxyCredentialsRejected, Severity: reports.Cause,
			Title:    "The proxy refused the proxy credentials that were supplied.",
			Detail:   "The proxy user name or password is wrong, expired or locked, or the account may not use this proxy: for the network team, not the site owner.",
			Evidence: ev})
	}
	if forbidden, _ := r.stepEvidence("relogin", "forbidden").(bool); forbidden {
		ev := map[string]any{}
		if u := r.cfg.Inputs.User; u != "" {
			ev["user"] = u
		}
		if m, ok := r.stepEvidence("relogin", "method").(string); ok {
			ev["method"] = m
		}
		if st, ok := r.stepEvidence("relogin", "status_after").(int); ok {
			ev["status_after_sign_in"] = st
		}
		add(reports.Finding{ID: reports.FindingAuthenticatedButForbidden, Severity: reports.Cause,
			Title:    "The credentials were accepted, but this account may not see the page.",
			Detail:   "The sign-in worked: the server then refused the page to this account (403). The password is not the problem; the account lacks the role or group the page requires. Ask the site's owner or IT for access.",
			Evidence: ev})
	}
	out = append(out, ssoFindings(r, v)...)
	if f, ok := b.Load.SignInFlow(); b.Load.HasPassword && !v.OK && !(ok && f.AtProvider) {
		ev := map[string]any{"page": redact.URL(b.Load.FinalURL)}
		if f := b.Load.LoginForm; f != nil {
			// Where it posts and what it asks for: names, never values.
			ev["action"], ev["method"], ev["fields"] = redact.URL(f.Action), f.Method, f.Fields
		}
		title := "The page shows a sign-in form."
		if !b.Load.Redirected && b.Load.Status == 401 {
			title = "The 401 page itself is a sign-in form."
		}
		add(reports.Finding{ID: reports.FindingLoginForm, Severity: reports.Cause,
			Title:    title,
			Detail:   "The site signs users in with its own form and a session cookie, not with an HTTP challenge: the session is missing or has expired. Sign in with the form (fix401 does so with --user).",
			Evidence: ev})
	}
	return out
}

// signInCauses are why integrated sign-in (Negotiate, NTLM) failed on the
// run's failing loads, from the browser's network log. A remote browser
// gives no log: the diagnosis says what could not be told.
func (r *run) signInCauses(d reports.Diagnosis) []kerberos.Cause {
	if !has(d.Challenges, "Negotiate") && !has(d.Challenges, "NTLM") {
		return nil
	}
	var out []kerberos.Cause
	seen := map[string]bool{}
	ticketKnown := false
	origin := browser.Origin(r.target)
	ticket := kerberos.TicketUnknown
	for _, o := range r.observed {
		if o.OK() || !o.Load.SignInLog {
			continue
		}
		if !ticketKnown && len(o.Load.SignIn) > 0 && r.recording == nil {
			// A recording is another machine's: this one's tickets say
			// nothing of it.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			ticket = kerberos.CheckTicket(ctx, r.cfg.Inputs.Runner, r.cfg.Inputs.GOOS)
			cancel()
			ticketKnown = true
		}
		// Only the target's own sign-in: url-check tries other hosts.
		var own []netlog.Attempt
		for _, a := range o.Load.SignIn {
			if a.Origin == "" || a.Origin == origin {
				own = append(own, a)
			}
		}
		for _, c := range kerberos.Explain(own, o.Load.Status, ticket) {
			if !seen[c.ID] {
				seen[c.ID] = true
				out = append(out, c)
			}
		}
	}
	// How the page was let in, when it was: NTLM rather than Kerberos.
	for _, o := range r.observed {
		if o.OK() {
			if c := kerberos.UsedNTLM(o.Load.SignIn); c != nil && !seen[c.ID] {
				seen[c.ID] = true
				out = append(out, *c)
			}
		}
	}
	return out
}

func schemeNames(cs []reports.Challenge) []string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.Scheme)
	}
	return out
}

// failingHeader returns the headers of the first sub-request that got a 401.
func failingHeader(b *steps.Observation, v judge.Verdict) http.Header {
	for _, f := range v.Failing {
		for _, q := range b.Load.Requests {
			if q.URL == f.URL && q.Status == f.Status && q.ResponseHdr != nil {
				return q.ResponseHdr
			}
		}
	}
	return http.Header{}
}

// relogRejected: relogin sent the supplied credentials and the server
// refused them.
func (r *run) relogRejected() bool {
	rejected, _ := r.stepEvidence("relogin", "credentials_rejected").(bool)
	return rejected
}

// credentialsRejected: credentials were refused, by relogin's test or, in
// a recording, where a request that carried them met the challenge again.
func (r *run) credentialsRejected() bool {
	rejected, _ := r.stepEvidence(RecordingStep, "credentials_rejected").(bool)
	return rejected || r.relogRejected()
}

func (r *run) stepEvidence(step, key string) any {
	for _, s := range r.report.Steps {
		if s.ID == step {
			return s.Evidence[key]
		}
	}
	return nil
}

// retryAfter reads Retry-After as delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
func retryAfter(v string, now time.Time) (int, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return n, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, int(t.Sub(now).Round(time.Second).Seconds())), true
	}
	return 0, false
}

func statusPhrase(status int) string {
	if status == 0 {
		return "no response"
	}
	return fmt.Sprintf("%d %s", status, http.StatusText(status))
}

func summary(r *run, v judge.Verdict, d reports.Diagnosis, noChallenge bool) string {
	var what string
	switch v.Kind {
	case judge.None:
		if r.recording != nil {
			s := "The recording shows no authentication failure: its page loaded normally (" + statusPhrase(r.baseline.Load.Status) + ")."
			if r.recovered {
				s = "The recording ends with the page loaded (" + statusPhrase(r.baseline.Load.Status) + "): it was first refused or sent to sign in, and signing in let it through."
			}
			if r.recording.noBodies {
				s += " It keeps no page bodies, so a sign-in or access-denied page answered with 200 would not show in it."
			}
			return s
		}
		return "The page loaded normally (" + statusPhrase(r.baseline.Load.Status) + "); no authentication failure was reproduced from this machine with a clean browser."
	case judge.HTTP401:
		what = "The server answered 401 Unauthorized: it wants the browser to prove who the user is"
		if len(d.Challenges) > 0 {
			what += " (" + schemeList(d.Challenges) + ")"
		}
		if noChallenge {
			what += ", but it sent no WWW-Authenticate header, so no browser can know how to sign in"
		}
	case judge.Proxy407:
		what = "A proxy between this machine and the site answered 407 Proxy Authentication Required: the proxy, not the site, wants credentials"
		if r.recording == nil && !steps.ProxyAsked(r.baseline) {
			what = "The page got 407 Proxy Authentication Required, but not from a proxy this browser uses (the server itself answered 407, or a proxy sent no challenge): for the network team, who know the proxies of this network"
		}
	case judge.Soft401:
		what = "The page answered " + statusPhrase(r.baseline.Load.Status) + " but shows an access-denied or sign-in page"
		if v.Evidence != "" {
			what += " (\u201c" + v.Evidence + "\u201d)"
		}
		if f, ok := r.baseline.Load.SignInFlow(); ok && (f.Provider != "" || f.Loop != nil) {
			// Single sign-on: the judge's reason names the provider.
			if v.Reason != "" {
				what = strings.ToUpper(v.Reason[:1]) + v.Reason[1:]
			}
		}
	case judge.Subresource401:
		what = "The page itself loaded, but a request it made was refused with 401, so part of it does not work"
		if n := len(v.Failing); n > 1 {
			what = fmt.Sprintf("The page itself loaded, but %d requests it made were refused with 401, so part of it does not work", n)
		}
	case judge.Forbidden403:
		what = "The server answered 403 Forbidden: it knows who the user is (or does not care) and refuses access; signing in again or clearing the browser will not change that"
	case judge.OtherStatus:
		what = "The page failed with " + statusPhrase(r.baseline.Load.Status) + ", which is not an authentication failure"
	case judge.NetworkError:
		if b := r.baseline.Load; b.TimedOut && b.Status > 0 {
			what = fmt.Sprintf("The server answered (%s) but the page did not finish loading within the time limit", statusPhrase(b.Status))
		} else {
			what = "The page could not be reached: " + v.Reason
		}
	default:
		what = v.Reason
	}
	if d.IISSubstatus != nil {
		what += ". " + strings.TrimSuffix(d.IISMeaning, ".")
	}
	if d.BearerError != nil {
		what += fmt.Sprintf(". The token was rejected with error %q", *d.BearerError)
		if d.BearerDesc != nil {
			what += " (" + *d.BearerDesc + ")"
		}
	}
	if d.Intermittent {
		what += ". The failure did not repeat on every load: it is intermittent"
	}
	what = strings.TrimSuffix(what, ".") + "."
	switch r.report.Outcome {
	case reports.Fixed:
		what += fmt.Sprintf(" It was fixed by the step \u201c%s\u201d (%s)", stepTitle(*r.report.FixedBy), *r.report.FixedBy)
		switch c := r.report.Confirmed; {
		case c == nil:
			// The run was cut during the second load.
			what += "; the second load that would confirm it was cut short."
		case *c:
			what += ", and a second load confirmed it."
		default:
			what += ", but the fix did not hold on a second load."
		}
	case reports.Unresolved:
		if r.recording != nil {
			what += " This was read from a recording: no remedy was tried."
		} else {
			what += " None of the steps tried fixed it."
		}
		if forbidden, _ := r.stepEvidence("relogin", "forbidden").(bool); forbidden {
			what += " Signing in worked, but the account may not see the page: it needs access, not another password."
		}
		if r.credentialsRejected() {
			what += " The server rejected the supplied credentials: the user name, password or token is wrong, expired or locked."
		}
	}
	return what
}

func schemeList(cs []reports.Challenge) string {
	var names []string
	for _, c := range cs {
		n := c.Scheme
		if realm := c.Params["realm"]; realm != "" {
			n += fmt.Sprintf(" realm %q", realm)
		}
		if alg := c.Params["algorithm"]; alg != "" {
			n += " (" + alg + ")"
		}
		names = append(names, n)
	}
	return strings.Join(names, ", ")
}

func stepTitle(id string) string {
	if s := stepsByID(id); s != "" {
		return s
	}
	return id
}

func nextSteps(r *run, v judge.Verdict, d reports.Diagnosis, noChallenge bool) (out []string) {
	add := func(s ...string) { out = append(out, s...) }
	if r.recording != nil {
		switch r.report.Outcome {
		case reports.Healthy:
			if r.recovered {
				add("Nothing to fix in this recording: signing in worked. If the person keeps being sent to sign in, record the HAR while that happens.")
				return out
			}
			add("The recording does not show the failure: record the HAR again while the 401 happens (open the Network panel, tick \u201cPreserve log\u201d, then load the page).")
			return out
		case reports.Unresolved:
			add(firstRemedy(r, d))
		}
		defer func() {
			out = append(out, "To prove which remedy fixes it, run fix401 diagnose "+redact.URL(r.target)+" on the user's machine: it tries each one and reloads.")
		}()
	}
	switch r.report.Outcome {
	case reports.Healthy:
		add("If the user still sees 401, the cause is in their own browser state: run fix401 with --cookies (an export of their cookies) or --profile (a copy of their Chrome profile).",
			"Check that the user opens exactly the same URL: "+redact.URL(r.target))
		return out
	case reports.Fixed:
		phrase := *r.report.FixedBy
		for _, s := range r.report.Steps {
			if s.ID == phrase && s.FixedPhrase != "" {
				phrase = s.FixedPhrase
			}
		}
		add("In the user's browser, do what fixed it here: " + phrase + " (report.html has the steps for Chrome, Edge, Firefox and Safari).")
		return out
	}
	if r.credentialsRejected() {
		add("The supplied credentials were rejected: check the user name and password (or token), whether the account is locked or the password expired, and sign in with the right account.")
	}
	forbidden, _ := r.stepEvidence("relogin", "forbidden").(bool)
	if forbidden {
		add("Ask the site's owner or IT to give the account access to this page (the role or group it requires): the sign-in itself worked, so do not reset the password.")
	}
	switch v.Kind {
	case judge.HTTP401, judge.Soft401:
		if has(d.Challenges, "Negotiate") || has(d.Challenges, "NTLM") {
			add("Windows integrated sign-in: make sure the user's machine is joined to the domain and the site is in the browser's intranet zone (or allowed by the AuthServerAllowlist policy).")
		}
		if !r.credentialsRejected() && !forbidden && !ssoBlocked(d.Findings) {
			add("Sign in again with the right account (run fix401 with --user and --password-stdin, or --bearer-token-env, to test the credentials).")
		}
		if d.BearerError != nil {
			add("The access token was rejected: sign out and sign in again so the application gets a new token.")
		}
	case judge.Subresource401:
		add("The page's own API calls are refused: sign out and sign in again, then clear cookies and site data for the site if it persists.")
	case judge.Proxy407:
		if rejected, _ := r.stepEvidence("relogin", "proxy_credentials_rejected").(bool); rejected {
			add("The proxy refused the proxy account that was given: check its user name and password with the network team, or whether it is locked.")
		} else if r.cfg.Inputs.ProxyUser == "" && steps.ProxyAsked(r.baseline) {
			add("Answer the proxy's challenge: run fix401 with --proxy-user NAME and the password in FIX401_PROXY_PASSWORD to test the proxy account.")
		}
		add("Check the proxy settings and the proxy credentials of the user's machine, or try another network; this is for the network team, not the site owner.")
	case judge.Forbidden403:
		add("Ask the site owner to grant the user's account access; a 403 is a permission decision, not a sign-in problem.")
	case judge.OtherStatus:
		if r.baseline.Load.Status == http.StatusTooManyRequests {
			add("The server limits how often it is asked (429 Too Many Requests): wait as long as it says (Retry-After), then load the page once.")
		} else {
			add("Check the URL; the server reports " + statusPhrase(r.baseline.Load.Status) + ".")
		}
	case judge.NetworkError:
		if b := r.baseline.Load; b.TimedOut && b.Status > 0 {
			add("The site answers but the page never finishes loading: find what it waits for (a script, a stylesheet or an image that does not come), or give it longer with --timeout.")
		} else {
			add("Check that the site is reachable from this machine (VPN, DNS, firewall) and that the address is right.")
		}
	}
	add(ssoNextSteps(d.Findings)...)
	if d.IISSubstatus != nil {
		add("Tell the site owner what IIS reports: " + d.IISMeaning)
	}
	if noChallenge {
		add("Tell the site owner their server sends 401 without a WWW-Authenticate header (RFC 9110 §15.5.2).")
	}
	if c := r.contact; c != nil && (r.report.Outcome == reports.Unresolved || r.report.Outcome == reports.NotAuthFailure) {
		// A support or contact page first; security.txt's contacts are
		// for security reports, and said to be.
		switch {
		case c.Page != "":
			add("If nothing helps, contact the site owner (" + c.Page + ") with this report attached: contact.md is a ready-to-send message.")
		case c.Webmaster != "":
			add("If nothing helps, contact the site owner (" + c.Webmaster + ") with this report attached: contact.md is a ready-to-send message.")
		case len(c.Emails) > 0:
			add("If nothing helps, contact the site owner with this report attached (contact.md is a ready-to-send message). No support contact was found; the site's security.txt names " + c.Emails[0] + ", which is meant for security reports.")
		}
	}
	return out
}

func has(cs []reports.Challenge, scheme string) bool {
	for _, c := range cs {
		if strings.EqualFold(c.Scheme, scheme) {
			return true
		}
	}
	return false
}

// findContact is where to escalate, as the help articles advise: a contact
// page found on the site, the Contact lines of its security.txt (RFC 9116),
// and the conventional webmaster mailbox (RFC 2142).
func (r *run) findContact(ctx context.Context, lookUp bool) *reports.Contact {
	u, err := url.Parse(r.target)
	if err != nil || u.Hostname() == "" {
		return nil
	}
	c := &reports.Contact{SecurityTxt: u.Scheme + "://" + u.Host + "/.well-known/security.txt"}
	if net.ParseIP(u.Hostname()) == nil && strings.Contains(u.Hostname(), ".") {
		// RFC 2142's mailbox only exists for a domain, not an address.
		c.Webmaster = "webmaster@" + strings.TrimPrefix(u.Hostname(), "www.")
	}
	if p, ok := r.stepEvidence("url-check", "contact_page").(string); ok {
		c.Page = p
	}
	if ctx.Err() != nil || !lookUp {
		return c
	}
	l, err := r.sess.Navigate(ctx, c.SecurityTxt, browser.LoadOptions{Timeout: min(r.cfg.Timeout, 5*time.Second)})
	if err != nil || l.Status != 200 || !strings.HasPrefix(l.MimeType, "text/plain") {
		// Looked for and not there: no pointer to a missing file.
		c.SecurityTxt = ""
		if c.Page == "" && c.Webmaster == "" {
			return nil
		}
		return c
	}
	for _, line := range strings.Split(l.Text, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), "contact") {
			v = strings.TrimSpace(v)
			c.Emails = append(c.Emails, strings.TrimPrefix(v, "mailto:"))
		}
	}
	return c
}
