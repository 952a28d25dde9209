package browser

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chromedp/cdproto/network"

	"github.com/fix401/fix401/internal/redact"
	"github.com/fix401/fix401/internal/sso"
)

// Request is one network request as the browser saw it, with secrets still
// in it: the report and HAR writers redact.
type Request struct {
	ID          string
	Load        int // index of the Load that made it
	URL         string
	Method      string
	Type        string // Document, XHR, Fetch, Script, Image, …
	FrameID     string
	Document    bool // the main frame's document
	Started     time.Time
	RequestHdr  http.Header
	Status      int
	StatusText  string
	ResponseHdr http.Header
	MimeType    string
	Protocol    string
	RemoteIP    string
	RemotePort  int
	FromCache   bool
	Failed      string // net error text when the request failed
	Canceled    bool
	Size        int64 // encoded bytes received
	Timing      Timing
	// Body is the response body of a main document that failed (status >= 400),
	// at most maxBody bytes: the evidence a site owner needs.
	Body []byte
	// Redirects are the earlier hops of this request, oldest first.
	Redirects []*Request
	// CertValidTo is when the server's certificate expires (https).
	CertValidTo time.Time
	// SSO is the sign-in protocol a document request spoke (read from its
	// address and, for a form post, its fields; no value kept).
	SSO *sso.Message
	// BlockedCookies are the cookies the browser refused to store from
	// this response or to send with this request, with its reasons.
	BlockedCookies []BlockedCookie
	// AnsweredAuth are the challenges fix401 answered with credentials on
	// this request, as "Authorization: Basic" (the header and scheme the
	// browser then sent): Chrome reports no headers of the retry that
	// carried them, and the HAR must still show that it was sent.
	AnsweredAuth []string

	posted      []string  // secret values of a form it posted (never written)
	pwPosted    bool      // a form it posted had a password field filled in (replayed recordings)
	requestTime float64   // monotonic seconds, CDP's clock
	arrived     time.Time // when this process heard of it, on its own clock
	done        bool
	settled     bool // the response (or failure) arrived: enough to judge
	rawHeaders  bool // ResponseHdr came from ExtraInfo, the raw lines
	fromMemory  bool // Chrome said requestServedFromCache
}

// Arrived is when this process heard of the request, on its own clock (a
// remote browser's Started is on the browser's).
func (q *Request) Arrived() time.Time { return q.arrived }

// Hops are the request's redirect hops, oldest first, then the request.
func (q *Request) Hops() []*Request {
	return append(slices.Clone(q.Redirects), q)
}

// PostedSecrets are the values of a form post's secret fields (a code, a
// token, a SAMLResponse), for masking wherever they turn up again.
func (q *Request) PostedSecrets() []string { return q.posted }

// PasswordPosted says whether the form this request posted had a password
// field filled in (known for a recording someone else made).
func (q *Request) PasswordPosted() bool { return q.pwPosted }

// BlockedCookie is a cookie the browser refused: its name and where it
// was for, never its value.
type BlockedCookie struct {
	Name   string
	Domain string
	Path   string
	// Set: the browser refused to store it from a response; otherwise it
	// refused to send it with a request.
	Set     bool
	Reasons []string // Chrome's words, e.g. SameSiteNoneInsecure, DomainMismatch
}

// Timing is the HAR-style split of a request's time, in milliseconds; -1
// where a phase did not happen (a reused connection has no connect).
type Timing struct {
	Blocked, DNS, Connect, SSL, Send, Wait, Receive float64
}

