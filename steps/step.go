package steps

import (
	"context"
	"github.com/fix401/fix401/internal/sso"
	"reflect"
	"strings"
	"time"

	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/judge"
	"github.com/fix401/fix401/internal/oscmd"
)

// Inputs are what the person supplied for the steps that need it.
type Inputs struct {
	Proxy string
	// ProxyUser and ProxyPassword answer a proxy's 407 (relogin).
	ProxyUser, ProxyPassword string
	// Credentials for relogin: a user and password (HTTP challenge or form),
	// or a bearer token. BearerEnv names where the token came from.
	User, Password       string
	BearerToken          string
	BearerEnv            string
	LoginURL             string
	UserSel, PasswordSel string
	SubmitSel            string
	// DNSFlushCommand overrides the OS's flush.
	DNSFlushCommand string
	Runner          oscmd.Runner
	GOOS            string
	// OneBaselineLoad makes reproduce load once: a scheduled check only
	// asks whether the first load is healthy, and answers it many times.
	OneBaselineLoad bool
}

// Observation is a load and its verdict.
type Observation struct {
	Load    *browser.Load
	Verdict judge.Verdict
}

// OK reports whether the load was healthy.
func (o *Observation) OK() bool { return o != nil && o.Verdict.OK }

// SignIn is the single sign-on the observed load went through; ok is
// false without one (or without an observation).
func (o *Observation) SignIn() (sso.Flow, bool) {
	if o == nil || o.Load == nil {
		return sso.Flow{}, false
	}
	return o.Load.SignInFlow()
}

// Env is what a step may use: the target, the browser session, loads that
// are judged and recorded, and a log that ends up in the report.
type Env interface {
	// Target is the URL under diagnosis (a corrected one once url-check found it).
	Target() string
	// Load navigates to url, judges the load and records it as evidence.
	Load(ctx context.Context, url string) (*Observation, error)
	// Reload reloads the current page as F5 does, judged and recorded.
	Reload(ctx context.Context) (*Observation, error)
	// Baseline is the first load of the run (nil inside reproduce).
	Baseline() *Observation
	// Logf adds a line to the step's log (shown in the report).
	Logf(format string, args ...any)
	// MaxWait bounds how long a step may wait for the server (Retry-After).
	MaxWait() time.Duration
	// Session is the browser tab the run uses now.
	Session() *browser.Session
	// Inputs are the person's flags for the steps.
	Inputs() Inputs
	// NewBrowser replaces the run's browser with a new process with an empty
	// profile, and says what it did in words.
	NewBrowser(ctx context.Context) (string, error)
	// UseProxy moves the run to a new browser context that sends every
	// request through proxy.
	UseProxy(ctx context.Context, proxy string) error
	// Relaunch moves the run to a new browser process with an empty profile
	// and the start-up options change makes; browser.ErrRemote for a
	// remote browser.
	Relaunch(ctx context.Context, change func(*browser.Options)) error
	// Scratch is a private folder of the run's, removed when it ends (a
	// Kerberos ticket cache of its own).
	Scratch() (string, error)
}

// Outcome is what a step did.
type Outcome struct {
	// Action is a sentence a person could follow by hand in their own browser.
	Action string
	// Skip, when set, says why the step did not apply.
	Skip string
	// Info marks a diagnostic-only step (it cannot fix anything).
	Info bool
	// Judged is the load that decides the step, when the step made its own;
	// nil makes the agent load the target again after the step.
	Judged *Observation
	// NoLoad says the step changed nothing, so no load is judged and it
	// takes no credit.
	NoLoad bool
	// CorrectedURL is a better URL that loads, found by url-check.
	CorrectedURL string
	// Summary is a short line for the terminal, when Action is too long and
	// there is no judged load to show.
	Summary string
	// Evidence is the step's facts for the report: a struct of the step's
	// own (ReproduceEvidence, ReloadEvidence, …) whose json names are the
	// report's keys; see EvidenceMap.
	Evidence any
}

// Step is one remedy (or the baseline).
type Step interface {
	ID() string
	Title() string
	// Help says in one sentence what the step does, for `fix401 steps`.
	Help() string
	// FixedPhrase names the step as the object of "fixed by …" ("clearing
	// the browser cache"); "" for a step that cannot fix anything.
	FixedPhrase() string
	// ByHand is what a person does to repeat the step in each of Browsers,
	// as short steps (text in backticks is something to type); nil when
	// there is nothing to repeat. The report shows it for the fixing step.
	ByHand() map[string][]string
	Run(ctx context.Context, env Env) (Outcome, error)
}

// Needs says which of the person's inputs a step cannot do without.
type Needs struct {
	Credentials bool // a user with a password, or a bearer token
	Proxy       bool // --proxy
}

// NeedsOf returns what the step with id needs; a step says so with a
// Needs() Needs method, and most need nothing.
func NeedsOf(id string) Needs {
	if s, ok := ByID(id).(interface{ Needs() Needs }); ok {
		return s.Needs()
	}
	return Needs{}
}

// UserSide says whether the step, when it fixes the page, fixed it on the
// user's side (their URL, browser state, machine or account), so that the
// site owner has nothing to be told; a step says so with a
// FixedOnUserSide() bool method.
func UserSide(id string) bool {
	s, ok := ByID(id).(interface{ FixedOnUserSide() bool })
	return ok && s.FixedOnUserSide()
}

// Browsers are the browsers ByHand explains the fix for, in the order the
// reports show them.
var Browsers = []string{"Chrome", "Edge", "Firefox", "Safari"}

// All returns every step in the order a person should try them: cheapest and
// least destructive first. The list is explicit so that the order is read
// in one place, not assembled by init functions.
func All() []Step {
	return []Step{
		Reproduce{},
		URLCheck{},
		Reload{},
		ClearCache{},
		ClearCookies{},
		FreshProfile{},
		DNSFlush{},
		IntegratedAuth{},
		Relogin{},
		ViaProxy{},
	}
}

// ByID returns the step with id, or nil.
func ByID(id string) Step {
	for _, s := range All() {
		if s.ID() == id {
			return s
		}
	}
	return nil
}

// IDs returns every step id, in order.
func IDs() []string {
	var ids []string
	for _, s := range All() {
		ids = append(ids, s.ID())
	}
	return ids
}

// EvidenceMap turns a step's evidence struct into the report's evidence
// object: one entry per json-named field, the values as they are (a
// pointer gives what it points to, or null), empty omitempty fields left
// out.
func EvidenceMap(e any) map[string]any {
	if e == nil {
		return nil
	}
	if m, ok := e.(map[string]any); ok {
		return m
	}
	v := reflect.Indirect(reflect.ValueOf(e))
	if v.Kind() != reflect.Struct {
		return nil
	}
	out := map[string]any{}
	for i := range v.NumField() {
		name, opts, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		f := v.Field(i)
		switch {
		case strings.Contains(opts, "omitempty") && f.IsZero():
		case f.Kind() == reflect.Pointer && f.IsNil():
			out[name] = nil
		case f.Kind() == reflect.Slice && f.IsNil():
			// An empty list, not null: "no cookies removed" is a fact
			// the report says ("none"), not something unknown.
			out[name] = reflect.MakeSlice(f.Type(), 0, 0).Interface()
		case f.Kind() == reflect.Pointer:
			out[name] = f.Elem().Interface()
		default:
			out[name] = f.Interface()
		}
	}
	return out
}
