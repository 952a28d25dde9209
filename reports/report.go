package reports

import (
	"time"
)

// SchemaID is the report schema this package writes.
const SchemaID = "fix401.report/v1"

// Outcome of a run.
type Outcome string

// Outcomes, as the schema names them.
const (
	Healthy        Outcome = "healthy"
	Fixed          Outcome = "fixed"
	Unresolved     Outcome = "unresolved"
	NotAuthFailure Outcome = "not_auth_failure"
	Error          Outcome = "error"
)

// Result of one step.
type Result string

// Step results, as the schema names them.
const (
	Failing      Result = "failing"
	StepFixed    Result = "fixed"
	StillFailing Result = "still_failing"
	Skipped      Result = "skipped"
	StepError    Result = "error"
	Info         Result = "info"
)

// Report is the whole run. Field order follows the schema.
type Report struct {
	Schema      string      `json:"schema"`
	Tool        Tool        `json:"tool"`
	Target      Target      `json:"target"`
	Environment Environment `json:"environment"`
	StartedAt   time.Time   `json:"started_at"`
	DurationMS  int64       `json:"duration_ms"`
	Outcome     Outcome     `json:"outcome"`
	FixedBy     *string     `json:"fixed_by"`
	Confirmed   *bool       `json:"confirmed"`
	// Isolation is --isolate's answer: the fixing step tried alone from
	// the starting state (see the Isolation* values); nil without it.
	Isolation *string   `json:"isolation,omitempty"`
	Error     *string   `json:"error"`
	Steps     []Step    `json:"steps"`
	Diagnosis Diagnosis `json:"diagnosis"`
	Artifacts Artifacts `json:"artifacts"`
	Log       []LogLine `json:"log,omitempty"`
}

// Tool names the program that wrote the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Target is what was diagnosed. URLs are redacted before they get here.
type Target struct {
	URL          string  `json:"url"`
	FinalURL     string  `json:"final_url,omitempty"`
	CorrectedURL *string `json:"corrected_url"`
}

// Environment says where the run happened, without host or user names.
type Environment struct {
	OS              string `json:"os"`
	Arch            string `json:"arch"`
	Browser         string `json:"browser,omitempty"`
	RemoteBrowser   bool   `json:"remote_browser,omitempty"`
	BrowserLaunches int64  `json:"browser_launches"`
	CookiesFile     bool   `json:"cookies_file,omitempty"`
	Profile         bool   `json:"profile,omitempty"`
	// Sandbox says whether the local browser ran with Chrome's sandbox;
	// absent for a remote browser. SandboxOff says why it did not (as
	// root, or FIX401_NO_SANDBOX).
	Sandbox    *bool  `json:"sandbox,omitempty"`
	SandboxOff string `json:"sandbox_off,omitempty"`
	// RecordedBy is the tool that recorded the HAR `fix401 analyze` read
	// ("WebInspector 537.36", "Playwright 1.65.1"); set only then.
	RecordedBy string `json:"recorded_by,omitempty"`
}

// Step is one step of the walk.
type Step struct {
	ID         string  `json:"id"`
	Title      string  `json:"title,omitempty"`
	Result     Result  `json:"result"`
	SkipReason *string `json:"skip_reason"`
	Action     string  `json:"action,omitempty"`
	// FixedPhrase names the step as the object of "fixed by …".
	FixedPhrase string `json:"fix_phrase,omitempty"`
	// UserSide, on the fixing step, says the fix was on the user's side
	// (URL, browser state, machine, account): nothing to tell the owner.
	UserSide bool `json:"user_side,omitempty"`
	// Instructions, on the fixing step, say how to repeat it by hand in
	// each browser.
	Instructions []BrowserSteps `json:"instructions,omitempty"`
	DurationMS   int64          `json:"duration_ms"`
	Load         *Load          `json:"load,omitempty"`
	Loads        []Load         `json:"loads,omitempty"` // every load the step made; Load is the one judged
	Evidence     map[string]any `json:"evidence,omitempty"`
	Error        string         `json:"error,omitempty"`
}

// BrowserSteps is how to do something by hand in one browser.
type BrowserSteps struct {
	Browser string   `json:"browser"`
	Steps   []string `json:"steps"`
}

