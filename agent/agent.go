package agent

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/rs/zerolog"

	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/judge"
	"github.com/fix401/fix401/internal/oscmd"
	"github.com/fix401/fix401/internal/redact"
	"github.com/fix401/fix401/internal/suggest"
	"github.com/fix401/fix401/reports"
	"github.com/fix401/fix401/steps"
)

// ErrInterrupted is the cause given to the run's context when the person
// pressed Ctrl-C (or the scheduler sent SIGTERM).
var ErrInterrupted = errors.New("interrupted")

// ErrMaxTime is the cause given to the run's context when --max-time ran out.
var ErrMaxTime = errors.New("the run took longer than --max-time")

// Config is one diagnosis.
type Config struct {
	URL      string
	Browser  *browser.Browser
	Isolated bool // run in a new browser context (check does; diagnose uses the default one)

	Timeout time.Duration // one page load
	MaxWait time.Duration // longest wait for Retry-After
	Only    []string      // --steps: run only these (reproduce always runs)
	Skip    []string      // --skip
	All     bool          // keep going after the fix

	Screenshots bool
	Isolate     bool // re-run the fixing step alone from the starting state

	// Inputs are the person's flags for the steps (credentials, proxy, DNS).
	Inputs steps.Inputs
	// Cookies are the user's starting state, loaded before reproduce.
	Cookies []browser.Cookie

	Version  string
	Now      func() time.Time // injectable clock
	Log      zerolog.Logger
	Progress func(Progress)
	Secrets  []string // literal secrets to keep out of every text, masked in pages once sent (relogin)
	// StateSecrets are secrets the browser holds from the start (the
	// user's cookies): masked in what pages show from the first load on.
	StateSecrets []string

	// keepProcess makes "a new browser" keep the old tab: the tests use it
	// to show that fresh-profile's fixes come from the new process.
	keepProcess bool
}

// Progress is one event for the live display.
type Progress struct {
	Step   string
	Title  string
	Done   bool
	Result reports.Result
	Line   string // short summary of what the step saw
	Fixed  bool
	// Fixing marks the step that fixed the page (with --all, the first);
	// Confirmed says whether a second load kept it fixed (nil: unknown).
	Fixing    bool
	Confirmed *bool
	Elapsed   time.Duration
}

// Result is a finished diagnosis: the report and the files it refers to.
type Result struct {
	Report *reports.Report
	// Files are the artifacts other than the report formats, by relative
	// path (screenshots).
	Files map[string][]byte
	// Requests is every request the run made, for the HAR.
	Requests []*browser.Request
	// Pages are the loads of the run in order, for the HAR's pages: each
	// request's Load field is the Index of one of them.
	Pages []Page
	// Sent are the supplied secrets (Config.Secrets in every form they
	// travel in), which the browser held from load SentFrom on: the HAR
	// masks them in that load and later ones, where a page may echo them,
	// and leaves the words of earlier pages alone. SentFrom is
	// math.MaxInt when the run never sent them.
	Sent     []string
	SentFrom int
	// Stored are the secrets the pages kept in their storage (a
	// single-page app's token): the server handed them out in a response
	// the HAR keeps, and they go from all of it.
	Stored []string
}

// Page is one load of the run, named after its step.
type Page struct {
	Index    int    // browser.Load.Index, the requests' Load
	Step     string // step id
	Title    string // e.g. "reproduce · load 1 · 401 Unauthorized"
	URL      string // redacted
	Started  time.Time
	Duration time.Duration
}

// Plan returns the steps a run will take, in order.
func Plan(only, skip []string) ([]steps.Step, error) {
	for _, id := range append(slices.Clone(only), skip...) {
		if steps.ByID(id) == nil {
			return nil, fmt.Errorf("unknown step %q%s (steps: %s)", id, suggest.Hint(id, steps.IDs()), strings.Join(steps.IDs(), ", "))
		}
	}
	if slices.Contains(skip, "reproduce") {
		return nil, errors.New("reproduce cannot be skipped: it is the baseline every run starts from")
	}
	var plan []steps.Step
	for _, s := range steps.All() {
		id := s.ID()
		switch {
		case id == "reproduce": // the baseline cannot be skipped
		case len(only) > 0 && !slices.Contains(only, id):
			continue
		case slices.Contains(skip, id):
			continue
		}
		plan = append(plan, s)
	}
	if len(skip) > 0 && len(plan) == 1 {
		return nil, errors.New("--skip leaves no remedy to try (give --steps reproduce to only reproduce the failure)")
	}
	return plan, nil
}