// recorder keeps every request of a session, in order, from the events the
// tab delivers (in order) on its read loop.
type recorder struct {
	mu       sync.Mutex
	byID     map[string]*Request
	all      []*Request
	load     int // current load index
	inflight int
	changed  chan struct{} // closed and replaced on every change
	loaded   chan struct{} // closed on the current load's load event
	// navAsked is when the page asked to navigate its main frame (a
	// script's redirect, the form a provider posts back to the app) after
	// its load event: the load then waits for the next document. Zero
	// when no navigation is pending.
	navAsked time.Time
	// docLoader is the loader of the current load's latest main-frame
	// document; docs counts the documents the load started.
	docLoader string
	docs      int
	// noNavBy, when set, ends a load that a click started once it passes
	// with no navigation asked for: a script-driven page (a provider's
	// "Next" that swaps the form in place) loads no new document.
	noNavBy time.Time
	// loaders maps a document's loader id to its load: a request an older
	// page makes late (its fetch, Chrome's error page) belongs to that
	// page's load, not to whatever load is current.
	loaders map[string]int
}

func newRecorder() *recorder {
	return &recorder{byID: map[string]*Request{}, changed: make(chan struct{}), loaded: make(chan struct{}), loaders: map[string]int{}}
}

// loadSeq numbers loads across every session of the program, so that a
// run that moves to a new tab or browser never reuses a load number.
var loadSeq atomic.Int64

// LoadsBegun is the number of the last load begun in this program: every
// load begun later has a larger one.
func LoadsBegun() int { return int(loadSeq.Load()) }

// begin starts a new load: requests from now on belong to it.
func (r *recorder) begin() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.load = int(loadSeq.Add(1))
	r.inflight = 0
	r.loaded = make(chan struct{})
	r.docLoader, r.docs, r.navAsked, r.noNavBy = "", 0, time.Time{}, time.Time{}
	return r.load
}

func (r *recorder) notify() {
	close(r.changed)
	r.changed = make(chan struct{})
}

// longLived is how long a script's request may go unanswered before the
// load stops waiting for it: long polling (a fetch the server holds for
// 20 s, then the next one) and an event stream that sends no headers
// until its first event never end, yet the page has loaded. A page with
// no such request pays nothing for this; one with it waits this long.
const longLived = 2 * time.Second

// pollable says whether a request can be one a page keeps open on purpose:
// what scripts make (XHR, fetch, EventSource), never the document or what
// it needs to render.
func pollable(q *Request) bool {
	switch network.ResourceType(q.Type) {
	case network.ResourceTypeXHR, network.ResourceTypeFetch, network.ResourceTypeEventSource:
		return true
	}
	return false
}

// state returns the number of unfinished requests of the current load that
// a load still waits for at now, the time the next of them turns
// long-lived (zero when none will), and a channel that is closed at the
// next change.
func (r *recorder) state(now time.Time) (int, time.Time, <-chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.inflight
	var next time.Time
	if n > 0 {
		for _, q := range r.all {
			if q.Load != r.load || q.settled || !pollable(q) {
				continue
			}
			// This process's clock: a remote browser's may differ.
			at := q.arrived.Add(longLived)
			if !now.Before(at) {
				n--
			} else if next.IsZero() || at.Before(next) {
				next = at
			}
		}
	}
	return n, next, r.changed
}

func (r *recorder) loadedCh() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.loaded
}

func (r *recorder) loadFired(loader string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if loader != "" && r.docLoader != "" && loader != r.docLoader || !r.navAsked.IsZero() {
		// An earlier document's load (it posted a form from its load
		// handler), or one whose script has asked for the next document:
		// the load goes on (a navigation asked for and never started
		// ends the wait after navWait).
		return
	}
	r.navAsked = time.Time{}
	select {
	case <-r.loaded:
	default:
		close(r.loaded)
	}
	r.notify()
}

// navRequested notes that the page itself asked for a new document in
// its main frame: the load is not over until that document has loaded.
func (r *recorder) navRequested() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.navAsked = time.Now()
	r.reopen()
	r.notify()
}

// clickLoad marks the current load as started by a click: with no
// navigation asked for within navWait, it has loaded.
func (r *recorder) clickLoad() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.noNavBy = time.Now().Add(navWait)
	r.notify()
}

// documents is how many main-frame documents the current load started.
func (r *recorder) documents() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.docs
}