// Load is one judged page load.
type Load struct {
	OK              bool             `json:"ok"`
	Kind            string           `json:"kind"`
	Reason          string           `json:"reason,omitempty"`
	Status          *int             `json:"status"`
	StatusText      string           `json:"status_text,omitempty"`
	URL             string           `json:"url,omitempty"`
	FinalURL        string           `json:"final_url,omitempty"`
	RemoteIP        *string          `json:"remote_ip"`
	FromCache       *bool            `json:"from_cache"`
	NetError        string           `json:"net_error,omitempty"`
	TimedOut        bool             `json:"timed_out,omitempty"`
	Title           string           `json:"title,omitempty"`
	DurationMS      int64            `json:"duration_ms"`
	FailingRequests []FailingRequest `json:"failing_requests,omitempty"`
	// Dialogs are the JavaScript dialogs the page opened, "type: message";
	// each was dismissed.
	Dialogs []string `json:"dialogs,omitempty"`
	// Hung, when set, says how the page's script held the page (an
	// endless loop), how fix401 stopped it, and whether the page closed.
	Hung       string  `json:"hung,omitempty"`
	Screenshot *string `json:"screenshot"`
	// SignInHops are the document requests of a load that went through a
	// single sign-on, in order: app → provider → app. Only hosts and
	// paths, never parameters or cookie values.
	SignInHops []Hop `json:"sign_in_hops,omitempty"`
	// TLSCertExpires is the earliest expiry of the certificates the
	// load's https documents were served with (RFC 3339).
	TLSCertExpires string `json:"tls_cert_expires,omitempty"`
}

// Hop is one document request of a sign-in's redirect chain.
type Hop struct {
	Host   string `json:"host"`
	Path   string `json:"path"`
	Method string `json:"method,omitempty"`
	Status int    `json:"status,omitempty"`
	// Error is the browser's net error when the hop failed.
	Error string `json:"error,omitempty"`
	// Side is "app" (the page's own host), "provider" (the identity
	// provider's) or "other".
	Side string `json:"side"`
	// Message is what the hop carried of the sign-in protocol: "OpenID
	// Connect sign-in request", "answer", "error=access_denied",
	// "SAML StatusCode Responder/AuthnFailed".
	Message string `json:"message,omitempty"`
	// CookiesSet are the names of the cookies the response set;
	// CookiesRefused the ones the browser would not store or send, with
	// why ("name: SameSiteLax").
	CookiesSet     []string `json:"cookies_set,omitempty"`
	CookiesRefused []string `json:"cookies_refused,omitempty"`
}

// FailingRequest is a sub-request that answered 401 or 407.
type FailingRequest struct {
	URL    string `json:"url"`
	Method string `json:"method,omitempty"`
	Status int    `json:"status"`
	Type   string `json:"type"`
}

// Challenge is one parsed WWW-Authenticate (or Proxy-Authenticate) challenge.
type Challenge struct {
	Scheme  string            `json:"scheme"`
	Token68 *string           `json:"token68"`
	Params  map[string]string `json:"params"`
}

// Diagnosis is the plain-words explanation.
type Diagnosis struct {
	Kind         string      `json:"kind"`
	Status       *int        `json:"status"`
	Header       string      `json:"header,omitempty"` // WWW-Authenticate or Proxy-Authenticate
	HeaderLines  []string    `json:"header_lines,omitempty"`
	HeaderValid  *bool       `json:"header_valid,omitempty"`
	HeaderError  *string     `json:"header_error,omitempty"`
	Challenges   []Challenge `json:"challenges"`
	Explanations []string    `json:"explanations,omitempty"`
	Warnings     []string    `json:"warnings,omitempty"`
	BearerError  *string     `json:"bearer_error"`
	BearerDesc   *string     `json:"bearer_error_description,omitempty"`
	IISSubstatus *string     `json:"iis_substatus"`
	IISMeaning   string      `json:"iis_meaning,omitempty"`
	RetryAfterS  *int        `json:"retry_after_s"`
	Intermittent bool        `json:"intermittent,omitempty"`
	Summary      string      `json:"summary"`
	NextSteps    []string    `json:"next_steps"`
	Contact      *Contact    `json:"contact,omitempty"`
	// Findings are the causes and warnings found, each under a stable id.
	Findings []Finding `json:"findings,omitempty"`
}

// Severity says how a finding bears on the failure.
type Severity string