// encodings adds to secrets the forms in which they travel and a page may
// echo them: URL-encoded, and for a user and password, the base64 of
// "user:password" that Basic sends.
func encodings(secrets []string, user, password string) []string {
	out := slices.Clone(secrets)
	add := func(s string) {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, s := range secrets {
		add(url.QueryEscape(s))
		add(url.PathEscape(s))
	}
	if user != "" && password != "" {
		add(base64.StdEncoding.EncodeToString([]byte(user + ":" + password)))
		add(base64.RawURLEncoding.EncodeToString([]byte(user + ":" + password)))
	}
	return out
}

// Diagnose runs the whole diagnosis. It returns an error only when no
// report can be made at all (bad plan, no tab); everything else, including
// interruption, ends up in the report.
func Diagnose(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 20 * time.Second
	}
	plan, err := Plan(cfg.Only, cfg.Skip)
	if err != nil {
		return nil, err
	}
	if cfg.Inputs.GOOS == "" {
		cfg.Inputs.GOOS = runtime.GOOS
	}
	if cfg.Inputs.Runner == nil {
		cfg.Inputs.Runner = oscmd.System{}
	}
	cfg.Secrets = encodings(cfg.Secrets, cfg.Inputs.User, cfg.Inputs.Password)
	cfg.StateSecrets = encodings(cfg.StateSecrets, "", "")
	sess, err := cfg.Browser.NewSession(cfg.Isolated)
	if err != nil {
		return nil, err
	}
	r := &run{cfg: cfg, sess: sess, browser: cfg.Browser, target: cfg.URL, started: cfg.Now(), files: map[string][]byte{}, shotNames: map[*browser.Load]string{},
		reported: map[*steps.Observation]reports.Load{}}
	// The URL's own secrets (a token parameter, a session in the path)
	// go with the first request: a 401 page that echoes its address shows
	// them, in its title, its text and its screenshot.
	r.remember(urlSecrets(cfg.URL)...)
	defer r.close()
	if err := r.startingState(ctx, sess); err != nil {
		return nil, err
	}
	r.report = &reports.Report{
		Schema:    reports.SchemaID,
		Tool:      reports.Tool{Name: "fix401", Version: cfg.Version},
		Target:    reports.Target{URL: redact.URL(cfg.URL)},
		StartedAt: r.started.UTC(),
		Environment: reports.Environment{
			OS: runtime.GOOS, Arch: runtime.GOARCH, Browser: cfg.Browser.Product(),
			RemoteBrowser: cfg.Browser.Remote(),
		},
		Steps: []reports.Step{},
	}
	r.walk(ctx, plan)
	if b := r.baseline; b != nil && !b.OK() && r.fixedObs == nil &&
		// Not for a proxy's 407 (the network team's) nor for a host that
		// cannot be reached: no site owner can be told through it.
		b.Verdict.Kind != judge.Proxy407 && b.Verdict.Kind != judge.NetworkError {
		// Looking up security.txt costs a load: worth it when remedies were
		// tried and failed, not on a quick baseline (a scheduled check).
		r.contact = r.findContact(ctx, len(plan) > 1)
	}
	r.report.Environment.BrowserLaunches = int64(len(r.owned))
	r.report.Environment.CookiesFile = len(cfg.Cookies) > 0
	if !cfg.Browser.Remote() {
		r.report.Environment.BrowserLaunches++ // the browser this run was given
		off := browser.SandboxOff()
		r.report.Environment.Sandbox, r.report.Environment.SandboxOff = new(off == ""), off
	}
	r.finish()
	return &Result{Report: r.report, Files: r.files, Requests: r.requests(), Pages: r.pages, Sent: r.cfg.Secrets, SentFrom: r.sentFromOrNever(), Stored: r.stored}, nil
}

// run is the state of one diagnosis; it is the steps.Env of every step.
type run struct {
	cfg       Config
	sess      *browser.Session
	browser   *browser.Browser                    // the browser sess lives in
	owned     []*browser.Browser                  // browsers this run started (fresh-profile, dns-flush)
	old       []*browser.Session                  // sessions replaced during the run, for the HAR
	lastURL   string                              // what the tab shows now
	launched  int                                 // owned browsers already closed
	isolating bool                                // isolate keeps the main tab open to return to it
	closing   sync.WaitGroup                      // browsers being closed in the background
	retired   []func()                            // closes put off until the next load, see swap
	sent      bool                                // the secrets were sent: what pages show is masked, see mask
	sentFrom  int                                 // the first load that may have sent them, see Result.SentFrom
	recording *Recording                          // set when a HAR is analyzed instead of a page loaded
	recovered bool                                // the recording failed, then ended on the page loaded
	seen      []string                            // credentials seen in traffic (cookies, Authorization), masked too
	stored    []string                            // secrets the pages kept in their storage, see Result.Stored
	contact   *reports.Contact                    // where to escalate, when nothing fixed it
	scratch   string                              // the run's private folder, see Scratch
	observed  []*steps.Observation                // every load judged, in order
	reported  map[*steps.Observation]reports.Load // each load as the report has it
	target    string
	started   time.Time
	report    *reports.Report
	files     map[string][]byte
	shots     []*browser.Load          // recent loads that captured a screenshot, see LoadOptions.Like
	shotNames map[*browser.Load]string // screenshot file of each load that captured one
	pages     []Page
	baseline  *steps.Observation
	fixedObs  *steps.Observation

	// the step being run
	cur      *reports.Step
	curIndex int
	curStart time.Time
}