// awaitNavigation waits up to d for the page to start another document
// (or ask for one), and reports whether it did.
func (r *recorder) awaitNavigation(ctx context.Context, docs int, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		r.mu.Lock()
		started := r.docs > docs || !r.navAsked.IsZero()
		changed := r.changed
		r.mu.Unlock()
		if started {
			return true
		}
		select {
		case <-changed:
		case <-timer.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

// navSameDocument ends a pending navigation that stayed in the document
// (a fragment, history.pushState): no new document will load.
func (r *recorder) navSameDocument() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.navAsked.IsZero() {
		return
	}
	r.navAsked = time.Time{}
	select {
	case <-r.loaded:
	default:
		close(r.loaded)
	}
	r.notify()
}

// closeLoaded ends the wait for a load event (r.mu held).
func (r *recorder) closeLoaded() {
	r.navAsked = time.Time{}
	select {
	case <-r.loaded:
	default:
		close(r.loaded)
	}
}

// reopen makes the current load wait for another load event.
func (r *recorder) reopen() {
	select {
	case <-r.loaded:
		r.loaded = make(chan struct{})
	default:
	}
}

// navWait is how long a navigation the page asked for may take to start
// before the load stops waiting for it (one that turned into nothing: a
// download, a cancelled submit).
const navWait = 3 * time.Second

// movedOn reports whether the page started another document since it had
// docs, one whose load event has not fired yet: a read of the page then
// may have met that document just committed, before it was parsed.
func (r *recorder) movedOn(docs int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.docs <= docs {
		return false
	}
	select {
	case <-r.loaded:
		return false
	default:
		return true
	}
}

// settledState says whether the load event of the current document has
// fired (or a navigation asked for never started), with state's values.
func (r *recorder) settledState(now time.Time) (loaded bool, n int, next time.Time, changed <-chan struct{}) {
	n, next, changed = r.state(now)
	r.mu.Lock()
	defer r.mu.Unlock()
	select {
	case <-r.loaded:
		loaded = true
	default:
		if !r.noNavBy.IsZero() && r.docs == 0 && r.navAsked.IsZero() {
			if !now.Before(r.noNavBy) {
				loaded = true
			} else if next.IsZero() || r.noNavBy.Before(next) {
				next = r.noNavBy
			}
		}
		if !r.navAsked.IsZero() {
			at := r.navAsked.Add(navWait)
			if !now.Before(at) {
				loaded = true
			} else if next.IsZero() || at.Before(next) {
				next = at
			}
		}
	}
	return loaded, n, next, changed
}

// requests returns the requests of load n, in the order they started.
func (r *recorder) requests(n int) []*Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*Request
	for _, q := range r.all {
		if q.Load == n {
			c := *q
			out = append(out, &c)
		}
	}
	return out
}

// All returns every request so far, for the HAR.
func (r *recorder) snapshot() []*Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*Request, len(r.all))
	for i, q := range r.all {
		c := *q
		out[i] = &c
	}
	return out
}

