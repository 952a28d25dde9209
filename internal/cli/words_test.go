package cli

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fix401/fix401/agent"
	"github.com/fix401/fix401/internal/check"
	"github.com/fix401/fix401/internal/judge"
	"github.com/fix401/fix401/reports"
)

// Every value the machine outputs name things by.
var (
	allKinds    = []judge.Kind{judge.HTTP401, judge.Proxy407, judge.Soft401, judge.Subresource401, judge.Forbidden403, judge.OtherStatus, judge.NetworkError, judge.None}
	allResults  = []reports.Result{reports.Failing, reports.StepFixed, reports.StillFailing, reports.Skipped, reports.StepError, reports.Info}
	allOutcomes = []reports.Outcome{reports.Healthy, reports.Fixed, reports.Unresolved, reports.NotAuthFailure, reports.Error}
)

// enumInText finds an enum value in text meant for people: a snake_case
// id (http_401, still_failing, not_auth_failure), the step result "info",
// a kind "none" after a separator, or a result said twice
// ("skipped: skipped").
var enumInText = regexp.MustCompile(`[a-z0-9]_[a-z0-9]|\binfo\b|· none\b|\b(skipped|error|fixed|failing)\b[: ]+\b(skipped|error|fixed|failing)\b`)

func noEnums(t *testing.T, where, text string) {
	t.Helper()
	if m := enumInText.FindString(text); m != "" {
		t.Errorf("%s: %q in human output:\n%s", where, m, text)
	}
}

// TestKindWords: every failure kind the judge gives has words.
func TestKindWords(t *testing.T) {
	for _, k := range allKinds {
		for _, w := range []string{kindPhrase(string(k)), kindShort(string(k))} {
			if w == string(k) || strings.Contains(w, "_") || w == "" {
				t.Errorf("%s reads %q", k, w)
			}
		}
	}
}

// statusFor is a status line a load of kind k could have had.
func statusFor(k judge.Kind) []string {
	switch k {
	case judge.HTTP401:
		return []string{"401 Unauthorized", "net::ERR_INVALID_AUTH_CREDENTIALS"}
	case judge.Proxy407:
		return []string{"407 Proxy Authentication Required", "net::ERR_UNEXPECTED_PROXY_AUTH"}
	case judge.Forbidden403:
		return []string{"403 Forbidden"}
	case judge.OtherStatus:
		return []string{"404 Not Found", "500 Internal Server Error"}
	case judge.NetworkError:
		return []string{"net::ERR_CONNECTION_REFUSED", "timed out", "200 OK"}
	}
	return []string{"200 OK", "302 Found"}
}

// stepLines are lines as the agent makes them for a step's progress.
func stepLines() []string {
	lines := []string{
		"skipped: the server does not offer Negotiate or NTLM",
		"error: the login form was not found",
		"URL is well formed; 1 corrected URL tried, it does not load",
		"skipped: could not re-create the failing state",
		"does not fix it on its own",
		"",
	}
	for _, k := range allKinds {
		for _, st := range statusFor(k) {
			lines = append(lines,
				st+" · "+string(k),
				st+" · "+string(k)+` · Basic realm="Lab Reports", charset="UTF-8" · IIS 401.1`,
				st+" · "+string(k)+" · intermittent",
				st+" · use http://127.0.0.1/x",
			)
		}
	}
	return lines
}

