package lab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Scenario describes one page of the lab and the verdict fix401 should reach
// on its first load.
type Scenario struct {
	ID          string // stable slug; the page lives at Path()
	Title       string // short, for lists
	Description string // what the server does and what a person would see
	Expect      string // diagnosis kind for the first load, e.g. "http_401"
	FixedBy     string // step id expected to fix it; "" when nothing should
	// Outcome is the report's expected outcome (healthy, fixed, unresolved,
	// not_auth_failure) and Findings the exact finding ids expected, in
	// any order: Grade compares a whole diagnosis with them.
	Outcome  string
	Findings []string
	// MayFind are findings that depend on the machine the diagnosis runs
	// on (its Kerberos tickets): allowed, not required.
	MayFind []string
	Hangs   bool // the page never finishes loading
	// Options are what a diagnose run needs besides the URL to reach
	// FixedBy: credentials, a proxy, a URL other than the root.
	Options ScenarioOptions
}

// ScenarioOptions say how to run fix401 on a scenario. Paths are relative to
// the lab's base URL (http://127.0.0.1:8401, say).
type ScenarioOptions struct {
	// Path is the URL path to diagnose when it is not the scenario's root,
	// e.g. a link with a typo. See Scenario.Target.
	Path string
	// NeedsProxy asks for --proxy pointing at a lab Proxy (see NewProxy):
	// the scenario is fixed by coming from another address.
	NeedsProxy bool
	// User and Password are the credentials for relogin (an HTTP
	// challenge, or the login form at LoginURL).
	User, Password string
	// BearerToken is the token relogin sends.
	BearerToken string
	// LoginURL is the path of the login form. See Scenario.LoginTarget.
	LoginURL string
	// StaleDNS says the scenario is reached by StaleDNSHost, through the
	// resolver of NewStaleDNS and with the old server of ListenOldServer
	// running (see dns.go).
	StaleDNS bool
	// Cookies are the user's browser state the scenario starts from
	// (name → value, for the scenario's path): diagnose them with
	// --cookies, as a technician brings the user's cookies. A fresh
	// profile has none of them, so it meets a healthy site, as it would.
	Cookies map[string]string
}

// CookiesFile is s.Options.Cookies as a Netscape cookies.txt for the lab
// at host ("127.0.0.1"), what --cookies reads; "" when there are none.
func (s Scenario) CookiesFile(host string) string {
	if len(s.Options.Cookies) == 0 {
		return ""
	}
	names := make([]string, 0, len(s.Options.Cookies))
	for n := range s.Options.Cookies {
		names = append(names, n)
	}
	slices.Sort(names)
	var b strings.Builder
	b.WriteString("# Netscape HTTP Cookie File\n")
	for _, n := range names {
		fmt.Fprintf(&b, "%s\tFALSE\t%s\tFALSE\t0\t%s\t%s\n", host, s.Path(), n, s.Options.Cookies[n])
	}
	return b.String()
}

// Grade compares a diagnosis with what the scenario expects, all of it:
// the outcome, the kind, the fixing step and the findings. It returns what
// differs, or "" when it is all as expected. A scenario that should stay
// unresolved but was "fixed" by some step fails here.
func (s Scenario) Grade(outcome, kind, fixedBy string, findings []string) string {
	var diff []string
	if outcome != s.Outcome {
		diff = append(diff, fmt.Sprintf("outcome %s, expected %s", outcome, s.Outcome))
	}
	if kind != s.Expect {
		diff = append(diff, fmt.Sprintf("kind %s, expected %s", kind, s.Expect))
	}
	if fixedBy != s.FixedBy {
		want := s.FixedBy
		if want == "" {
			want = "no step"
		}
		got := fixedBy
		if got == "" {
			got = "no step"
		}
		diff = append(diff, fmt.Sprintf("fixed by %s, expected %s", got, want))
	}
	var kept []string
	for _, f := range findings {
		if slices.Contains(s.Findings, f) || !slices.Contains(s.MayFind, f) {
			kept = append(kept, f)
		}
	}
	got, want := slices.Sorted(slices.Values(kept)), slices.Sorted(slices.Values(s.Findings))
	if !slices.Equal(got, want) {
		diff = append(diff, fmt.Sprintf("findings [%s], expected [%s]", strings.Join(got, " "), strings.Join(want, " ")))
	}
	return strings.Join(diff, "; ")
}

// Path is the URL path of the scenario's root: where its index entry
// links to, and every request under it belongs to the scenario.
func (s Scenario) Path() string { return "/s/" + s.ID + "/" }