func (r *run) Target() string               { return r.target }
func (r *run) Baseline() *steps.Observation { return r.baseline }
func (r *run) MaxWait() time.Duration       { return r.cfg.MaxWait }
func (r *run) Session() *browser.Session    { return r.sess }
func (r *run) Inputs() steps.Inputs         { return r.cfg.Inputs }
func (r *run) Load(ctx context.Context, url string) (*steps.Observation, error) {
	l, err := r.sess.Navigate(ctx, url, r.loadOptions())
	r.retire()
	if err == nil {
		r.lastURL = url
		if l.Redirected {
			r.lastURL = l.FinalURL // F5 now would reload where it ended
		}
	}
	return r.observe(l, err)
}

// Reload reloads the target as F5 does; when the tab shows another page
// (url-check walked elsewhere), loading the target again is the reload.
func (r *run) Reload(ctx context.Context) (*steps.Observation, error) {
	if r.lastURL != r.target {
		return r.Load(ctx, r.target)
	}
	l, err := r.sess.Reload(ctx, r.target, r.loadOptions())
	r.retire()
	return r.observe(l, err)
}

// NewBrowser moves the run into another browser with an empty profile:
// what that is (a new process, or a new context of a remote browser) the
// browser layer decides.
func (r *run) NewBrowser(ctx context.Context) (string, error) {
	if r.cfg.keepProcess {
		return "the same browser process (a test's stand-in)", nil
	}
	b, s, how, err := r.browser.Fresh(ctx)
	if err != nil {
		return "", err
	}
	if b != r.browser {
		r.owned = append(r.owned, b)
		r.browser = b
	}
	r.swap(s)
	return how, nil
}

// Relaunch moves the run into a new local browser with changed start-up
// options.
func (r *run) Relaunch(ctx context.Context, change func(*browser.Options)) error {
	b, s, err := r.browser.Relaunch(ctx, change)
	if err != nil {
		return err
	}
	r.owned = append(r.owned, b)
	r.browser = b
	r.swap(s)
	return nil
}

// Scratch is the run's private folder, made on first use and removed by
// close.
func (r *run) Scratch() (string, error) {
	if r.scratch == "" {
		d, err := os.MkdirTemp("", "fix401-run-")
		if err != nil {
			return "", err
		}
		r.scratch = d
	}
	return r.scratch, nil
}

// UseProxy moves the run to a new browser context that uses proxy.
func (r *run) UseProxy(ctx context.Context, proxy string) error {
	s, err := r.browser.Open(browser.SessionOptions{Isolated: true, Proxy: proxy})
	if err != nil {
		return err
	}
	r.swap(s)
	return nil
}

// swap makes s the run's tab. The old tab (its requests stay recorded for
// the HAR) and a browser this run started that no tab uses any more are
// closed once the new tab has loaded a page: a person trying another
// browser opens it beside the old one, whose connections stay open until
// then, and on two cores an idle Chromium still costs.
func (r *run) swap(s *browser.Session) {
	old := r.sess
	r.old = append(r.old, old)
	r.sess, r.lastURL = s, ""
	if old != r.sess && !r.isolating {
		r.retired = append(r.retired, old.Close)
	}
	for i, b := range r.owned {
		if b != nil && b != r.browser {
			r.retired = append(r.retired, func() {
				// In the background: the next step need not wait for it.
				r.closing.Go(func() {
					if err := b.Close(); err != nil {
						r.cfg.Log.Warn().Err(err).Msg("closing a browser")
					}
				})
			})
			r.owned[i] = nil
		}
	}
}

// retire closes what swap put off.
func (r *run) retire() {
	for _, f := range r.retired {
		f()
	}
	r.retired = nil
}

// requests is every request of every tab the run used, for the HAR.
func (r *run) requests() []*browser.Request {
	var out []*browser.Request
	if r.recording != nil {
		for _, l := range r.recording.Loads {
			out = append(out, l.Requests...)
		}
		return out
	}
	for _, s := range r.sessions() {
		out = append(out, s.Requests()...)
	}
	return out
}