// TestProgressSpeaksWords: the progress lines on stderr, piped or on a
// terminal, never show an enum value, for any step result and any kind.
func TestProgressSpeaksWords(t *testing.T) {
	for _, tty := range []bool{false, true} {
		for _, step := range []string{"reproduce", "url-check", "reload", "relogin"} {
			for _, r := range allResults {
				for _, line := range stepLines() {
					var buf bytes.Buffer
					p := newProgress(&buf, tty, false, false)
					p.update(agent.Progress{Step: step, Result: r, Line: line, Done: true, Elapsed: 284 * time.Millisecond})
					noEnums(t, step+" "+string(r), buf.String())
				}
			}
		}
	}
	// The tester's line, and a skip said once.
	var buf bytes.Buffer
	p := newProgress(&buf, false, false, false)
	p.update(agent.Progress{Step: "reproduce", Result: reports.Info, Line: "200 OK", Done: true, Elapsed: 284 * time.Millisecond})
	p.update(agent.Progress{Step: "reproduce", Result: reports.Failing, Line: "404 Not Found · other_status", Done: true, Elapsed: 284 * time.Millisecond})
	p.update(agent.Progress{Step: "via-proxy", Result: reports.Skipped, Line: "skipped: no --proxy given", Done: true})
	p.update(agent.Progress{Step: "relogin", Result: reports.StepError, Line: "error: the login form was not found", Done: true, Elapsed: 2 * time.Second})
	want := "fix401: reproduce found no failure in 284ms: 200 OK\n" +
		"fix401: reproduce found the failure in 284ms: 404 Not Found\n" +
		"fix401: via-proxy skipped in 0s: no --proxy given\n" +
		"fix401: relogin stopped with an error in 2s: the login form was not found\n"
	if buf.String() != want {
		t.Errorf("progress:\n%s\nwant:\n%s", buf.String(), want)
	}
}

func TestPlainStepLine(t *testing.T) {
	for in, want := range map[string]string{
		`401 Unauthorized · http_401 · Basic realm="a"`:   `401 Unauthorized · Basic realm="a"`,
		"404 Not Found · other_status":                    "404 Not Found",
		"403 Forbidden · forbidden_403":                   "403 Forbidden",
		"200 OK · soft_401":                               "200 OK · access-denied or sign-in page",
		"200 OK · subresource_401":                        "200 OK · 401 on requests the page made",
		"net::ERR_UNEXPECTED_PROXY_AUTH · proxy_407":      "net::ERR_UNEXPECTED_PROXY_AUTH · 407 Proxy Authentication Required",
		"net::ERR_INVALID_AUTH_CREDENTIALS · http_401":    "net::ERR_INVALID_AUTH_CREDENTIALS · 401 Unauthorized",
		"net::ERR_CONNECTION_REFUSED · network_error":     "net::ERR_CONNECTION_REFUSED",
		"timed out · network_error":                       "timed out",
		"200 OK · network_error":                          "200 OK · did not finish loading",
		"200 OK · use http://a.example/x":                 "200 OK · use http://a.example/x",
		"URL is well formed; protected area starts at /x": "URL is well formed; protected area starts at /x",
	} {
		if got := plainStepLine(in); got != want {
			t.Errorf("plainStepLine(%q) = %q, want %q", in, got, want)
		}
	}
}

// report is a run whose first load met kind k with the status st.
func report(o reports.Outcome, k judge.Kind, st string) *reports.Report {
	load := &reports.Load{Kind: string(k), OK: k == judge.None}
	var code int
	if n, text, ok := strings.Cut(st, " "); ok && n[0] >= '1' && n[0] <= '9' {
		for _, c := range n {
			code = code*10 + int(c-'0')
		}
		load.Status, load.StatusText = &code, text
	} else if strings.HasPrefix(st, "net::") {
		load.NetError = st
	} else {
		load.TimedOut = true
	}
	res := reports.Failing
	if k == judge.None {
		res = reports.Info
	}
	rep := &reports.Report{Outcome: o, Steps: []reports.Step{{ID: "reproduce", Result: res, Load: load}},
		Diagnosis: reports.Diagnosis{Kind: string(k), Status: load.Status}}
	if o == reports.Fixed {
		rep.FixedBy = new("relogin")
		rep.Confirmed = new(false)
	}
	if o == reports.Error {
		rep.Error = new("the run took longer than --max-time")
	}
	return rep
}