func (r *recorder) willBeSent(ev *network.EventRequestWillBeSent, mainFrame string) {
	// data: images of Chrome's own error page and the like are no
	// network evidence: only what went to a server is recorded.
	// Nor is the browser's own favicon fetch, which Chrome may report only
	// in part, long after the page.
	if u := ev.Request.URL; !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") ||
		ev.Type == network.ResourceTypeOther && strings.HasSuffix(strings.SplitN(u, "?", 2)[0], "/favicon.ico") {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	id := string(ev.RequestID)
	q := &Request{
		ID: id, Load: r.load, URL: ev.Request.URL, Method: ev.Request.Method,
		Type: string(ev.Type), FrameID: string(ev.FrameID),
		RequestHdr: headers(ev.Request.Headers), requestTime: float64(ev.Timestamp),
		Started: time.Now(), arrived: time.Now(),
	}
	if ev.WallTime > 0 {
		q.Started = time.UnixMicro(int64(float64(ev.WallTime) * 1e6))
	}
	q.Document = ev.Type == network.ResourceTypeDocument && (mainFrame == "" || q.FrameID == mainFrame) && string(ev.LoaderID) == id
	if q.Document && ev.RedirectResponse == nil && r.loaders[string(ev.LoaderID)] == 0 {
		// A new document of this load: wait for its load event too.
		r.navAsked = time.Time{}
		r.docLoader = string(ev.LoaderID)
		r.docs++
		r.reopen()
	}
	if ev.Type == network.ResourceTypeDocument {
		form := postedForm(ev.Request)
		q.SSO = sso.Classify(q.URL, form)
		for k, vs := range form {
			// A code, token or SAMLResponse a provider's form posted: a
			// secret wherever the app's answer echoes it.
			for _, v := range vs {
				// A RelayState that is the app's own address is no secret.
				if redact.IsSensitiveParam(k) && len(v) >= 8 && !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
					q.posted = append(q.posted, v)
				}
			}
		}
	}
	if q.Document {
		r.loaders[string(ev.LoaderID)] = r.load
	} else if n, ok := r.loaders[string(ev.LoaderID)]; ok {
		q.Load = n
	}
	if prev, ok := r.byID[id]; ok && ev.RedirectResponse != nil {
		// A redirect reuses the request id: close the previous hop.
		prev.applyResponse(ev.RedirectResponse)
		prev.done = true
		hops := prev.Redirects
		prev.Redirects = nil
		q.Redirects = append(hops, prev)
		q.Load = prev.Load
		q.Document = prev.Document
		for i, x := range r.all {
			if x == prev {
				r.all[i] = q
			}
		}
		r.byID[id] = q
		r.notify()
		return
	}
	r.byID[id] = q
	r.all = append(r.all, q)
	if q.Load == r.load && awaited(q) {
		r.inflight++
	} else {
		q.settled = true
	}
	r.notify()
}

// postedForm is a form post's fields, read to recognise a sign-in
// protocol's message and dropped with it.
func postedForm(req *network.Request) url.Values {
	if req == nil || !req.HasPostData || len(req.PostDataEntries) == 0 {
		return nil
	}
	ct := ""
	for k, v := range req.Headers {
		if strings.EqualFold(k, "Content-Type") {
			ct, _ = v.(string)
		}
	}
	if !strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
		return nil
	}
	var body []byte
	for _, e := range req.PostDataEntries {
		body = append(body, e.Bytes...)
		if len(body) > 1<<20 {
			return nil
		}
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil
	}
	return v
}

// awaited says whether a load waits for the request: what the page itself
// asks for does; the browser's own favicon fetch, pings and prefetches do
// not (Chrome may never report their end).
func awaited(q *Request) bool {
	switch network.ResourceType(q.Type) {
	case network.ResourceTypeOther, network.ResourceTypePing, network.ResourceTypeCSPViolationReport,
		network.ResourceTypePrefetch, network.ResourceTypePreflight, network.ResourceTypeSignedExchange:
		return false
	}
	return !strings.HasSuffix(q.URL, "/favicon.ico")
}

// servedFromCache marks a request the memory cache answered.
func (r *recorder) servedFromCache(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if q, ok := r.byID[id]; ok {
		q.FromCache = true
		q.fromMemory = true
	}
}