// Target is the URL to give fix401 for the scenario on the lab at base
// ("http://127.0.0.1:8401"): the root, or Options.Path when it differs.
func (s Scenario) Target(base string) string {
	p := s.Options.Path
	if p == "" {
		p = s.Path()
	}
	base = strings.TrimSuffix(base, "/")
	if s.Options.StaleDNS {
		base = withHost(base, StaleDNSHost)
	}
	return base + p
}

// withHost puts host in place of base's host, keeping its scheme and port.
func withHost(base, host string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	if port := u.Port(); port != "" {
		host = net.JoinHostPort(host, port)
	}
	u.Host = host
	return u.String()
}

// LoginTarget is the URL of the scenario's login form on the lab at base,
// or "" when it has none.
func (s Scenario) LoginTarget(base string) string {
	if s.Options.LoginURL == "" {
		return ""
	}
	return strings.TrimSuffix(base, "/") + s.Options.LoginURL
}

// Scenarios returns every scenario in display order.
func Scenarios() []Scenario {
	out := make([]Scenario, len(scenarios))
	for i, d := range scenarios {
		out[i] = d.Scenario
	}
	return out
}

// shutdownGrace bounds how long Serve waits for in-flight requests once its
// context is done; the lab's pages are tiny, so anything slower is stuck.
const shutdownGrace = 2 * time.Second

// Lab is the practice site. Its state (counters, Digest nonces) lives here
// rather than in package variables so that tests and a running `fix401 lab`
// never see each other's history.
type Lab struct {
	byID map[string]*scenarioDef

	// now is replaceable so tests can age Digest nonces without sleeping.
	now func() time.Time

	closeOnce sync.Once
	closed    chan struct{} // closed by Close; hanging pages wait on it

	mu       sync.Mutex
	hits     map[string]int  // requests per scenario ID
	counters map[string]int  // free-form per-scenario counters, see count
	marks    map[string]bool // issued sessions and tokens, see mark
	digest   digestState
	conns    visitors
}

// visitors is what the lab remembers of the browsers visiting it, by
// connection (remote ip:port): a browser keeps its keep-alive connection
// across reloads and cleared caches, cookies and site data, while another
// browser (a second run, a new browser context, a new process) opens new
// ones. Scenarios that stand for "this browser's history" key on it, so
// that every new browser meets the failure again, however many loads came
// before. ConnState forgets a connection when it closes.
type visitors struct {
	until  map[string]time.Time // recycle: when the pool is back, per connection
	bound  map[string]bool      // conn-bound: open connections → poisoned
	hooked bool                 // ConnState is wired: closed connections are forgotten
}

// maxConns bounds the memory of connections when ConnState is not wired.
const maxConns = 4096

// ConnState is the lab server's http.Server.ConnState: it forgets what a
// connection carried once it closes (Serve wires it; a test server must).
func (l *Lab) ConnState(c net.Conn, st http.ConnState) {
	if st != http.StateClosed && st != http.StateHijacked {
		return
	}
	addr := c.RemoteAddr().String()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.conns.hooked = true
	delete(l.conns.until, addr)
	delete(l.conns.bound, addr)
}

// New returns a Lab ready to serve.
func New() *Lab {
	l := &Lab{
		byID:   make(map[string]*scenarioDef, len(scenarios)),
		now:    time.Now,
		closed: make(chan struct{}),
	}
	for i := range scenarios {
		l.byID[scenarios[i].ID] = &scenarios[i]
	}
	l.digest.opaque = randomToken(18)
	l.resetLocked()
	return l
}

// Reset forgets per-scenario state (hit counts, counters, Digest nonces), so
// that a test can replay a scenario from its first load. It does not undo
// Close.
func (l *Lab) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.resetLocked()
}

func (l *Lab) resetLocked() {
	l.hits = make(map[string]int)
	l.counters = make(map[string]int)
	l.marks = make(map[string]bool)
	l.digest.nonces = make(map[string]*nonceInfo)
	l.conns = visitors{until: map[string]time.Time{}, bound: map[string]bool{}, hooked: l.conns.hooked}
}

// Hits reports how many requests the scenario has received since New or
// Reset, subresources included. Tests use it to prove that a remedy really
// made the browser go back to the server.
func (l *Lab) Hits(id string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.hits[id]
}

// count increments and returns a named counter. Scenarios that change their
// answer over time (fixed by a reload, say) keep their memory here so that it
// is per Lab, safe for concurrent requests and cleared by Reset.
func (l *Lab) count(key string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.counters[key]++
	return l.counters[key]
}

// maxMarks bounds the remembered sessions and tokens: a client that keeps
// asking for new ones must not grow the lab without limit. Forgetting them
// all at once only signs everybody out of a practice site.
const maxMarks = 10000

// mark remembers a fact such as "this session cookie was issued"; marked
// asks for it. Like count, the memory is per Lab and cleared by Reset.
func (l *Lab) mark(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.marks) >= maxMarks {
		clear(l.marks)
	}
	l.marks[key] = true
}