// sessions is every tab the run used, each once, in the order first used.
func (r *run) sessions() []*browser.Session {
	var out []*browser.Session
	for _, s := range append(slices.Clone(r.old), r.sess) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// close ends the run's tabs and the browsers it started. Tabs of the
// browser the run was given close in the background: their requests are
// recorded already, and the caller need not wait for the browser to
// dispose of them.
func (r *run) close() {
	r.retire()
	for _, s := range r.sessions() {
		go s.Close()
	}
	for _, b := range r.owned {
		if b == nil {
			continue
		}
		if err := b.Close(); err != nil {
			r.cfg.Log.Warn().Err(err).Msg("closing a browser")
		}
	}
	r.closing.Wait()
	if r.scratch != "" {
		os.RemoveAll(r.scratch)
	}
}

// startingState loads the user's cookies into a fresh tab.
func (r *run) startingState(ctx context.Context, s *browser.Session) error {
	if len(r.cfg.Cookies) == 0 {
		return nil
	}
	if err := s.SetCookies(ctx, r.cfg.Cookies); err != nil {
		return fmt.Errorf("loading the cookies: %w", err)
	}
	return nil
}

func (r *run) loadOptions() browser.LoadOptions {
	return browser.LoadOptions{Timeout: r.cfg.Timeout, Screenshot: r.cfg.Screenshots, Like: r.shots, Mask: r.held()}
}

// held are the secrets the browser may have sent so far, so that a page
// can show them: the user's cookies from the start, the password and
// token once relogin sent them.
func (r *run) held() []string {
	out := append(slices.Clone(r.cfg.StateSecrets), r.seen...)
	if r.sent {
		out = append(out, r.cfg.Secrets...)
	}
	return out
}

// markSent notes that from the next load on the browser may send the
// supplied secrets (see Result.SentFrom).
func (r *run) markSent() {
	if !r.sent {
		r.sentFrom = browser.LoadsBegun() + 1
	}
	r.sent = true
}

// ownWords makes fix401's own sentence about a step safe for the report:
// the URLs it quotes lose their secrets. The run's own URLs are replaced
// whole with their redacted form, since free text cannot tell where a URL
// with a stray space ends ("?token =…").
func (r *run) ownWords(s string) string {
	urls := []string{r.cfg.URL, r.target}
	if len(urls[1]) > len(urls[0]) {
		urls[0], urls[1] = urls[1], urls[0] // the longer first: one may begin the other
	}
	for _, u := range urls {
		if u != "" {
			s = strings.ReplaceAll(s, u, redact.URL(u))
		}
	}
	return redact.Text(s)
}

// sentFromOrNever is Result.SentFrom.
func (r *run) sentFromOrNever() int {
	if !r.sent {
		return math.MaxInt
	}
	return r.sentFrom
}

// harvest adds to seen the credentials l's traffic carried (see
// browser.CredentialValues): a page may echo them later.
func (r *run) harvest(l *browser.Load) {
	r.remember(browser.CredentialValues(l.Requests)...)
	r.remember(l.StoredSecrets...)
	r.stored = appendNew(r.stored, l.StoredSecrets...)
	for _, q := range l.Requests {
		for _, h := range q.Hops() {
			r.remember(urlSecrets(h.URL)...)
		}
	}
}

// remember adds secrets the browser holds or sent to seen.
func (r *run) remember(secrets ...string) { r.seen = appendNew(r.seen, secrets...) }

// appendNew appends to list the values it does not hold yet.
func appendNew(list []string, values ...string) []string {
	for _, v := range values {
		if !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}

// urlSecrets are the values redact.URL removes from u that look like a
// secret, so that a page's text can be searched for them without blanking
// its words: "pin=1234" and "token=Ab3…" count, "session=expired" and
// "auth=required" do not (the URL itself loses them all the same).
func urlSecrets(u string) []string {
	var out []string
	for _, v := range redact.ParamSecrets(u) {
		if len(v) >= 16 || len(v) >= 4 && strings.ContainsFunc(v, func(c rune) bool { return !unicode.IsLetter(c) }) {
			out = append(out, v)
		}
	}
	return out
}

// mask makes text from outside (a page's title, a server's reason, an
// error) safe for the report: URLs lose their secrets always, and once the
// run sent the supplied secrets (relogin), every occurrence of them goes
// too, since a page may echo what it was sent. Before that no page can
// know them, so the text is left whole: a password that is an ordinary
// word ("page") must not garble the report, nor show by its gaps.
// fix401's own sentences never carry a secret and are not searched.
func (r *run) mask(s string) string {
	return redact.Literal(redact.Text(s), r.held()...)
}

// maskLoad masks what the page showed in l, before anything is judged or
// written from it: its title, headings, text and dialogs (see mask).
// Dialog messages are cut after masking, so no secret is cut in half.
func (r *run) maskLoad(l *browser.Load) {
	l.Title, l.Text = r.mask(l.Title), r.mask(l.Text)
	for i := range l.Headings {
		l.Headings[i] = r.mask(l.Headings[i])
	}
	for i := range l.Dialogs {
		m := []rune(r.mask(l.Dialogs[i].Message))
		if len(m) > 200 {
			m = append(m[:199], '…')
		}
		l.Dialogs[i].Message = string(m)
	}
}

func (r *run) Logf(format string, args ...any) {
	msg := redact.Text(fmt.Sprintf(format, args...)) // fix401's own words
	step := ""
	if r.cur != nil {
		step = r.cur.ID
	}
	r.cfg.Log.Info().Str("step", step).Msg(msg)
	r.report.Log = append(r.report.Log, reports.LogLine{
		Step: step, Level: "info", Message: msg, AtMS: r.cfg.Now().Sub(r.started).Milliseconds(),
	})
}

// observe judges a load and records it in the current step.
func (r *run) observe(l *browser.Load, err error) (*steps.Observation, error) {
	if err != nil {
		return nil, err
	}
	r.harvest(l)
	// Judged on what the page really showed: masked first, a password
	// that is a word of the page ("in" of "Sign in") would hide a sign-in
	// page and make a wrong password look like a fix.
	v := judge.Judge(pageOf(l))
	r.maskLoad(l)
	if masked := r.mask(v.Evidence); masked != v.Evidence {
		// The reason quotes the page: it quotes the masked page.
		v.Reason = strings.Replace(v.Reason, v.Evidence, masked, 1)
		v.Evidence = masked
	}
	o := &steps.Observation{Load: l, Verdict: v}
	rl := r.reportLoad(o)
	r.reported[o] = rl
	r.observed = append(r.observed, o)
	step := ""
	if r.cur != nil {
		r.cur.Loads = append(r.cur.Loads, rl)
		step = r.cur.ID
	}
	r.pages = append(r.pages, Page{
		Index: l.Index, Step: step, URL: redact.URL(l.URL), Started: l.Started, Duration: l.Duration,
		Title: fmt.Sprintf("%s · load %d · %s", step, len(r.pages)+1, loadPhrase(l)),
	})
	// The log shows the URL as the report does: without what the
	// browser held from the start (a check's ${VAR} parameters).
	r.cfg.Log.Debug().Str("url", redact.Literal(redact.URL(l.URL), r.held()...)).Int("status", l.Status).Str("kind", string(o.Verdict.Kind)).
		Int64("took_ms", l.Duration.Milliseconds()).Msg("load")
	return o, nil
}

func loadPhrase(l *browser.Load) string {
	switch {
	case l.TimedOut && l.Status == 0:
		return "timed out"
	case l.NetError != "" && l.Status == 0:
		return l.NetError
	}
	return statusPhrase(l.Status)
}

func (r *run) reportLoad(o *steps.Observation) reports.Load {
	l := o.Load
	rl := reports.Load{
		OK: o.Verdict.OK, Kind: string(o.Verdict.Kind), Reason: redact.Text(o.Verdict.Reason),
		URL: redact.URL(l.URL), FinalURL: redact.URL(l.FinalURL), NetError: l.NetError,
		TimedOut: l.TimedOut, Title: r.mask(l.Title), DurationMS: l.Duration.Milliseconds(),
		StatusText: l.StatusText, Hung: l.Hung,
	}
	if l.Status > 0 {
		rl.Status = new(l.Status)
		rl.FromCache = new(l.FromCache)
	}
	if l.RemoteIP != "" {
		rl.RemoteIP = new(l.RemoteIP)
	}
	for _, d := range l.Dialogs {
		rl.Dialogs = append(rl.Dialogs, r.mask(d.Type+": "+d.Message))
	}
	for _, f := range o.Verdict.Failing {
		rl.FailingRequests = append(rl.FailingRequests, reports.FailingRequest{
			URL: redact.URL(f.URL), Method: f.Method, Status: f.Status, Type: f.Type,
		})
	}
	rl.SignInHops = signInHops(l)
	var expires time.Time
	for _, q := range l.Chain {
		if !q.CertValidTo.IsZero() && (expires.IsZero() || q.CertValidTo.Before(expires)) {
			expires = q.CertValidTo
		}
	}
	if !expires.IsZero() {
		rl.TLSCertExpires = expires.Format(time.RFC3339)
	}
	if len(l.Screenshot) > 0 && l.ScreenshotOf == nil {
		// A few distinct pictures are enough: a walk goes back and forth
		// between the target and the odd other page (url-check's).
		r.shots = append(r.shots, l)
		if len(r.shots) > 4 {
			r.shots = r.shots[1:]
		}
	}
	if name, ok := r.shotNames[l.ScreenshotOf]; ok {
		// The same page as before: the same picture, one file.
		rl.Screenshot = new(name)
	} else if len(l.Screenshot) > 0 && r.cur != nil {
		name := fmt.Sprintf("screenshots/%02d-%s-%d.png", r.curIndex, r.cur.ID, len(r.cur.Loads)+1)
		r.files[name] = l.Screenshot
		r.shotNames[l] = name
		if l.ScreenshotOf != nil {
			// Its original was taken outside a step and has no file:
			// this one stands for both from now on.
			r.shotNames[l.ScreenshotOf] = name
		}
		rl.Screenshot = new(name)
		r.report.Artifacts.Screenshots = append(r.report.Artifacts.Screenshots, name)
	}
	return rl
}

// pageOf turns browser evidence into what the judge reads.
func pageOf(l *browser.Load) judge.Page {
	p := judge.Page{
		URL: l.URL, FinalURL: l.FinalURL, Status: l.Status, NetError: l.NetError, TimedOut: l.TimedOut,
		ContentType: l.MimeType, Title: l.Title, Headings: l.Headings, Text: l.Text,
		HasPasswordField: l.HasPassword, Redirected: l.Redirected, Header: l.Header,
	}
	if f, ok := l.SignInFlow(); ok && (f.Provider != "" || f.Loop != nil) {
		si := &judge.SignIn{Protocol: f.Protocol, Provider: f.Provider, AtProvider: f.AtProvider, Loop: f.Loop != nil}
		if f.AtCallback && callbackRefused(l, f) {
			si.Callback = f.Callback
		}
		if f.Loop != nil {
			si.Hosts = loopHosts(f.Loop.Cycle)
		}
		if si.AtProvider {
			if pe, ok := providerPageError(l); ok && pe.Code != statusPhrase(l.Status) {
				si.Error = pe.Code
			}
		}
		p.SignIn = si
	}
	for _, q := range l.Requests {
		if q.Document {
			continue
		}
		p.Subrequests = append(p.Subrequests, judge.Request{URL: q.URL, Status: q.Status, Type: q.Type, Method: q.Method})
	}
	return p
}

// walk runs the plan: the baseline, then each remedy until one fixes the
// page (or all of them, with --all).
func (r *run) walk(ctx context.Context, plan []steps.Step) {
	for i, s := range plan {
		if err := context.Cause(ctx); ctx.Err() != nil {
			r.stop(err)
			return
		}
		if i > 0 && r.fixedObs != nil && !r.cfg.All {
			return
		}
		if r.fixedObs != nil {
			// --all, after the fix: from the failing state, not the fixed one.
			r.runAlone(ctx, i, s)
			continue
		}
		obs, stepErr := r.runStep(ctx, i, s)
		if ctx.Err() != nil {
			r.stop(context.Cause(ctx))
			return
		}
		if s.ID() == "reproduce" {
			if stepErr != nil || obs == nil {
				r.stop(fmt.Errorf("the first load failed: %v", stepErr))
				return
			}
			r.baseline = obs
			if !obs.Verdict.Kind.IsAuthFailure() {
				return // healthy, or a failure that no auth remedy addresses
			}
		}
	}
}

// stop ends the run early with an error outcome.
func (r *run) stop(err error) {
	msg := r.mask(stopMessage(err))
	r.report.Error = &msg
	r.report.Outcome = reports.Error
}

// stopMessage says in words why a run stopped: "interrupted", the
// --max-time message, or the error.
// stepError says why a step broke, in the run's words when the run was
// stopped or ran out of time rather than in Go's ("context deadline
// exceeded").
func (r *run) stepError(ctx context.Context, err error) string {
	switch {
	case ctx.Err() != nil:
		return stopMessage(context.Cause(ctx))
	case errors.Is(err, context.DeadlineExceeded):
		return "it took longer than its time limit"
	}
	return r.mask(err.Error())
}

func stopMessage(err error) string {
	switch {
	case err == nil || errors.Is(err, context.Canceled):
		return ErrInterrupted.Error()
	case errors.Is(err, ErrMaxTime) || errors.Is(err, context.DeadlineExceeded):
		return ErrMaxTime.Error()
	}
	return err.Error()
}

// runStep runs one step and its judged load, records it and reports progress.
func (r *run) runStep(ctx context.Context, i int, s steps.Step) (*steps.Observation, error) {
	rs := reports.Step{ID: s.ID(), Title: s.Title(), FixedPhrase: s.FixedPhrase(), Result: reports.StillFailing}
	r.cur, r.curIndex, r.curStart = &rs, i, r.cfg.Now()
	r.progress(Progress{Step: s.ID(), Title: s.Title()})
	slog := r.cfg.Log.With().Str("step", s.ID()).Logger()
	slog.Debug().Msg("step started")

	if steps.NeedsOf(s.ID()).Credentials {
		// From here on the server has the secrets, and a page may show
		// them back.
		r.markSent()
	}
	out, err := r.safeRun(ctx, s)
	var judged *steps.Observation
	switch {
	case err != nil:
		rs.Result = reports.StepError
		rs.Error = r.stepError(ctx, err)
	case out.Skip != "":
		rs.Result = reports.Skipped
		rs.SkipReason = new(out.Skip)
	default:
		judged = out.Judged
		if judged == nil && !out.NoLoad && !out.Info {
			// The step changed the browser's state: load the target again.
			judged, err = r.Load(ctx, r.target)
			if err != nil {
				rs.Result, rs.Error = reports.StepError, r.stepError(ctx, err)
			}
		}
		if out.CorrectedURL != "" {
			r.target = out.CorrectedURL
			r.report.Target.CorrectedURL = new(redact.URL(out.CorrectedURL))
		}
	}
	rs.Action = r.ownWords(out.Action)
	if ev := steps.EvidenceMap(out.Evidence); len(ev) > 0 {
		rs.Evidence = ev
	}
	if judged != nil {
		// The judged load is one of the step's loads, recorded as it was
		// observed; a load made elsewhere is recorded now.
		rl, ok := r.reported[judged]
		if !ok {
			rl = r.reportLoad(judged)
		}
		rs.Load = &rl
		switch {
		case s.ID() == "reproduce" && !judged.OK():
			rs.Result = reports.Failing
		case s.ID() == "reproduce":
			rs.Result = reports.Info
		case out.Info:
			rs.Result = reports.Info
		case judged.OK() && rs.Result != reports.StepError:
			rs.Result = reports.StepFixed
			rs.Instructions = byHand(s, r.target)
			rs.UserSide = steps.UserSide(s.ID())
			if r.fixedObs == nil {
				r.fixedObs = judged
				r.report.FixedBy = new(s.ID())
				r.confirm(ctx, &rs)
				if r.cfg.Isolate {
					r.isolate(ctx, s, &rs)
				}
			}
		}
	} else if out.Info && rs.Result == reports.StillFailing {
		rs.Result = reports.Info
	}
	if len(rs.Loads) <= 1 {
		rs.Loads = nil // the judged load says it all
	}
	rs.DurationMS = r.cfg.Now().Sub(r.curStart).Milliseconds()
	r.report.Steps = append(r.report.Steps, rs)
	r.cur = nil
	slog.Debug().Str("result", string(rs.Result)).Int64("ms", rs.DurationMS).Msg("step done")
	line := stepLine(rs, judged)
	if out.Summary != "" && judged == nil {
		line = out.Summary
	}
	p := Progress{Step: s.ID(), Title: s.Title(), Done: true, Result: rs.Result, Line: line,
		Fixed: rs.Result == reports.StepFixed, Elapsed: time.Duration(rs.DurationMS) * time.Millisecond}
	if p.Fixed && r.report.FixedBy != nil && *r.report.FixedBy == s.ID() {
		p.Fixing, p.Confirmed = true, r.report.Confirmed
	}
	r.progress(p)
	return judged, err
}

// safeRun runs a step; a step that panics is a step error, not a crash:
// the run goes on and the report says what broke.
func (r *run) safeRun(ctx context.Context, s steps.Step) (out steps.Outcome, err error) {
	defer func() {
		if p := recover(); p != nil {
			r.cfg.Log.Error().Str("step", s.ID()).Str("panic", fmt.Sprint(p)).Str("stack", string(debug.Stack())).Msg("step panicked")
			err = fmt.Errorf("internal error in %s: %v", s.ID(), p)
		}
	}()
	return s.Run(ctx, r)
}

// confirm loads the fixed page once more: a fix that does not hold is not
// one to tell a user about.
func (r *run) confirm(ctx context.Context, rs *reports.Step) {
	again, err := r.Reload(ctx)
	if ctx.Err() != nil {
		// The run was cut (--max-time, a signal) during the second load:
		// that says nothing about whether the fix holds.
		r.Logf("the second load was cut short, so the fix is unconfirmed")
		return
	}
	ok := err == nil && again.OK()
	r.report.Confirmed = new(ok)
	if rs.Evidence == nil {
		rs.Evidence = map[string]any{}
	}
	rs.Evidence["confirmed"] = ok
	if !ok {
		r.Logf("the fix did not hold on a second load")
	}
}

// isolate re-runs the fixing step alone, in a new browser context with the
// user's starting state, after one load that reproduces the failure there:
// if it fixes the page on its own, it is the minimal fix.
func (r *run) isolate(ctx context.Context, s steps.Step, rs *reports.Step) {
	result, state, _ := r.alone(ctx, s)
	rs.Evidence["isolated"] = result
	r.report.Isolation = &state
	switch state {
	case reports.IsolationFixedAlone:
		r.Logf("%s alone fixes the page from the starting state: it is the minimal fix", s.ID())
	case reports.IsolationNotAlone:
		r.Logf("%s alone did not fix the page from the starting state: the earlier steps are part of the fix", s.ID())
	case reports.IsolationNotReproduced:
		// The server's state moved on (or the failure lived in this
		// browser): the minimal fix cannot be shown, which is no reason to
		// doubt the fix itself.
		r.Logf("the failure does not reproduce in a new browser context, so %s could not be tried alone", s.ID())
	}
}

// alone tries step s by itself from the user's starting state, in a new
// browser context, after one load that reproduces the failure there. It
// returns the evidence, one of the reports.Isolation* states, and the
// outcome of the step when it ran.
func (r *run) alone(ctx context.Context, s steps.Step) (map[string]any, string, steps.Outcome) {
	result := map[string]any{}
	main, mainURL := r.sess, r.lastURL
	fresh, err := r.browser.NewSession(true)
	if err != nil {
		result["error"] = r.mask(err.Error())
		return result, reports.IsolationError, steps.Outcome{}
	}
	r.isolating = true
	r.swap(fresh)
	defer func() { r.swap(main); r.lastURL = mainURL; r.isolating = false }()
	if err := r.startingState(ctx, fresh); err != nil {
		result["error"] = r.mask(err.Error())
		return result, reports.IsolationError, steps.Outcome{}
	}
	before, err := r.Load(ctx, r.target)
	if err != nil {
		result["error"] = r.mask(err.Error())
		return result, reports.IsolationError, steps.Outcome{}
	}
	result["reproduced"] = !before.OK()
	if before.OK() {
		return result, reports.IsolationNotReproduced, steps.Outcome{}
	}
	out, err := s.Run(ctx, r)
	if err != nil {
		result["error"] = r.mask(err.Error())
		return result, reports.IsolationError, out
	}
	if out.Skip != "" {
		return result, reports.IsolationError, out
	}
	after := out.Judged
	if after == nil && !out.NoLoad {
		if after, err = r.Load(ctx, r.target); err != nil {
			result["error"] = r.mask(err.Error())
			return result, reports.IsolationError, out
		}
	}
	ok := after != nil && after.OK()
	result["fixed_alone"] = ok
	if ok {
		return result, reports.IsolationFixedAlone, out
	}
	return result, reports.IsolationNotAlone, out
}

// runAlone is --all after the fix: each later step is tried alone from
// the starting state, so that it is listed as a fix only if it fixes the
// page on its own, not because the page was fixed already.
func (r *run) runAlone(ctx context.Context, i int, s steps.Step) {
	rs := reports.Step{ID: s.ID(), Title: s.Title(), FixedPhrase: s.FixedPhrase(), Result: reports.StillFailing}
	r.cur, r.curIndex, r.curStart = &rs, i, r.cfg.Now()
	r.progress(Progress{Step: s.ID(), Title: s.Title()})
	if steps.NeedsOf(s.ID()).Credentials {
		r.markSent()
	}
	result, state, out := r.alone(ctx, s)
	rs.Action = r.ownWords(out.Action)
	rs.Evidence = steps.EvidenceMap(out.Evidence)
	if rs.Evidence == nil {
		rs.Evidence = map[string]any{}
	}
	rs.Evidence["alone"] = result
	line := ""
	switch {
	case out.Skip != "":
		rs.Result, rs.SkipReason = reports.Skipped, new(out.Skip)
		line = "skipped: " + out.Skip
	case state == reports.IsolationFixedAlone:
		rs.Result = reports.StepFixed
		rs.Instructions, rs.UserSide = byHand(s, r.target), steps.UserSide(s.ID())
		line = "fixes it on its own too"
	case state == reports.IsolationNotAlone:
		line = "does not fix it on its own"
	case state == reports.IsolationNotReproduced:
		rs.Result = reports.Skipped
		rs.SkipReason = new("the failure could not be re-created in a new browser context, so this step could not be tried on its own")
		line = "skipped: could not re-create the failing state"
	default:
		rs.Result = reports.StepError
		if e, ok := result["error"].(string); ok {
			rs.Error = e
		}
		line = "error: " + rs.Error
	}
	rs.DurationMS = r.cfg.Now().Sub(r.curStart).Milliseconds()
	r.report.Steps = append(r.report.Steps, rs)
	r.cur = nil
	r.progress(Progress{Step: s.ID(), Title: s.Title(), Done: true, Result: rs.Result, Line: line,
		Fixed: rs.Result == reports.StepFixed, Elapsed: time.Duration(rs.DurationMS) * time.Millisecond})
}

func (r *run) progress(p Progress) {
	if r.cfg.Progress != nil {
		p.Line = redact.Text(p.Line)
		r.cfg.Progress(p)
	}
}

// finish sets the outcome, the diagnosis and the duration.
func (r *run) finish() {
	rep := r.report
	if rep.Outcome != reports.Error {
		switch {
		case r.baseline == nil:
			rep.Outcome = reports.Error
			if rep.Error == nil {
				rep.Error = new("the page could not be loaded")
			}
		case r.baseline.OK():
			rep.Outcome = reports.Healthy
		case !r.baseline.Verdict.Kind.IsAuthFailure():
			rep.Outcome = reports.NotAuthFailure
		case r.fixedObs != nil:
			rep.Outcome = reports.Fixed
		default:
			rep.Outcome = reports.Unresolved
		}
	}
	if r.baseline != nil && r.baseline.Load.FinalURL != "" {
		rep.Target.FinalURL = redact.URL(r.baseline.Load.FinalURL)
	}
	rep.Diagnosis = diagnose(r)
	rep.DurationMS = r.cfg.Now().Sub(r.started).Milliseconds()
}

// byHand is the step's by-hand instructions, in steps.Browsers' order.
func byHand(s steps.Step, target string) []reports.BrowserSteps {
	m := s.ByHand()
	if f, ok := s.(interface {
		ByHandFor(target string) map[string][]string
	}); ok {
		m = f.ByHandFor(target)
	}
	var out []reports.BrowserSteps
	for _, b := range steps.Browsers {
		if st := m[b]; len(st) > 0 {
			out = append(out, reports.BrowserSteps{Browser: b, Steps: st})
		}
	}
	return out
}

func stepsByID(id string) string {
	for _, s := range steps.All() {
		if s.ID() == id {
			return s.Title()
		}
	}
	return ""
}

// stepLine is the short text after a step's name in the live display.
func stepLine(rs reports.Step, judged *steps.Observation) string {
	switch {
	case rs.Result == reports.Skipped && rs.SkipReason != nil:
		return "skipped: " + *rs.SkipReason
	case rs.Result == reports.StepError:
		return "error: " + rs.Error
	case judged == nil:
		return rs.Action
	}
	l := judged.Load
	parts := []string{loadPhrase(l)}
	if !judged.OK() {
		parts = append(parts, string(judged.Verdict.Kind))
		if w := l.Header.Values("Www-Authenticate"); len(w) > 0 {
			parts = append(parts, strings.Join(w, ", "))
		}
		if judged.Verdict.IISSubstatus != "" {
			parts = append(parts, "IIS "+judged.Verdict.IISSubstatus)
		}
	}
	if intermittent, _ := rs.Evidence["intermittent"].(bool); intermittent {
		parts = append(parts, "intermittent")
	}
	if u, _ := rs.Evidence["corrected_url"].(string); u != "" && judged.OK() {
		parts = append(parts, "use "+u) // what the technician needs on screen
	}
	return strings.Join(parts, " · ")
}