const (
	Cause   Severity = "cause"   // explains the failure
	Warning Severity = "warning" // worth fixing, not the cause
	Notice  Severity = "info"    // context
)

// Finding is one cause or warning the diagnosis found (DESIGN.md
// "Findings"). Ids are a contract: JUnit messages, Prometheus labels and
// the reports key on them; never rename one. Evidence holds facts (hosts,
// names, codes, times), never a secret value.
type Finding struct {
	ID       string         `json:"id"`
	Severity Severity       `json:"severity"`
	Title    string         `json:"title"`
	Detail   string         `json:"detail,omitempty"`
	Evidence map[string]any `json:"evidence,omitempty"`
}

// What --isolate found of the fixing step, tried alone.
const (
	IsolationFixedAlone    = "fixed_alone"    // it is the minimal fix
	IsolationNotAlone      = "not_alone"      // the earlier steps are part of the fix
	IsolationNotReproduced = "not_reproduced" // the failure did not come back in a new context
	IsolationError         = "error"
)

// IsolationPhrase says Isolation in words, for the headline of every
// format and the terminal; "" without it.
func (r *Report) IsolationPhrase() string {
	if r.Isolation == nil || r.FixedBy == nil {
		return ""
	}
	switch *r.Isolation {
	case IsolationFixedAlone:
		return "minimal fix: " + *r.FixedBy + " (confirmed alone)"
	case IsolationNotAlone:
		return *r.FixedBy + " alone did not fix it: the earlier steps are part of the fix"
	case IsolationNotReproduced:
		return "could not re-create the starting state to try " + *r.FixedBy + " alone"
	}
	return "could not try " + *r.FixedBy + " alone"
}

// The finding ids the code produces so far.
const (
	FindingNoChallenge               = "no_challenge"
	FindingIntermittent              = "intermittent"
	FindingRateLimited               = "rate_limited"
	FindingCredentialsRejected       = "credentials_rejected"
	FindingAuthenticatedButForbidden = "authenticated_but_forbidden"
	FindingLoginForm                 = "login_form"
	FindingProxyCredentialsRejected  = "proxy_credentials_rejected"
	FindingProxyAuthRequired         = "proxy_auth_required"
	FindingSSOSignInRequired         = "sso_sign_in_required"
	FindingSSORedirectLoop           = "sso_redirect_loop"
	FindingCookieBlocked             = "cookie_blocked"
	FindingIdPError                  = "idp_error"
	FindingMFARequired               = "mfa_required"
	FindingTokenExpired              = "token_expired"
	FindingClockSkew                 = "clock_skew"
)

// FindingIDs lists the ids of d's findings, causes first, in order.
func (d Diagnosis) FindingIDs() []string {
	var out []string
	for _, f := range d.Ordered() {
		out = append(out, f.ID)
	}
	return out
}

// Ordered is the findings causes first, then warnings, then notices: the
// order of FindingIDs.
func (d Diagnosis) Ordered() []Finding {
	var out []Finding
	for _, sev := range []Severity{Cause, Warning, Notice} {
		for _, f := range d.Findings {
			if f.Severity == sev {
				out = append(out, f)
			}
		}
	}
	return out
}

// Contact is where to escalate.
type Contact struct {
	Webmaster   string   `json:"webmaster,omitempty"`
	SecurityTxt string   `json:"security_txt,omitempty"`
	Page        string   `json:"page,omitempty"`
	Emails      []string `json:"emails,omitempty"`
}

// Artifacts are the other files of the run, relative to the --out folder.
type Artifacts struct {
	JSON        string   `json:"json,omitempty"`
	HTML        string   `json:"html,omitempty"`
	Markdown    string   `json:"markdown,omitempty"`
	HAR         string   `json:"har,omitempty"`
	Contact     string   `json:"contact,omitempty"`
	Screenshots []string `json:"screenshots,omitempty"`
	// Dir is the report folder's absolute path: only in the copy printed
	// with --json, never in report.json (a user's paths stay off tickets).
	Dir string `json:"dir,omitempty"`
}

// LogLine is one line of a step's own log, kept in the report so a reader
// sees what the tool saw.
type LogLine struct {
	Step    string `json:"step,omitempty"`
	Level   string `json:"level"`
	Message string `json:"message"`
	AtMS    int64  `json:"at_ms"`
}
