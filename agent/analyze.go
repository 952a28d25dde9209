package agent

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/redact"
	"github.com/fix401/fix401/reports"
	"github.com/fix401/fix401/steps"
)

// RecordingStep is the step id of an analyzed recording: the loads a
// person's browser made, read from their HAR instead of reproduced.
const RecordingStep = "recording"

// Recording is a HAR someone else recorded, to diagnose without a browser.
type Recording struct {
	Loads   []*browser.Load // browser.Replay of its entries
	Creator string          // the tool that wrote it, "name version"
	Browser string          // the browser it recorded, when it says
	Entries int

	// What Analyze derives of it. sanitized: no request or response has a
	// Cookie, Set-Cookie or Authorization header (DevTools' default export
	// drops them), so whether credentials were sent cannot be told.
	// noBodies: none of its pages' HTML was kept (an export without
	// content), so a sign-in page answered with 200 cannot be seen.
	sanitized, noBodies bool
}

// AnalyzeConfig is what Analyze needs besides the recording.
type AnalyzeConfig struct {
	Version string
	Now     func() time.Time
	Log     zerolog.Logger
}

// Analyze diagnoses a recording with the same judge, challenge parser and
// findings as a live run: each load of it is judged as the reproduce step
// judges a load, the one that failed first with an auth failure (else the
// first that failed, else the last) is the baseline, and no remedy runs.
func Analyze(rec Recording, cfg AnalyzeConfig) (*Result, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if len(rec.Loads) == 0 {
		return nil, fmt.Errorf("the recording has no requests: record the failing page load again with the Network panel open")
	}
	rec.sanitized = strings.HasPrefix(rec.Creator, "WebInspector") && withoutCredentials(rec.Loads)
	rec.noBodies = withoutPages(rec.Loads)
	r := &run{cfg: Config{Version: cfg.Version, Now: cfg.Now, Log: cfg.Log}, started: cfg.Now(),
		files: map[string][]byte{}, shotNames: map[*browser.Load]string{}, reported: map[*steps.Observation]reports.Load{},
		recording: &rec}
	r.report = &reports.Report{
		Schema:      reports.SchemaID,
		Tool:        reports.Tool{Name: "fix401", Version: cfg.Version},
		StartedAt:   r.started.UTC(),
		Environment: reports.Environment{Browser: rec.Browser, RecordedBy: rec.Creator},
		Steps:       []reports.Step{},
	}
	r.report.Steps = append(r.report.Steps, reports.Step{ID: RecordingStep, Title: "The recording", Evidence: map[string]any{
		"entries": rec.Entries, "loads": len(rec.Loads),
	}})
	r.cur, r.curIndex, r.curStart = &r.report.Steps[0], 0, r.started
	var firstAuth, firstFailed *steps.Observation
	for _, l := range rec.Loads {
		o, _ := r.observe(l, nil)
		switch {
		case o.OK():
		case o.Verdict.Kind.IsAuthFailure() && firstAuth == nil:
			firstAuth = o
		case firstFailed == nil:
			firstFailed = o
		}
		r.baseline = o
	}
	last := r.baseline
	switch {
	case firstAuth != nil && last.OK() && samePage(last.Load.FinalURL, firstAuth.Load.URL):
		// The recording ends on the page that failed, loaded: the person
		// signed in (a single sign-on starts with the provider's page).
		r.recovered = true
	case firstAuth != nil:
		r.baseline = firstAuth
	case firstFailed != nil:
		r.baseline = firstFailed
	}
	r.target = r.baseline.Load.URL
	r.report.Target = reports.Target{URL: redact.URL(r.target)}
	step := r.cur
	if rl, ok := r.reported[r.baseline]; ok {
		step.Load = &rl
	}
	step.Result = reports.Info
	if !r.baseline.OK() {
		step.Result = reports.Failing
	}
	if ev := rejectedInRecording(rec.Loads); ev != nil && !r.baseline.OK() {
		step.Evidence["credentials_rejected"] = true
		for k, v := range ev {
			step.Evidence[k] = v
		}
	}
	if rec.sanitized {
		step.Evidence["sanitized_export"] = true
	}
	// The recording's own span, from its first request to its last answer.
	start, end := rec.Loads[0], rec.Loads[len(rec.Loads)-1]
	step.DurationMS = max(0, end.Started.Add(end.Duration).Sub(start.Started).Milliseconds())
	r.cur = nil
	r.finish()
	if t := rec.Loads[0].Started; !t.IsZero() {
		r.report.StartedAt = t.UTC() // when the person recorded it
	}
	// A recording's own time, not the time it took to read it.
	r.report.DurationMS = step.DurationMS
	return &Result{Report: r.report, Files: r.files, Requests: r.requests(), Pages: r.pages}, nil
}