func (q *Request) applyResponse(resp *network.Response) {
	q.Status = int(resp.Status)
	if sd := resp.SecurityDetails; sd != nil && sd.ValidTo > 0 {
		q.CertValidTo = time.Unix(int64(sd.ValidTo.Float64()), 0).UTC()
	}
	q.StatusText = resp.StatusText
	// Chrome sends ExtraInfo (the raw lines, Set-Cookie included) before
	// or after this filtered copy: the raw lines win.
	if !q.rawHeaders {
		q.ResponseHdr = headers(resp.Headers)
	}
	if len(resp.RequestHeaders) > 0 {
		q.RequestHdr = headers(resp.RequestHeaders)
	}
	q.MimeType = resp.MimeType
	q.Protocol = resp.Protocol
	q.RemoteIP = resp.RemoteIPAddress
	q.RemotePort = int(resp.RemotePort)
	q.FromCache = q.fromMemory || resp.FromDiskCache || resp.FromPrefetchCache || resp.FromServiceWorker
	q.Size = int64(resp.EncodedDataLength)
	if t := resp.Timing; t != nil {
		ms := func(a, b float64) float64 {
			if a < 0 || b < 0 {
				return -1
			}
			return b - a
		}
		q.Timing = Timing{
			Blocked: max(t.DNSStart, t.ConnectStart, t.SendStart, 0),
			DNS:     ms(t.DNSStart, t.DNSEnd),
			Connect: ms(t.ConnectStart, t.ConnectEnd),
			SSL:     ms(t.SslStart, t.SslEnd),
			Send:    ms(t.SendStart, t.SendEnd),
			Wait:    ms(t.SendEnd, t.ReceiveHeadersEnd),
		}
		if q.Timing.DNS >= 0 || q.Timing.Connect >= 0 {
			q.Timing.Blocked = max(0, min(pos(t.DNSStart), pos(t.ConnectStart), pos(t.SendStart)))
		} else {
			q.Timing.Blocked = max(0, t.SendStart)
		}
		q.requestTime = t.RequestTime
	}
}

func pos(v float64) float64 {
	if v < 0 {
		return 1e18
	}
	return v
}

func (r *recorder) responseReceived(ev *network.EventResponseReceived) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if q, ok := r.byID[string(ev.RequestID)]; ok && ev.Response != nil {
		q.applyResponse(ev.Response)
		if st := ev.Response.Status; (st == 204 || st == 205) && q.Document && q.Load == r.load && q.ID == r.docLoader && r.docs > 1 {
			// No content: the navigation does not commit.
			r.closeLoaded()
		}
		r.settle(q)
		r.notify()
	}
}

// extraInfo carries the raw response headers, which keep Set-Cookie lines
// and repeated WWW-Authenticate lines exactly as the server sent them.
func (r *recorder) extraInfo(ev *network.EventResponseReceivedExtraInfo) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if q, ok := r.byID[string(ev.RequestID)]; ok {
		if h := headers(ev.Headers); len(h) > 0 {
			q.ResponseHdr = h
			q.rawHeaders = true
		}
		for _, b := range ev.BlockedCookies {
			q.BlockedCookies = append(q.BlockedCookies, refusedSetCookie(b, q.URL))
		}
		if ev.StatusCode > 0 && q.Status == 0 {
			q.Status = int(ev.StatusCode)
		}
	}
}

// setBody stores a captured body on the recorded request.
func (r *recorder) setBody(id string, body []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if q, ok := r.byID[id]; ok {
		q.Body = body
	}
}

func (r *recorder) requestExtraInfo(ev *network.EventRequestWillBeSentExtraInfo) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if q, ok := r.byID[string(ev.RequestID)]; ok {
		if h := headers(ev.Headers); len(h) > 0 {
			q.RequestHdr = h
		}
		for _, a := range ev.AssociatedCookies {
			if bc, ok := refusedCookie(a); ok {
				q.BlockedCookies = append(q.BlockedCookies, bc)
			}
		}
	}
}

// refusedSetCookie is a Set-Cookie the browser did not store: the name
// from its line (the value is dropped here), the domain it was for.
func refusedSetCookie(b *network.BlockedSetCookieWithReason, reqURL string) BlockedCookie {
	bc := BlockedCookie{Set: true}
	for _, r := range b.BlockedReasons {
		bc.Reasons = append(bc.Reasons, string(r))
	}
	if c := b.Cookie; c != nil {
		bc.Name, bc.Domain, bc.Path = redact.CookieName(c.Name), c.Domain, c.Path
		return bc
	}
	pair, attrs, _ := strings.Cut(b.CookieLine, ";")
	if name, _, ok := strings.Cut(pair, "="); ok {
		bc.Name = redact.CookieName(strings.TrimSpace(name))
	} else {
		bc.Name = "(a cookie without a name)" // the line is its value
	}
	for _, a := range strings.Split(attrs, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(a), "=")
		switch strings.ToLower(k) {
		case "domain":
			bc.Domain = strings.TrimSpace(v)
		case "path":
			bc.Path = strings.TrimSpace(v)
		}
	}
	if bc.Domain == "" {
		if u, err := url.Parse(reqURL); err == nil {
			bc.Domain = u.Hostname()
		}
	}
	return bc
}

