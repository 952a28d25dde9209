package reports

import (
	"bytes"
	"fmt"
	"strings"
)

// ContactMessage renders contact.md: a short, polite message to the site
// owner with the evidence they need and nothing they must not see. It names
// the browser and OS but never a host or user name, leaves out the log and
// step evidence (which may name cookies and local commands), and quotes
// only what the server itself sent.
func ContactMessage(r *Report) []byte {
	v := newView(r, nil)
	d := r.Diagnosis
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	// contact.md is for what only the site owner can fix.
	if r.Outcome == Fixed && v.Fix != nil && v.Fix.UserSide {
		p("# Nothing to report to the site owner\n\n")
		p("The page works again after %s, which is on the user's side. Do that in the user's browser (see report.html); the failure is nothing the site owner must fix.\n", mdText(v.FixPhrase))
		var worth []string
		for _, f := range v.Findings {
			if f.F.Severity == Warning {
				worth = append(worth, "- "+mdText(f.F.Title)+" ("+mdCode(f.F.ID)+")")
			}
		}
		if len(worth) > 0 {
			p("\nWorth telling them all the same, when convenient:\n\n%s\n", strings.Join(worth, "\n"))
		}
		return b.Bytes()
	}

	if r.Outcome == Error {
		// An interrupted or failed check has seen no failure of the site's
		// through: nothing to ask its owner yet.
		p("# Nothing to send to the site owner yet\n\n")
		why := "the check could not complete"
		if r.Error != nil && *r.Error != "" {
			why = "the check could not complete: " + strings.TrimSuffix(*r.Error, ".")
		}
		p("%s. Run fix401 again; contact.md is written for a failure the check saw through to the end.\n", mdText(strings.ToUpper(why[:1])+why[1:]))
		return b.Bytes()
	}

	if d.Kind == "proxy_407" {
		p("# For the network team, not the site owner\n\n")
		var lines []string
		for _, l := range d.HeaderLines {
			lines = append(lines, d.Header+": "+l)
		}
		if len(lines) > 0 {
			p("A proxy between this machine and %s answered 407 Proxy Authentication Required: the proxy, not the site, wants credentials. Send this to whoever runs the proxy (the network team), with the challenge it sent:\n\n", mdCode(r.Target.URL))
			p("%s\n", mdFence(lines))
		} else {
			p("Loading %s got 407 Proxy Authentication Required, with no challenge the browser could read (a proxy that sent none, or a server that answers 407 although it is no proxy of this machine). Send this to whoever runs the network and its proxies, with report.html attached.\n", mdCode(r.Target.URL))
		}
		return b.Bytes()
	}

	if d.Contact != nil {
		if lines := contactLines(d.Contact); len(lines) > 0 {
			p("Send to any of:\n\n")
			for _, l := range lines {
				p("- %s: %s\n", l.K, mdCode(l.V))
			}
			p("\n---\n\n")
		}
	}
	p("**Subject:** %s\n\n", mdText(contactSubject(v)))
	p("Hello,\n\n")
	p("%s\n\n", mdBlock(contactOpening(v)))

	p("**What happened**\n\n")
	p("- URL: %s\n", mdCode(r.Target.URL))
	if st := contactResult(v); st != "" {
		p("- Result: %s\n", mdText(st))
	}
	p("- When: %s\n", v.When)
	p("- From: %s\n", mdText(contactFrom(r.Environment)))
	if bl := v.baseline(); bl != nil {
		if d.Kind == "soft_401" && bl.Title != "" {
			// The words that made it an access-denied page.
			p("- Page title: “%s”\n", mdText(bl.Title))
		}
		if bl.RemoteIP != nil && *bl.RemoteIP != "" {
			p("- Server address: %s\n", mdCode(*bl.RemoteIP))
		}
	}
	if d.IISSubstatus != nil {
		p("- IIS sub-status: %s\n", mdText(iisLine(*d.IISSubstatus, d.IISMeaning)))
	}
	if d.BearerError != nil {
		p("- Bearer error: %s", mdCode(*d.BearerError))
		if d.BearerDesc != nil {
			p(" (%s)", mdText(*d.BearerDesc))
		}
		p("\n")
	}
	if d.RetryAfterS != nil {
		p("- Retry-After: %d s\n", *d.RetryAfterS)
	}
	for _, w := range d.Warnings {
		p("- Note: %s\n", mdText(w))
	}
	for _, f := range v.Failing {
		p("- Failing request: %s %s answered %d (%s)\n", mdText(f.Method), mdCode(f.URL), f.Status, mdText(f.Type))
	}
	p("\n")
	if len(v.Findings) > 0 {
		p("**What we found**\n\n")
		for _, f := range v.Findings {
			p("- %s (%s)\n", mdText(f.F.Title), mdCode(f.F.ID))
		}
		p("\n")
	}
	if len(d.HeaderLines) > 0 {
		p("The response carried:\n\n")
		var lines []string
		for _, l := range d.HeaderLines {
			lines = append(lines, d.Header+": "+l)
		}
		p("%s\n", mdFence(lines))
	}

	// Only the remedies: the site owner has no use for the tool's reasons
	// to skip a step, and the baseline is the result above.
	var tried []string
	for _, s := range v.Steps {
		switch {
		case s.S.ID == "reproduce" || s.S.Result == Skipped:
			continue
		case s.S.Result == StepError:
			// The error text is the tool's own, and may name local paths.
			tried = append(tried, mdText(s.Name)+": could not be carried out")
		case s.S.Load != nil:
			tried = append(tried, mdText(s.Name)+": "+s.Label+" ("+mdText(contactLoad(s.S.Load))+")")
		default:
			tried = append(tried, mdText(s.Name)+": "+s.Label)
		}
	}
	if len(tried) > 0 && r.Environment.RecordedBy == "" {
		p("**What we tried**, in a real browser:\n\n")
		for _, t := range tried {
			p("- %s\n", t)
		}
		p("\n")
	}

	p("%s\n\n", mdBlock(contactAsk(v)))
	p("We can send the full report (HTML, JSON and the network log) if it helps.\n\n")
	p("Thank you,\n\n[your name]\n")
	return b.Bytes()
}