func (l *Lab) marked(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.marks[key]
}

// Close releases every hanging request at once and makes later ones end
// immediately. Without it, http.Server.Shutdown and httptest.Server.Close
// would wait for a page that is designed never to finish.
func (l *Lab) Close() {
	l.closeOnce.Do(func() { close(l.closed) })
}

// Handler serves the index at "/" and each scenario under /s/<id>/. A
// server of its own must also set ConnState to l.ConnState.
func (l *Lab) Handler() http.Handler { return labHandler{l} }

// labHandler carries the lab's ConnState to serve.
type labHandler struct{ l *Lab }

func (h labHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.l.serveHTTP(w, r) }
func (h labHandler) ConnState(c net.Conn, st http.ConnState)          { h.l.ConnState(c, st) }

func (l *Lab) serveHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// Remedies such as "reload" must reach the server again; a cached
	// answer would make every scenario look fixed or broken by accident.
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")

	p := r.URL.Path
	switch {
	case p == "/":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			writePage(w, http.StatusMethodNotAllowed, simplePage("405 Method Not Allowed", "Method Not Allowed", "The lab index only answers GET."))
			return
		}
		writeIndex(w)
	case p == "/.well-known/security.txt":
		// RFC 9116: where fix401 finds whom to tell when nothing fixed it.
		h.Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "# The fix401 lab\nContact: mailto:security@lab.fix401.test\nExpires: 2030-01-01T00:00:00Z\nPreferred-Languages: en\n")
	case p == "/favicon.ico":
		// Browsers ask for it on their own; answering 404 would add a
		// failed request to every load's evidence.
		w.WriteHeader(http.StatusNoContent)
	case strings.HasPrefix(p, "/s/"):
		id, rest, slash := strings.Cut(p[len("/s/"):], "/")
		d := l.byID[id]
		if d == nil {
			labNotFound(w)
			return
		}
		if !slash {
			// Relative URLs inside a page (fetch("api/me")) resolve
			// against the directory, so the slash is not optional.
			target := d.Path()
			if r.URL.RawQuery != "" {
				target += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, target, http.StatusMovedPermanently)
			return
		}
		l.mu.Lock()
		l.hits[id]++
		l.mu.Unlock()
		h.Set("X-Lab-Scenario", id)
		if rest == "cookies.txt" && len(d.Options.Cookies) > 0 {
			// The user's cookies the scenario starts from, for --cookies.
			host, _, _ := net.SplitHostPort(r.Host)
			if host == "" {
				host = r.Host
			}
			h.Set("Content-Type", "text/plain; charset=utf-8")
			io.WriteString(w, d.Scenario.CookiesFile(host))
			return
		}
		d.serve(l, w, r, rest)
	default:
		labNotFound(w)
	}
}

// Listen opens a TCP listener on addr after checking that it is a loopback
// address; port 0 picks a free port.
func Listen(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("lab: listen address %q is not host:port on loopback, e.g. 127.0.0.1:8401", addr)
	}
	if !isLoopbackHost(host) {
		return nil, fmt.Errorf("lab: refusing to listen on %s: the lab serves only loopback", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	return ln, nil
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		// Other names could resolve anywhere, and "" means every
		// interface.
		return false
	}
	return a.Unmap().IsLoopback()
}

// Serve serves l on ln until ctx is done, then shuts down: hanging pages are
// released first so that the short grace period is spent only on requests
// that can actually finish. It returns nil on a clean shutdown.
func Serve(ctx context.Context, ln net.Listener, l *Lab) error {
	return serve(ctx, ln, labHandler{l}, l.Close, "lab")
}

// serve runs handler on ln until ctx is done; release frees what would hold
// a shutdown (hanging pages, open tunnels) before the grace period starts.
func serve(ctx context.Context, ln net.Listener, handler http.Handler, release func(), what string) error {
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
	}
	if l, ok := handler.(interface {
		ConnState(net.Conn, http.ConnState)
	}); ok {
		srv.ConnState = l.ConnState
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()

	select {
	case err := <-done:
		release()
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("%s: %w", what, err)
	case <-ctx.Done():
	}

	release()
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err := srv.Shutdown(sctx)
	if err != nil {
		_ = srv.Close()
	}
	if serr := <-done; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("%s: shutdown: %w", what, err)
	}
	return nil
}

// Start serves a new Lab on a free loopback port in the background, for
// tests and benchmarks: base is its URL, and stop shuts it down and
// returns Serve's error.
func Start() (base string, stop func() error, err error) {
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, New()) }()
	return "http://" + ln.Addr().String(), func() error { cancel(); return <-done }, nil
}
