package check

import (
	"testing"

	"github.com/fix401/fix401/reports"
)

func report(outcome reports.Outcome, kind string, status int, fixedBy string, confirmed *bool) *reports.Report {
	r := &reports.Report{Outcome: outcome, Confirmed: confirmed}
	r.Diagnosis.Kind = kind
	if status > 0 {
		r.Diagnosis.Status = &status
	}
	if fixedBy != "" {
		r.FixedBy = &fixedBy
	}
	if outcome == reports.Error {
		msg := "the run took longer than --max-time"
		r.Error = &msg
	}
	return r
}

func TestMatch(t *testing.T) {
	yes, no := true, false
	healthy := report(reports.Healthy, "none", 200, "", nil)
	unresolved := report(reports.Unresolved, "http_401", 401, "", nil)
	fixed := report(reports.Fixed, "http_401", 401, "clear-cookies", &yes)
	flaky := report(reports.Fixed, "http_401", 401, "clear-cookies", &no)
	forbidden := report(reports.NotAuthFailure, "forbidden_403", 403, "", nil)
	proxy := report(reports.Unresolved, "proxy_407", 0, "", nil)
	stopped := report(reports.Error, "network_error", 0, "", nil)

	hl := Expect{Kind: ExpectHealthy}
	ar := Expect{Kind: ExpectAuthRequired}
	fc := Expect{Kind: ExpectFixedBy, Step: "clear-cookies"}
	fr := Expect{Kind: ExpectFixedBy, Step: "reload"}
	for _, tt := range []struct {
		name   string
		expect Expect
		rep    *reports.Report
		want   Verdict
		reason string
	}{
		{"healthy page", hl, healthy, Pass, ""},
		{"healthy page answers 401", hl, unresolved, Fail, "expected healthy, got unresolved (http_401, 401)"},
		{"healthy page fixed by a step is still a failure", hl, fixed, Fail, "expected healthy, got fixed by clear-cookies (http_401, 401)"},
		{"protected page", ar, unresolved, Pass, ""},
		{"protected by a proxy", ar, proxy, Pass, ""},
		{"protected page that a remedy opens is still protected", ar, fixed, Pass, ""},
		{"protected page loads", ar, healthy, Fail, "expected auth_required, got healthy: the page loads without signing in"},
		{"protected page is forbidden", ar, forbidden, Fail, "expected auth_required, got not_auth_failure (forbidden_403, 403)"},
		{"fixed by the expected step", fc, fixed, Pass, ""},
		{"fixed by another step", fr, fixed, Fail, "expected fixed_by reload, got fixed by clear-cookies (http_401, 401)"},
		{"fix that does not hold", fc, flaky, Fail, "expected fixed_by clear-cookies: it fixed the page once but the fix did not hold on a second load"},
		{"nothing fixes it", fc, unresolved, Fail, "expected fixed_by clear-cookies, got unresolved (http_401, 401)"},
		{"healthy when a fix is expected", fc, healthy, Fail, "expected fixed_by clear-cookies, got healthy (200)"},
		{"run stopped", hl, stopped, Error, "the run took longer than --max-time"},
		{"run stopped, auth_required", ar, stopped, Error, "the run took longer than --max-time"},
	} {
		got, reason := Match(tt.expect, tt.rep)
		if got != tt.want || reason != tt.reason {
			t.Errorf("%s: Match = %s, %q; want %s, %q", tt.name, got, reason, tt.want, tt.reason)
		}
	}
}