// refusedCookie is a stored cookie the browser did not send. A cookie
// whose path or domain is not the request's was never meant for it:
// that is no refusal.
func refusedCookie(a *network.AssociatedCookie) (BlockedCookie, bool) {
	if a == nil || a.Cookie == nil || len(a.BlockedReasons) == 0 {
		return BlockedCookie{}, false
	}
	bc := BlockedCookie{Name: redact.CookieName(a.Cookie.Name), Domain: a.Cookie.Domain, Path: a.Cookie.Path}
	for _, r := range a.BlockedReasons {
		switch r {
		case network.CookieBlockedReasonNotOnPath, network.CookieBlockedReasonDomainMismatch:
			return BlockedCookie{}, false
		}
		bc.Reasons = append(bc.Reasons, string(r))
	}
	return bc, true
}

func (r *recorder) finished(id string, ts float64, size float64, failed string, canceled bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	q, ok := r.byID[id]
	if !ok || q.done {
		return
	}
	q.done = true
	q.Failed = failed
	q.Canceled = canceled
	if failed != "" && q.Document && q.Load == r.load && id == r.docLoader && r.docs > 1 {
		// A later navigation that failed or was cancelled never commits:
		// the page that asked for it stays, and has loaded.
		r.closeLoaded()
	}
	if size > 0 {
		q.Size = int64(size)
	}
	if q.requestTime > 0 && ts > 0 && q.Timing.Wait >= 0 {
		hdrEnd := q.Timing.Blocked + max(q.Timing.DNS, 0) + max(q.Timing.Connect, 0) + max(q.Timing.Send, 0) + max(q.Timing.Wait, 0)
		q.Timing.Receive = max(0, (ts-q.requestTime)*1000-hdrEnd)
	}
	r.settle(q)
	r.notify()
}

// answered notes on the newest request of the current load for url that
// fix401 answered its challenge with credentials, sent in header with
// scheme (see Request.AnsweredAuth).
func (r *recorder) answered(url, header, scheme string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.all) - 1; i >= 0; i-- {
		if q := r.all[i]; q.URL == url && q.Load == r.load {
			q.AnsweredAuth = append(q.AnsweredAuth, header+": "+scheme)
			return
		}
	}
}

// downloadRefused ends the requests of the current load for url, made in
// frame, that became a download, which the browser refuses, and reports
// whether there were any. Such a navigation gets no other end, and the
// page it left may never fire its load event: the download ends the load
// too.
func (r *recorder) downloadRefused(url, frame string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	found := false
	for _, q := range r.all {
		if q.URL != url || q.Load != r.load || q.FrameID != frame {
			continue
		}
		found = true
		if !q.done {
			q.done = true
			q.Failed = "download refused (fix401 saves no file a page sends)"
		}
		r.settle(q)
	}
	if found {
		select {
		case <-r.loaded:
		default:
			close(r.loaded)
		}
		r.notify()
	}
	return found
}

// settle counts a request out of the load's in-flight set once its status
// is known: judging needs no body, and a page that never reads a fetch's
// body (or streams one) must not hold the load open.
func (r *recorder) settle(q *Request) {
	if q.settled {
		return
	}
	q.settled = true
	if q.Load == r.load && r.inflight > 0 {
		r.inflight--
	}
}

// headers turns CDP's header object (repeated lines joined by "\n") into an
// http.Header with one value per line.
func headers(h network.Headers) http.Header {
	out := http.Header{}
	for k, v := range h {
		s, ok := v.(string)
		if !ok {
			continue
		}
		for _, line := range strings.Split(s, "\n") {
			out.Add(k, line)
		}
	}
	return out
}