// TestSummariesSpeakWords: diagnose's and analyze's verdicts, check's
// per-check reasons and table, for every outcome, kind, expectation and
// verdict, never show an enum value; --json keeps them.
func TestSummariesSpeakWords(t *testing.T) {
	for _, o := range allOutcomes {
		for _, k := range allKinds {
			for _, st := range statusFor(k) {
				rep := report(o, k, st)
				var buf bytes.Buffer
				summary(&buf, rep, map[string]string{"reproduce": st + " · " + string(k)}, "out/report.html", false, true)
				noEnums(t, "diagnose "+string(o)+" "+string(k), buf.String())
				noEnums(t, "analyze "+string(o)+" "+string(k), analyzeVerdict(rep))
				for _, e := range []check.Expect{{Kind: check.ExpectHealthy}, {Kind: check.ExpectAuthRequired},
					{Kind: check.ExpectFixedBy, Step: "relogin"}, {Kind: check.ExpectFixedBy, Step: "clear-cookies"}} {
					// The verdict and the reason as a run gives them.
					v, reason := check.Match(e, rep)
					r := check.Result{Name: "nf", Expect: e.String(), Result: v, Outcome: o, Kind: string(k), Report: rep, Reason: reason}
					sum := &check.Summary{Checks: []check.Result{r, {Name: "later", Result: check.Skipped, Reason: "not started: the run took longer than --max-time"}}}
					buf.Reset()
					if err := checkTable(&buf, sum); err != nil {
						t.Fatal(err)
					}
					noEnums(t, "check table "+e.String()+" "+string(o)+" "+string(k), buf.String())
					if data, _ := absSummary(sum).JSON(); v == check.Fail && !bytes.Contains(data, []byte(`"kind": "`+string(k))) {
						t.Errorf("--json lost the kind %s:\n%s", k, data)
					}
				}
			}
		}
	}
}

// TestCheckReason: the tester's line, and the other expectations.
func TestCheckReason(t *testing.T) {
	cases := []struct {
		expect string
		rep    *reports.Report
		want   string
	}{
		{"healthy", report(reports.NotAuthFailure, judge.OtherStatus, "404 Not Found"), "expected healthy, got not an auth failure (404 Not Found)"},
		{"healthy", report(reports.Unresolved, judge.HTTP401, "401 Unauthorized"), "expected healthy, got 401 Unauthorized that no step fixed"},
		{"healthy", report(reports.Unresolved, judge.Soft401, "200 OK"), "expected healthy, got an access-denied or sign-in page (200 OK) that no step fixed"},
		{"healthy", report(reports.NotAuthFailure, judge.NetworkError, "net::ERR_CONNECTION_REFUSED"), "expected healthy, got not an auth failure (a network error (net::ERR_CONNECTION_REFUSED))"},
		{"auth_required", report(reports.Healthy, judge.None, "200 OK"), "expected a sign-in to be required, but the page loads without one (200 OK)"},
		{"auth_required", report(reports.NotAuthFailure, judge.Forbidden403, "403 Forbidden"), "expected a sign-in to be required, got not an auth failure (403 Forbidden)"},
		{"fixed_by clear-cookies", report(reports.Fixed, judge.HTTP401, "401 Unauthorized"), "expected clear-cookies to fix it, got 401 Unauthorized, fixed by relogin"},
		{"fixed_by relogin", report(reports.Fixed, judge.HTTP401, "401 Unauthorized"), "expected relogin to fix it: it did once, but the fix did not hold on a second load"},
		{"fixed_by relogin", report(reports.Healthy, judge.None, "200 OK"), "expected relogin to fix it, but the page loads from the start (200 OK)"},
	}
	for _, c := range cases {
		r := check.Result{Expect: c.expect, Result: check.Fail, Report: c.rep, Reason: "enum words"}
		if got := checkReason(r); got != c.want {
			t.Errorf("%s, %s %s:\n got %s\nwant %s", c.expect, c.rep.Outcome, c.rep.Diagnosis.Kind, got, c.want)
		}
	}
	// An error keeps its own sentence.
	r := check.Result{Result: check.Error, Reason: "the run took longer than --max-time"}
	if got := checkReason(r); got != r.Reason {
		t.Errorf("error reason %q", got)
	}
}