func contactSubject(v *view) string {
	what := v.baselineStatus()
	switch v.R.Diagnosis.Kind {
	case "soft_401":
		what = "Access denied"
	case "subresource_401":
		what = "401 on requests of the page"
	case "proxy_407":
		what = "407 Proxy Authentication Required"
	case "network_error":
		what = "Page does not load"
	case "none":
		what = "Sign-in problem reported"
	}
	if what == "" {
		what = "Error"
	}
	return what + " on " + v.R.Target.URL
}

func contactOpening(v *view) string {
	r := v.R
	switch r.Outcome {
	case Healthy:
		return "A user reported a sign-in error (401) on the page below. From a clean browser here the page loads normally, so the problem may depend on the user's account or session; the details are below in case your logs show something at that time."
	case Fixed:
		return "Opening the page below failed with " + v.failureNoun() + ". It went away after " + v.FixPhrase + ", so other users may run into it too; the details are below in case you want to look into it."
	case Error:
		return "We tried to diagnose an error on the page below, but could not complete the check; the details we have are below."
	}
	opening := "Opening the page below fails with " + v.failureNoun() + "."
	if by := r.Environment.RecordedBy; by != "" {
		// A recording of the user's browser: what it shows, not what we did.
		return opening + " A recording of the user's browser (a HAR, made with " + by + ") shows it; nothing has been tried from here yet."
	}
	switch {
	case r.Diagnosis.Intermittent:
		opening += " It fails on some loads but not on all of them."
	case v.tried() == 0:
		return opening + " It failed on every load we made."
	}
	for _, f := range r.Diagnosis.Findings {
		// The account's matter, not yet the server's: say so, and ask
		// only what they can tell.
		switch f.ID {
		case FindingCredentialsRejected:
			return opening + " We went through the usual browser remedies; signing in again was refused with the credentials we have, which may be wrong, expired or locked. Could you tell us whether the account is active and allowed to sign in here?"
		case FindingAuthenticatedButForbidden:
			return opening + " Signing in works, but the account is then refused the page. Could you give the account access to it, or tell us whom to ask?"
		}
	}
	if signInTried(r) {
		return opening + " We went through the usual browser remedies, signing in again included, and it still fails, so we believe the cause is on the server side."
	}
	return opening + " We went through the usual browser remedies and it still fails; signing in again was not tried from here, so the account may be the cause, but the details below should help you tell."
}

