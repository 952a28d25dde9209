package agent

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fix401/fix401/reports"
)

// TestAPageThatHangsDoesNotHoldTheWalk is the tester's case: a 401 page
// whose script spins once it has loaded. Each of its loads is read,
// said to have hung and ends within its time; no step errs or hangs,
// the cookie it set is still sent after the hang (reload still fails),
// and once clear-cookies removes it the site answers a normal page,
// which loads in its normal time: the fix is found.
func TestAPageThatHangsDoesNotHoldTheWalk(t *testing.T) {
	var firsts atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		if _, err := r.Cookie("stale"); err != nil && firsts.Add(1) > 1 {
			fmt.Fprint(w, `<!doctype html><title>Reports</title><h1>Welcome back</h1>`)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "stale", Value: "session-from-yesterday", Path: "/"})
		w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
		w.WriteHeader(401)
		fmt.Fprint(w, `<!doctype html><title>401 Unauthorized</title><h1>Unauthorized</h1><script>setTimeout(() => { while (true) {} }, 10)</script>`)
	}))
	defer ts.Close()
	const timeout = 4 * time.Second
	r := runDiag(t, Config{URL: ts.URL + "/spin", Only: []string{"reproduce", "clear-cookies", "reload"}, Timeout: timeout}).Report
	if r.Outcome != reports.Fixed || r.FixedBy == nil || *r.FixedBy != "clear-cookies" {
		t.Errorf("outcome %s, fixed by %v", r.Outcome, r.FixedBy)
	}
	for _, s := range r.Steps {
		if s.Result == reports.StepError {
			t.Errorf("%s: %s", s.ID, s.Error)
		}
		for i, l := range s.Loads {
			spun := l.Status != nil && *l.Status == 401
			if spun != (l.Hung != "") || l.TimedOut {
				t.Errorf("%s load %d: status %v, hung %q, timed out %v", s.ID, i+1, l.Status, l.Hung, l.TimedOut)
			}
		}
	}
	if got := stepResult(r, "reload"); got != reports.StillFailing {
		t.Errorf("reload: %s", got)
	}
	var said bool
	for _, line := range r.Log {
		said = said || line.Step == "clear-cookies" && strings.Contains(line.Message, "sessionStorage")
	}
	if !said {
		t.Errorf("clear-cookies did not say the closed page's sessionStorage was not cleared: %+v", r.Log)
	}
}