// rejectedInRecording finds, anywhere in the recording, a request that carried
// credentials and was answered with the same challenge again (RFC 9110
// §11.6.1: a 401 to a request with Authorization means they were refused;
// §11.7.1 the same for a proxy's 407 and Proxy-Authorization).
//
// A sign-in form is the other way credentials travel: a page that posted
// a password and came back with a password field on the same host refused
// it (a provider shows its form again, with an error).
func rejectedInRecording(loads []*browser.Load) map[string]any {
	for _, l := range loads {
		if len(l.Chain) > 0 && l.HasPassword {
			first, last := l.Chain[0], l.Chain[len(l.Chain)-1]
			if first.Method == http.MethodPost && first.PasswordPosted() && browser.Origin(first.URL) == browser.Origin(last.URL) {
				return map[string]any{"method": "form", "url": redact.URL(first.URL), "host": hostOf(first.URL)}
			}
		}
	}
	for _, l := range loads {
		for _, q := range l.Requests {
			for _, h := range q.Hops() {
				scheme, proxy := "", false
				switch {
				case h.Status == http.StatusUnauthorized && h.RequestHdr.Get("Authorization") != "" && len(h.ResponseHdr.Values("WWW-Authenticate")) > 0:
					scheme = h.RequestHdr.Get("Authorization")
				case h.Status == http.StatusProxyAuthRequired && h.RequestHdr.Get("Proxy-Authorization") != "" && len(h.ResponseHdr.Values("Proxy-Authenticate")) > 0:
					scheme, proxy = h.RequestHdr.Get("Proxy-Authorization"), true
				default:
					continue
				}
				scheme, _, _ = strings.Cut(strings.TrimSpace(scheme), " ")
				if continuation(h.ResponseHdr, proxy, scheme) {
					continue // NTLM's or Negotiate's next round, not a refusal
				}
				ev := map[string]any{"schemes": scheme, "url": redact.URL(h.URL), "status": h.Status}
				if proxy {
					ev["proxy"] = true
				}
				return ev
			}
		}
	}
	return nil
}

// continuation says whether a 401 (407) answers credentials of scheme with
// that scheme's next round: a challenge carrying a token (NTLM's type 2
// message, a Negotiate continuation), which is how the handshake goes on.
func continuation(h http.Header, proxy bool, scheme string) bool {
	name := "WWW-Authenticate"
	if proxy {
		name = "Proxy-Authenticate"
	}
	for _, line := range h.Values(name) {
		s, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
		tok := strings.TrimSpace(rest)
		if strings.EqualFold(s, scheme) && tok != "" && !strings.ContainsAny(strings.TrimRight(tok, "="), "=, ") {
			return true
		}
	}
	return false
}

// firstRemedy is what a person should try first when a recording shows
// the failure, since no step ran to prove one: the remedy the findings
// and the kind of failure point to, as the walk would try it.
func firstRemedy(r *run, d reports.Diagnosis) string {
	ids := map[string]bool{}
	for _, f := range d.Findings {
		ids[f.ID] = true
	}
	switch {
	case ids[reports.FindingCredentialsRejected]:
		return "Try first: sign in again with the right user name and password (or a new token): the recording shows credentials sent and the same challenge again."
	case ids[reports.FindingProxyAuthRequired]:
		return "Try first: load the page on another network (off the VPN or the office proxy), or sign in to the proxy with the account the network team gives: a proxy, not the site, asked for credentials."
	case ids[reports.FindingSSORedirectLoop], ids[reports.FindingCookieBlocked]:
		return "Try first: clear cookies and site data for the application and the identity provider, then sign in again."
	case ids[reports.FindingClockSkew], ids[reports.FindingTokenExpired]:
		return "Try first: set the machine's clock right (automatic time), then sign in again."
	case ids[reports.FindingIdPError]:
		return "Try first: send the identity provider's error (in this report) to the application's administrators: the sign-in is refused by configuration, not by the user's browser."
	case ids[reports.FindingNoChallenge]:
		return "Try first: reload the page and, if it persists, send this report to the site owner: the server answers 401 without saying how to sign in."
	case ids[reports.FindingRateLimited]:
		return "Try first: wait for the time the server asks, then reload once."
	}
	if d.IISSubstatus != nil {
		return "Try first: what IIS says it refused: " + d.IISMeaning
	}
	switch {
	case has(d.Challenges, "Negotiate"), has(d.Challenges, "NTLM"):
		return "Try first: check the user's Windows sign-in (klist shows the Kerberos tickets; lock and unlock the machine to renew them) and that the site is in the browser's intranet zone."
	case has(d.Challenges, "Bearer"):
		return "Try first: sign out of the application and sign in again, so that it gets a new token."
	case len(d.Challenges) > 0:
		return "Try first: sign in again when the browser asks, with the right user name and password."
	}
	return "Try first: clear cookies and site data for the site, then sign in again."
}

// samePage: two addresses of one page, parameters and fragment aside.
func samePage(a, b string) bool {
	pa, err1 := url.Parse(a)
	pb, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return false
	}
	return pa.Scheme == pb.Scheme && pa.Host == pb.Host && strings.TrimSuffix(pa.Path, "/") == strings.TrimSuffix(pb.Path, "/")
}

// withoutCredentials: no request carried Cookie or Authorization and no
// response set a cookie, as in DevTools' default sanitized export (which
// says nothing of it: Chrome's creator is WebInspector either way).
func withoutCredentials(loads []*browser.Load) bool {
	for _, l := range loads {
		for _, q := range l.Requests {
			for _, h := range q.Hops() {
				if h.RequestHdr.Get("Cookie") != "" || h.RequestHdr.Get("Authorization") != "" || h.ResponseHdr.Get("Set-Cookie") != "" {
					return false
				}
			}
		}
	}
	return true
}

// withoutPages: no page of the recording kept its HTML, although some
// answered with one.
func withoutPages(loads []*browser.Load) bool {
	html := false
	for _, l := range loads {
		for _, q := range l.Chain {
			if len(q.Body) > 0 || l.Title != "" || l.Text != "" {
				return false
			}
			html = html || strings.Contains(q.MimeType, "html") && q.Status < 300
		}
	}
	return html
}
