package steps

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Reload is F5: a normal reload that revalidates the page. It first waits
// out what the server asked for (Retry-After, or an IIS dynamic IP
// restriction's 401.501/401.502), bounded by --max-wait.
type Reload struct{}

func (Reload) ID() string    { return "reload" }
func (Reload) Title() string { return "Reload" }
func (Reload) Help() string {
	return "reloads the page as F5 does, after waiting out Retry-After or an IIS 401.501/401.502 rate limit (bounded by --max-wait)"
}

// FixedPhrase names the step as the object of "fixed by".
func (Reload) FixedPhrase() string { return "reloading the page" }

// ByHand is what a person does in each browser to repeat the step.
func (Reload) ByHand() map[string][]string {
	return map[string][]string{
		"Chrome": {
			"Press F5 or Ctrl+R (Cmd+R on Mac)",
			"If the page asked to wait (a rate limit), wait that long before reloading",
		},
		"Edge": {
			"Press F5 or Ctrl+R",
			"If the page asked to wait (a rate limit), wait that long before reloading",
		},
		"Firefox": {
			"Press F5 or Ctrl+R (Cmd+R on Mac)",
			"If the page asked to wait (a rate limit), wait that long before reloading",
		},
		"Safari": {
			"Press Cmd+R, or click the reload arrow in the address bar",
			"If the page asked to wait (a rate limit), wait that long before reloading",
		},
	}
}

// iisRateLimitWait is how long to wait when IIS says "too many requests"
// without a Retry-After: its dynamic IP restriction counts per second.
const iisRateLimitWait = 2 * time.Second

func (Reload) Run(ctx context.Context, env Env) (Outcome, error) {
	var ev ReloadEvidence
	wait, why := time.Duration(0), ""
	if b := env.Baseline(); b != nil {
		if s, err := strconv.Atoi(strings.TrimSpace(b.Load.Header.Get("Retry-After"))); err == nil && s > 0 {
			wait, why = time.Duration(s)*time.Second, "the server's Retry-After"
			ev.RetryAfterS = &s
		} else if t, err := http.ParseTime(b.Load.Header.Get("Retry-After")); err == nil {
			wait, why = time.Until(t).Round(time.Second), "the server's Retry-After"
			ev.RetryAfterS = new(int(wait.Seconds()))
		}
		if sub := b.Verdict.IISSubstatus; wait == 0 && (sub == "401.501" || sub == "401.502") {
			wait, why = iisRateLimitWait, "IIS's rate limit (401"+strings.TrimPrefix(sub, "401")+")"
		}
	}
	action := "Reloaded the page (F5)."
	if wait > 0 {
		if limit := env.MaxWait(); wait > limit {
			env.Logf("the server asked to wait %s; waiting only --max-wait %s", wait, limit)
			wait = limit
		}
		// Waiting here is what the server asked for, not a guess: it is the
		// remedy itself.
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return Outcome{}, ctx.Err()
		case <-t.C:
		}
		ev.WaitedS = new(int(wait.Round(time.Second).Seconds()))
		action = fmt.Sprintf("Waited %s as %s asked, then reloaded the page (F5).", wait.Round(time.Second), why)
	}
	obs, err := env.Reload(ctx)
	if err != nil {
		return Outcome{}, err
	}
	return Outcome{Action: action, Judged: obs, Evidence: ev}, nil
}

// ReloadEvidence is what reload records.
type ReloadEvidence struct {
	RetryAfterS *int `json:"retry_after_s,omitempty"` // what the server asked
	WaitedS     *int `json:"waited_s,omitempty"`      // what was waited (bounded by --max-wait)
}