// signInTried reports whether the relogin step ran (not skipped).
func signInTried(r *Report) bool {
	for _, s := range r.Steps {
		if s.ID == "relogin" && s.Result != Skipped {
			return true
		}
	}
	return false
}

// iisLine is the sub-status and what it means, the code said once: the
// judge's meaning names it already ("IIS 401.1 (logon failed): …").
func iisLine(code, meaning string) string {
	switch {
	case meaning == "":
		return code
	case strings.Contains(meaning, code):
		return meaning
	}
	return code + " — " + meaning
}

func contactResult(v *view) string {
	d := v.R.Diagnosis
	st := ""
	if b := v.baseline(); b != nil {
		st = loadStatus(b)
	}
	// In the site owner's words, not fix401's kind names: only what the
	// status alone does not say.
	switch d.Kind {
	case "soft_401":
		return st + " (but the page reads as a sign-in or access-denied page)"
	case "subresource_401":
		return st + " (but the page's own requests were refused with 401)"
	case "network_error":
		if st == "" {
			return "the page could not be loaded"
		}
		return st + " (but the page did not finish loading)"
	}
	return st
}

// contactLoad is a load's answer, with what made it a failure when the
// status alone would say it worked (an access-denied page sent with 200).
func contactLoad(l *Load) string {
	if k := kindBeyondStatus(l); k != "" {
		return loadStatus(l) + ", " + k
	}
	return loadStatus(l)
}

func contactFrom(e Environment) string {
	if e.RecordedBy != "" {
		if e.Browser != "" {
			return "the user's browser (" + e.Browser + "), recorded with " + e.RecordedBy
		}
		return "the user's browser, recorded with " + e.RecordedBy
	}
	browser := e.Browser
	if browser == "" {
		browser = "Chromium"
	}
	s := browser
	if e.OS != "" {
		s += " on " + e.OS
		if e.Arch != "" {
			s += "/" + e.Arch
		}
	}
	if e.Profile || e.CookiesFile {
		return s + ", with the user's browser state"
	}
	return s + ", with a clean browser profile"
}

func contactAsk(v *view) string {
	d := v.R.Diagnosis
	switch v.R.Outcome {
	case Healthy:
		return "Could you check whether your server logged a 401 for this page around that time, and why?"
	case Fixed:
		return "Could you check why browsers end up in this state, so users do not have to fix it themselves?"
	case Error:
		return "Could you check whether the site was working at that time?"
	}
	switch d.Kind {
	case "http_401", "soft_401":
		if len(d.HeaderLines) == 0 && d.Kind == "http_401" {
			return "Could you check why the server refuses this request? Note that the 401 response has no WWW-Authenticate header, which RFC 9110 §15.5.2 requires, so browsers cannot know how to sign in."
		}
		return "Could you check why the server refuses the sign-in for this page, and whether the account should have access?"
	case "subresource_401":
		return "Could you check why these requests are refused while the page itself loads?"
	case "proxy_407":
		return "The 407 comes from a proxy, so this may be for the network team rather than the site: could you check the proxy's sign-in for this address?"
	case "forbidden_403":
		return "Could you check whether the account should have access to this page?"
	case "network_error":
		return "Could you check whether the site is up and reachable from outside your network?"
	}
	return "Could you check whether this page has moved or is broken?"
}
