package browser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/inspector"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/fix401/fix401/internal/netlog"
)

// Credentials answer HTTP auth challenges (Basic, Digest, NTLM, Negotiate).
type Credentials struct {
	User, Password string
	// ProxyUser and ProxyPassword answer a proxy's challenge; a site's
	// password is never sent to a proxy, nor a proxy's to a site.
	ProxyUser, ProxyPassword string
}

// AuthEvent is one HTTP auth challenge the browser met, and what we answered.
// Dialog is a JavaScript dialog a page opened (alert, confirm, prompt,
// beforeunload), answered by fix401 so that it never blocks the tab.
type Dialog struct {
	Type    string // alert, confirm, prompt, beforeunload
	Message string // as the page wrote it, at most 2000 characters
}

type AuthEvent struct {
	URL, Origin, Scheme, Realm string
	Proxy                      bool
	Answer                     string // "cancelled" or "credentials"
}

// Session is one tab, in the browser's default context or in a new isolated
// one. Its methods must not be called concurrently.
type Session struct {
	b      *Browser
	ctx    context.Context
	cancel context.CancelFunc
	rec    *recorder

	mu        sync.Mutex
	mainFrame string
	creds     *Credentials
	authTries map[string]int // per request id: Chrome asks again after a wrong answer
	auth      []AuthEvent
	dialogs   []Dialog
	// gone: the tab's renderer went away (a stuck page fix401 ended, or
	// a crash) and no page has committed since; crashed is closed then.
	gone    bool
	crashed chan struct{}

	bearerOrigin, bearerToken string
	intercepting              bool // Fetch is on: requests pause, challenges are answered here
	proxied                   bool // its browser context has a proxy of its own
	firstTab                  bool // the browser's first tab, which outlives the session
	isolated                  bool // in a browser context of its own, which Close disposes of
}

// SessionOptions say where a tab lives.
type SessionOptions struct {
	// Isolated puts the tab in a new browser context, with its own cookies,
	// cache, storage, connections and auth cache, as an incognito window has.
	Isolated bool
	// Proxy (with Isolated) sends the context's requests through this proxy.
	Proxy string
}

// NewSession opens a tab in the browser's default context, or an isolated one.
func (b *Browser) NewSession(isolated bool) (*Session, error) {
	return b.Open(SessionOptions{Isolated: isolated})
}

// Open opens a tab as o says.
func (b *Browser) Open(o SessionOptions) (*Session, error) {
	s := &Session{b: b, rec: newRecorder(), authTries: map[string]int{}, crashed: make(chan struct{})}
	opts := []chromedp.ContextOption{chromedp.WithListener(s.listen)}
	isolated := o.Isolated || o.Proxy != ""
	if !isolated && b.firstTab.CompareAndSwap(false, true) {
		// The browser's first tab is open already, in the default context:
		// the first session there takes it rather than open another, which
		// costs about 100 ms of a browser start (fresh-profile and
		// dns-flush each start one). Closing the session stops listening;
		// the tab closes with the browser.
		s.ctx, s.cancel = context.WithCancel(b.ctx)
		s.firstTab = true
		if err := chromedp.Listen(s.ctx, s.listen); err != nil {
			s.cancel()
			return nil, fmt.Errorf("opening a tab: %w", err)
		}
		return s.enable()
	}
	if isolated {
		s.isolated, s.proxied = true, o.Proxy != ""
		opts = append(opts, chromedp.WithNewBrowserContext(func(p *target.CreateBrowserContextParams) {
			if o.Proxy != "" {
				p.ProxyServer = o.Proxy
				// Chrome bypasses proxies for loopback unless told not to.
				p.ProxyBypassList = "<-loopback>"
			}
		}))
	}
	s.ctx, s.cancel = chromedp.NewContext(b.ctx, opts...)
	return s.enable()
}

// enable readies the session's tab, opening it when it is new.
func (s *Session) enable() (*Session, error) {
	b := s.b
	err := chromedp.Do(s.ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		// The calls are independent: sent at once, as Puppeteer sends a new
		// page's, they cost one round trip to the browser, not three (a
		// check opens a tab per URL). Lifecycle events, which name the
		// document whose load fired, chromedp enabled when it attached.
		calls := []func() error{func() error {
			// chromedp enables CSS and DOM when it attaches, for its node
			// queries; fix401 reads pages with scripts, so the renderer
			// need not report every style sheet and document.
			if _, err := cdp.Call(ctx, t, css.Disable, cdp.Empty{}); err != nil {
				return err
			}
			_, err := cdp.Call(ctx, t, dom.Disable, cdp.Empty{})
			return err
		}}
		if b.acceptLanguage != "" {
			calls = append(calls, func() error {
				_, err := cdp.Call(ctx, t, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
					Headers: network.Headers{"Accept-Language": b.acceptLanguage},
				})
				return err
			})
		}
		// A page's download (Content-Disposition: attachment) is never
		// saved: it would land in the user's Downloads under a name the
		// server chose.
		// A remote browser's default context is somebody else's: left as
		// it is (its downloads land on that machine, not this one).
		if c := chromedp.FromContext(ctx); c != nil && c.Browser != nil && !(b.remote && c.BrowserContextID == "") {
			calls = append(calls, func() error {
				if _, err := cdp.Call(ctx, c.Browser, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
					Behavior: cdpbrowser.SetDownloadBehaviorBehaviorDeny, BrowserContextID: c.BrowserContextID,
					EventsEnabled: new(true),
				}); err != nil {
					return fmt.Errorf("denying downloads: %w", err)
				}
				return nil
			})
		}
		// A full browser's tab must answer auth challenges itself, or
		// headless Chrome turns every Basic/Digest/NTLM 401 into
		// ERR_INVALID_AUTH_CREDENTIALS with no page; and only interception
		// tells a proxy's challenge from a server's 407. A headless shell
		// with no proxy in the way intercepts only once it has something
		// to answer with (see interceptIfNeeded), since interception
		// pauses every request.
		if !b.lazyIntercept || s.proxied {
			calls = append(calls, func() error { return s.intercept(ctx) })
		}
		errs := make([]error, len(calls))
		var wg sync.WaitGroup
		for i, call := range calls {
			wg.Go(func() { errs[i] = call() })
		}
		wg.Wait()
		return errors.Join(errs...)
	}))
	if err != nil {
		s.cancel()
		if b.ctx.Err() != nil {
			return nil, errClosed
		}
		return nil, fmt.Errorf("opening a tab: %w", err)
	}
	// A navigation that turns into a download never finishes as a request:
	// the refused download ends it. The listener ends with the session.
	if err := chromedp.ListenBrowser(s.ctx, func(ev any) {
		// Every context's downloads come here: only this tab's frames count.
		if d, ok := ev.(*cdpbrowser.EventDownloadWillBegin); ok {
			s.rec.downloadRefused(d.URL, string(d.FrameID))
		}
	}); err != nil {
		s.cancel()
		return nil, fmt.Errorf("opening a tab: %w", err)
	}
	return s, nil
}

// Close closes the tab (and its browser context, when isolated). An
// isolated tab is torn down in the background, which the browser's Close
// waits for. The browser's first tab stays open until the browser closes:
// it stops intercepting, if it did (a paused request would wait forever),
// and goes blank, so that its page runs nothing more.
func (s *Session) Close() {
	if s.isolated && s.b.closeLater(s.cancel) {
		return
	}
	if !s.firstTab || s.ctx.Err() != nil {
		s.cancel()
		return
	}
	// In the background, as closing other tabs is: the next step need not
	// wait. The listener stops at once.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(s.ctx), 2*time.Second)
	s.cancel()
	s.mu.Lock()
	intercepting := s.intercepting
	s.mu.Unlock()
	go func() {
		defer cancel()
		if intercepting {
			_, _ = chromedp.Call(ctx, fetch.Disable, cdp.Empty{})
		}
		_, _ = chromedp.Call(ctx, page.Navigate, page.NavigateParams{URL: "about:blank"})
	}()
}

// SetCredentials makes the session answer auth challenges with c (nil:
// cancel them, so the 401 page renders), from its next load on.
func (s *Session) SetCredentials(c *Credentials) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.creds = c
}

// intercept turns on the Fetch domain in the tab: every request pauses
// until listen continues it (adding a bearer token where one is due), and
// every auth challenge until answerAuth answers it.
func (s *Session) intercept(ctx context.Context) error {
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{
		Patterns:           []*fetch.RequestPattern{{URLPattern: "*"}},
		HandleAuthRequests: new(true),
	}); err != nil {
		return err
	}
	s.mu.Lock()
	s.intercepting = true
	s.mu.Unlock()
	return nil
}

// interceptIfNeeded intercepts before a load when the tab has credentials
// or a bearer token and does not intercept yet (a headless shell's tab).
func (s *Session) interceptIfNeeded(ctx context.Context) error {
	s.mu.Lock()
	need := !s.intercepting && (s.creds != nil || s.bearerToken != "")
	s.mu.Unlock()
	if !need {
		return nil
	}
	return s.intercept(ctx)
}

// listen runs on the tab's read loop, in event order: it records and never
// blocks; replies to paused requests go out on their own goroutines.
func (s *Session) listen(ev any) {
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		s.mu.Lock()
		mf := s.mainFrame
		s.mu.Unlock()
		s.rec.willBeSent(ev, mf)
	case *network.EventRequestWillBeSentExtraInfo:
		s.rec.requestExtraInfo(ev)
	case *network.EventResponseReceived:
		s.rec.responseReceived(ev)
	case *network.EventResponseReceivedExtraInfo:
		s.rec.extraInfo(ev)
	case *network.EventRequestServedFromCache:
		s.rec.servedFromCache(string(ev.RequestID))
	case *network.EventLoadingFinished:
		s.rec.finished(string(ev.RequestID), float64(ev.Timestamp), ev.EncodedDataLength, "", false)
	case *network.EventLoadingFailed:
		s.rec.finished(string(ev.RequestID), float64(ev.Timestamp), 0, ev.ErrorText, ev.Canceled)
	case *page.EventLifecycleEvent:
		s.mu.Lock()
		mf := s.mainFrame
		s.mu.Unlock()
		if ev.Name == "load" && (mf == "" || string(ev.FrameID) == mf) {
			s.rec.loadFired(string(ev.LoaderID))
		}
	case *inspector.EventTargetCrashed:
		s.onCrash()
	case *page.EventFrameNavigated:
		if ev.Frame != nil && ev.Frame.ParentID == "" {
			s.onCommit()
		}
	case *page.EventFrameRequestedNavigation:
		s.mu.Lock()
		mf := s.mainFrame
		s.mu.Unlock()
		if string(ev.FrameID) == mf && ev.Disposition == page.ClientNavigationDispositionCurrentTab {
			s.rec.navRequested()
		}
	case *page.EventNavigatedWithinDocument:
		s.mu.Lock()
		mf := s.mainFrame
		s.mu.Unlock()
		if string(ev.FrameID) == mf {
			s.rec.navSameDocument()
		}
	case *fetch.EventRequestPaused:
		p := fetch.ContinueRequestParams{RequestID: ev.RequestID}
		s.mu.Lock()
		if s.bearerToken != "" && ev.Request != nil && Origin(ev.Request.URL) == s.bearerOrigin {
			p.Headers = withHeader(ev.Request.Headers, "Authorization", "Bearer "+s.bearerToken)
		}
		s.mu.Unlock()
		go s.reply(fetch.ContinueRequest, p)
	case *fetch.EventAuthRequired:
		go s.answerAuth(ev)
	case *page.EventJavascriptDialogOpening:
		// Kept whole enough to be masked before it is cut for the report.
		msg := ev.Message
		if r := []rune(msg); len(r) > 2000 {
			msg = string(r[:2000])
		}
		s.mu.Lock()
		s.dialogs = append(s.dialogs, Dialog{Type: string(ev.Type), Message: msg})
		s.mu.Unlock()
		// Dismissed, as a person closes it; a page that asks "leave this
		// page?" is left, or the next load would wait on it forever.
		accept := ev.Type == page.DialogTypeBeforeunload
		go func() {
			ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
			defer cancel()
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: accept})
		}()
	}
}

// withHeader returns the request's headers with name set to value.
func withHeader(h network.Headers, name, value string) []*fetch.HeaderEntry {
	var out []*fetch.HeaderEntry
	for k, v := range h {
		if str, ok := v.(string); ok && !strings.EqualFold(k, name) {
			out = append(out, &fetch.HeaderEntry{Name: k, Value: str})
		}
	}
	return append(out, &fetch.HeaderEntry{Name: name, Value: value})
}

func (s *Session) reply(cmd cdp.Command[fetch.ContinueRequestParams, cdp.Empty], p fetch.ContinueRequestParams) {
	// An error here means the tab or request went away; nothing to do.
	_, _ = chromedp.Call(s.ctx, cmd, p)
}

func (s *Session) answerAuth(ev *fetch.EventAuthRequired) {
	s.mu.Lock()
	creds := s.creds
	id := string(ev.RequestID)
	proxy := ev.AuthChallenge != nil && ev.AuthChallenge.Source == fetch.AuthChallengeSourceProxy
	// One try per request and per challenger: Chrome asks again after a
	// rejected answer, and a wrong password must end as a 401 (or 407)
	// page, not a loop; the site's challenge after the proxy's, on the
	// same request, is a challenge of its own.
	if proxy {
		id += " proxy"
	}
	s.authTries[id]++
	tries := s.authTries[id]
	resp := &fetch.AuthChallengeResponse{Response: fetch.AuthChallengeResponseResponseCancelAuth}
	answer := "cancelled"
	user, password := "", ""
	if creds != nil && proxy {
		user, password = creds.ProxyUser, creds.ProxyPassword
	} else if creds != nil {
		user, password = creds.User, creds.Password
	}
	if user != "" && tries == 1 {
		resp = &fetch.AuthChallengeResponse{
			Response: fetch.AuthChallengeResponseResponseProvideCredentials,
			Username: user, Password: password,
		}
		answer = "credentials"
	}
	e := AuthEvent{Answer: answer}
	if ev.Request != nil {
		e.URL = ev.Request.URL
	}
	if c := ev.AuthChallenge; c != nil {
		e.Origin, e.Scheme, e.Realm = c.Origin, c.Scheme, c.Realm
		e.Proxy = c.Source == fetch.AuthChallengeSourceProxy
	}
	s.auth = append(s.auth, e)
	s.mu.Unlock()
	if answer == "credentials" {
		header := "Authorization"
		if proxy {
			header = "Proxy-Authorization"
		}
		s.rec.answered(e.URL, header, e.Scheme)
	}
	_, _ = chromedp.Call(s.ctx, fetch.ContinueWithAuth, fetch.ContinueWithAuthParams{
		RequestID: ev.RequestID, AuthChallengeResponse: resp,
	})
}

// Load is what one page load showed: the raw evidence, unjudged.
type Load struct {
	URL         string // as requested
	FinalURL    string // after redirects
	Status      int    // main document; 0 when none arrived
	StatusText  string
	Header      http.Header // main document response headers
	MimeType    string
	RemoteIP    string
	FromCache   bool
	NetError    string // e.g. net::ERR_CONNECTION_REFUSED
	TimedOut    bool
	Redirected  bool
	Title       string
	Headings    []string
	Text        string
	HasPassword bool
	LoginForm   *FormInfo // the form around the password field, when there is one
	// OneTimeCode: the page asks for a one-time code (a second factor).
	OneTimeCode bool
	// IdentifierOnly: the page is the first step of an "identifier first"
	// sign-in: a form with the user name alone.
	IdentifierOnly bool
	// StoredTokens are the times of the JWTs the page keeps in its storage.
	StoredTokens []StoredToken
	// StoredSecrets are the values the page keeps in its storage that are
	// secrets (under a token's, a session's or a key's name, or with a
	// token's shape): a page may show them, and they are masked as the
	// credentials its traffic carried are. Never written.
	StoredSecrets []string
	Requests      []*Request // every request of this load, the document first
	// Chain is every main-frame document request of the load in order:
	// the redirects and the navigations that led to the document.
	Chain []*Request
	Auth  []AuthEvent
	// SignIn is what the browser's network log says about the sign-in
	// attempts of this load (the scheme chosen, whether the machine's own
	// credentials were allowed, the security library's errors); SignInLog
	// says whether there was a log to read (not for a remote browser).
	SignIn    []netlog.Attempt
	SignInLog bool
	Dialogs   []Dialog // what the page asked while it loaded, dismissed
	// Hung, when set, says in a sentence how the page's script held the
	// page (an endless loop while it loaded or after), which fix401 then
	// stopped: the page was read as far as it could be, then closed.
	Hung       string
	Screenshot []byte // PNG of the viewport; nil when it could not be taken
	// ScreenshotOf is the earlier load whose Screenshot this one shares,
	// because it showed the same page (see LoadOptions.Like); nil when
	// this load's screenshot was captured for it.
	ScreenshotOf *Load
	domRead      bool // the page's DOM was read: Title and Text say what it showed
	Started      time.Time
	Duration     time.Duration
	Index        int // the load's number, unique in the program: its requests' Load
}

// LoadOptions tune one load.
type LoadOptions struct {
	Timeout    time.Duration // whole load, default 20s
	Screenshot bool
	// Like are earlier loads with screenshots. When this load shows the
	// same page as one of them (SamePage), it shares that screenshot
	// instead of capturing one: a capture costs about as much as the load
	// itself, and a walk mostly reloads the same 401 page.
	Like []*Load
	// Mask are secrets the page may show (it was sent them): before the
	// screenshot, every occurrence in the page's text, form fields and
	// title is replaced by dots, so the picture cannot show one.
	Mask []string
}

// CredentialValues are the credentials requests carried: the values of
// cookies set and sent and of Authorization headers, 8 characters or more
// (shorter ones are no secret, and masking them would garble pages).
func CredentialValues(reqs []*Request) []string {
	var out []string
	add := func(v string) {
		// A quoted cookie value (RFC 6265 allows it) is masked without
		// its quotes, as a page shows it.
		v = strings.Trim(strings.TrimSpace(v), `"`)
		if len(v) >= 8 && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	for _, q := range reqs {
		// Every hop: a cookie set on a redirect is sent, and echoed, later.
		for _, h := range q.Hops() {
			for _, v := range h.posted {
				add(v)
			}
			for _, sc := range h.ResponseHdr.Values("Set-Cookie") {
				// Some tools join several Set-Cookie lines with newlines.
				for _, line := range strings.Split(sc, "\n") {
					pair, _, _ := strings.Cut(line, ";")
					_, v, _ := strings.Cut(pair, "=")
					add(v)
				}
			}
			for _, c := range h.RequestHdr.Values("Cookie") {
				for _, pair := range strings.Split(c, ";") {
					_, v, _ := strings.Cut(pair, "=")
					add(v)
				}
			}
			for _, name := range []string{"Authorization", "Proxy-Authorization"} {
				if a := h.RequestHdr.Get(name); a != "" {
					_, cred, _ := strings.Cut(a, " ")
					add(cred)
				}
			}
		}
	}
	return out
}

// maskScript replaces the secrets it is given wherever the page shows
// them: text nodes (in shadow roots too), form field values, the title.
const maskScript = `((secrets) => {
  const dots = (s) => { for (const x of secrets) { if (x) s = s.split(x).join("\u2022\u2022\u2022\u2022"); } return s; };
  const walk = (root) => {
    const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n; n = w.nextNode()) { const v = dots(n.nodeValue); if (v !== n.nodeValue) n.nodeValue = v; }
    for (const el of root.querySelectorAll("*")) { if (el.shadowRoot) walk(el.shadowRoot); }
    for (const el of root.querySelectorAll("input, textarea")) { const v = dots(el.value); if (v !== el.value) el.value = v; }
  };
  if (document.body) walk(document.body);
  document.title = dots(document.title);
  return true;
})`

// Navigate loads url in the tab, as typing it in the address bar does.
func (s *Session) Navigate(ctx context.Context, url string, o LoadOptions) (*Load, error) {
	return s.load(ctx, url, o, func(ctx context.Context) (string, error) {
		res, err := chromedp.Call(ctx, page.Navigate, page.NavigateParams{URL: url})
		if err != nil {
			return "", err
		}
		s.mu.Lock()
		s.mainFrame = string(res.FrameID)
		s.mu.Unlock()
		return res.ErrorText, nil
	})
}

// Reload reloads the current page as F5 does (the cache is used, validated).
func (s *Session) Reload(ctx context.Context, url string, o LoadOptions) (*Load, error) {
	return s.load(ctx, url, o, func(ctx context.Context) (string, error) {
		_, err := chromedp.Call(ctx, page.Reload, page.ReloadParams{})
		return "", err
	})
}

// domInfo is what the page's own DOM says, read after the load.
type domInfo struct {
	Title    string        `json:"title"`
	Headings []string      `json:"headings"`
	Text     string        `json:"text"`
	Password bool          `json:"password"`
	Href     string        `json:"href"`
	Form     *FormInfo     `json:"form"`
	OTP      bool          `json:"otp"`
	IDFirst  bool          `json:"idFirst"`
	Tokens   []StoredToken `json:"tokens"`
	Secrets  []string      `json:"secrets"`
	AutoPost bool          `json:"autoPost"`
}

// StoredToken is a JWT a page keeps in its storage (single-page apps keep
// their id and access tokens there): where, and its times, read in the
// page; the token itself never leaves it.
type StoredToken struct {
	Store string  `json:"store"` // localStorage or sessionStorage
	Iat   float64 `json:"iat"`
	Nbf   float64 `json:"nbf"`
	Exp   float64 `json:"exp"`
}

// FormInfo is the sign-in form a page carries: where it posts and the
// names of its fields, never their values.
type FormInfo struct {
	Action string   `json:"action"` // absolute URL
	Method string   `json:"method"`
	Fields []string `json:"fields"`
}

const domScript = `(() => {
  const otpSel = ['input[autocomplete=one-time-code]', 'input[name*=otp i]', 'input[id*=otp i]', 'input[name*=totp i]',
    'input[name*=passcode i]', 'input[name*=mfa i]', 'input[name*=verificationcode i]', 'input[name*=verification_code i]']
    .map(s => s + ':not([type=hidden])').join(', ');
  const hs = [...document.querySelectorAll('h1,h2,h3')].slice(0, 30)
    .map(h => (h.innerText || h.textContent || '').trim()).filter(Boolean);
  const body = document.body ? (document.body.innerText || document.body.textContent || '') : '';
  return {title: document.title || '', headings: hs, text: body.slice(0, 20000),
    password: !!document.querySelector('input[type=password]'), href: location.href, form: loginForm(),
    otp: !!document.querySelector(otpSel), idFirst: identifierOnly(), tokens: storedTokens(),
    secrets: storedSecrets(), autoPost: autoPost()};
  // storedSecrets: the values of the page's storage that are secrets, by
  // the item's name or the value's shape, and the JWTs inside any value,
  // so that what the page shows of them is masked (Load.StoredSecrets).
  function storedSecrets() {
    const out = new Set();
    const named = /token|secret|passw|pwd|session|jwt|auth|apikey|api_key|credential|cookie|(^|[_-])(key|sid)$/i;
    // Under a token's name, a value is a secret when it looks like one:
    // "accepted" or "unauthenticated" there are words of the page.
    const tokenLike = v => /^[\w\-.~+\/=%:]+$/.test(v) && (/\d/.test(v) || (/[a-z]/.test(v) && /[A-Z]/.test(v)));
    const shaped = v => v.length >= 20 && /^[\w\-.~+\/=%]+$/.test(v) && /[A-Za-z]/.test(v) && (v.match(/\d/g) || []).length >= 2;
    for (const name of ['localStorage', 'sessionStorage']) {
      let st;
      try { st = window[name]; if (!st) continue; } catch (e) { continue; }
      for (let i = 0; i < Math.min(st.length, 200) && out.size < 50; i++) {
        let k, v;
        try { k = st.key(i) || ''; v = (st.getItem(k) || '').trim(); } catch (e) { continue; }
        if (v.length >= 8 && v.length <= 4096 && (named.test(k) && tokenLike(v) || shaped(v))) out.add(v);
        for (const m of v.slice(0, 20000).matchAll(/eyJ[\w-]{5,}\.eyJ[\w-]{5,}\.[\w-]*/g)) out.add(m[0]);
      }
    }
    return [...out].slice(0, 50);
  }
  // autoPost: a form a sign-in protocol posts by script (the provider's
  // answer to the app), not a page's own form with a hidden "code".
  function autoPost() {
    if (document.querySelector('input[type=password]')) return false;
    return [...document.forms].some(f => {
      if ((f.getAttribute('method') || '').toLowerCase() !== 'post') return false;
      const has = n => !!f.querySelector('input[type=hidden][name=' + n + ']');
      return has('SAMLResponse') || has('SAMLRequest') || has('id_token') || has('wresult') || (has('code') && has('state'));
    });
  }
  // The times of the JWTs the page keeps, decoded here: only numbers
  // leave the page. Values that hold a token inside JSON (MSAL's cache
  // entries) are searched too.
  function storedTokens() {
    const out = [];
    for (const name of ['localStorage', 'sessionStorage']) {
      let st;
      try { st = window[name]; if (!st) continue; } catch (e) { continue; }
      for (let i = 0; i < Math.min(st.length, 200) && out.length < 20; i++) {
        let v;
        try { v = st.getItem(st.key(i)) || ''; } catch (e) { continue; }
        for (const m of v.slice(0, 20000).matchAll(/eyJ[\w-]{5,}\.(eyJ[\w-]{5,})\.[\w-]*/g)) {
          try {
            const c = JSON.parse(atob(m[1].replace(/-/g, '+').replace(/_/g, '/')));
            if (c.exp || c.nbf) out.push({store: name, iat: +c.iat || 0, nbf: +c.nbf || 0, exp: +c.exp || 0});
          } catch (e) {}
        }
      }
    }
    return out;
  }
  // identifierOnly: the first page of an "identifier first" sign-in, a
  // form asking for the user name alone, the password on the next page.
  function identifierOnly() {
    if (document.querySelector('input[type=password]')) return false;
    return [...document.forms].some(f => {
      const ins = [...f.querySelectorAll('input')].filter(i =>
        ['text', 'email', 'tel', ''].includes((i.getAttribute('type') || '').toLowerCase()) && !i.hidden && i.offsetParent !== null);
      return ins.length === 1 && !ins[0].matches(otpSel) && !/search|query|^q$/i.test(ins[0].name + ' ' + (ins[0].type || ''));
    });
  }
  function loginForm() {
    const pw = document.querySelector('input[type=password]');
    const f = pw && pw.form;
    if (!f) return null;
    const names = [...f.elements].map(e => e.name).filter(Boolean);
    return {action: f.action || location.href, method: (f.getAttribute('method') || 'get').toUpperCase(),
      fields: [...new Set(names)].slice(0, 20)};
  }
})()`

func (s *Session) load(ctx context.Context, url string, o LoadOptions, trigger func(context.Context) (string, error)) (*Load, error) {
	if o.Timeout <= 0 {
		o.Timeout = 20 * time.Second
	}
	if s.b.ctx.Err() != nil {
		return nil, errClosed
	}
	n := s.rec.begin()
	s.mu.Lock()
	authFrom, dialogsFrom := len(s.auth), len(s.dialogs)
	s.mu.Unlock()
	l := &Load{URL: url, Started: time.Now(), Index: n}
	nl := s.b.NetLog()
	var logFrom int64
	if nl != nil {
		logFrom = nl.Size()
	}

	// tctx bounds the load and follows the caller's cancellation, while s.ctx
	// (the tab) lives on for the next load.
	tctx, cancel := context.WithTimeout(s.ctx, o.Timeout)
	defer cancel()
	defer context.AfterFunc(ctx, cancel)()

	// A page whose script spins while it loads never fires its load
	// event, and answers nothing: shortly before the load's time is up,
	// the page is asked whether it answers at all, so that a stuck page
	// is known when the load times out, not a wait later. A page that
	// settles first is never asked.
	deadline, _ := tctx.Deadline()
	probed := make(chan bool, 1)
	probe := time.AfterFunc(time.Until(deadline.Add(-stuckAnswer)), func() { probed <- s.answers(stuckAnswer) })
	defer probe.Stop()

	if err := s.interceptIfNeeded(tctx); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("loading %s: answering its challenges: %w", url, err)
	}
	loaded := s.rec.loadedCh()
	if url == "" {
		s.rec.clickLoad()
	}
	errText, err := trigger(tctx)
	switch {
	case err != nil && tctx.Err() != nil && ctx.Err() == nil && s.ctx.Err() == nil:
		l.TimedOut = true
	case err != nil:
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("loading %s: %w", url, err)
	case errText != "":
		l.NetError = errText
		// Chrome now shows its error page; let it finish so that nothing of
		// it spills into the next load. It is quick, and bounded anyway.
		ectx, ecancel := context.WithTimeout(tctx, 2*time.Second)
		select {
		case <-loaded:
		case <-ectx.Done():
		}
		ecancel()
	default:
		if !s.waitSettled(tctx) {
			l.TimedOut = ctx.Err() == nil
		}
	}
	docs := s.rec.documents()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	// Every budget below ends with the load, or with the caller.
	var ends []func()
	defer func() {
		for _, end := range ends {
			end()
		}
	}()
	within := func(deadline time.Time) context.Context {
		c, cancel := context.WithDeadline(s.ctx, deadline)
		stop := context.AfterFunc(ctx, cancel)
		ends = append(ends, func() { stop(); cancel() })
		return c
	}
	// hung says how the page's script held the page ("" when it did
	// not): such a page is interrupted to be read, and ended once read
	// (see hung.go), so that the loads after it are not held too.
	hung := ""
	if l.TimedOut {
		// A page may time out because its script never yields (an
		// endless loop): its renderer then answers nothing, not even a
		// trivial evaluation. End that script first, or the page cannot
		// be read and every later load of the tab times out too.
		var answered bool
		if probe.Stop() {
			answered = s.answers(stuckAnswer) // the load ended before the probe was due
		} else {
			answered = <-probed
		}
		if !answered && !s.pageGone() && s.ctx.Err() == nil {
			hung = "its script never yielded while it loaded"
			s.interrupt()
		}
		// Stop the page so that its open requests end.
		sctx, scancel := context.WithTimeout(s.ctx, evidenceGrace)
		_, _ = chromedp.Call(sctx, page.StopLoading, cdp.Empty{})
		scancel()
	}

	readDOM := func(rctx context.Context) (domInfo, error) {
		before := s.rec.documents()
		di, err := onPage(s, rctx, chromedp.Evaluate[domInfo](domScript))
		// An empty document at a URL other than the page's is one just
		// committed, not yet parsed.
		blank := func() bool {
			return err == nil && di.Title == "" && di.Text == "" && (di.Href == "" || di.Href == "about:blank")
		}
		// A page whose script started the next document as it was read
		// (a sign-in form posted from a timer after the load event): the
		// read may have met that document committed but not yet parsed,
		// and read it empty.
		for try := 0; (err != nil || blank() || s.rec.movedOn(before)) && try < 2 && rctx.Err() == nil && s.rec.documents() > 1; try++ {
			// A page replaced as it was read (its context destroyed, or
			// not yet known to the tab): read the document that replaced
			// it, once loaded.
			s.waitSettled(tctx)
			before = s.rec.documents()
			di, err = onPage(s, rctx, chromedp.Evaluate[domInfo](domScript))
		}
		return di, err
	}
	// Reading the page and the screenshot get the load's time that is
	// left, at most pageAnswer, and at least evidenceGrace: a timed-out
	// load still deserves its evidence. A page that does not answer by
	// then, after its load event, is held by its script: the script is
	// interrupted and the page read again, with a grace of its own.
	var (
		rctx      context.Context
		readStart time.Time
		stuck     bool // still not answering after its script was interrupted
	)
	budget := func() {
		deadline, _ := tctx.Deadline()
		readStart = time.Now()
		if floor := readStart.Add(evidenceGrace); deadline.Before(floor) {
			deadline = floor
		}
		if ceil := readStart.Add(pageAnswer); deadline.After(ceil) {
			deadline = ceil
		}
		rctx = within(deadline)
	}
	// ask runs one request for evidence (the DOM, the document's body,
	// the mask, the screenshot) within the budget, and handles a page
	// that does not answer in time, as above.
	ask := func(f func(context.Context) error) error {
		if stuck {
			return errPageGone
		}
		err := f(rctx)
		if err == nil || !errors.Is(rctx.Err(), context.DeadlineExceeded) || ctx.Err() != nil || s.ctx.Err() != nil || s.pageGone() {
			return err
		}
		if hung != "" {
			stuck = true
			return err
		}
		if l.TimedOut {
			hung = "its script never yielded while it loaded"
		} else {
			hung = fmt.Sprintf("its script held the page after it loaded (it answered nothing for %s)", time.Since(readStart).Round(100*time.Millisecond))
		}
		s.interrupt()
		rctx = within(time.Now().Add(evidenceGrace))
		if err = f(rctx); err != nil && errors.Is(rctx.Err(), context.DeadlineExceeded) {
			stuck = true
		}
		return err
	}
	var di domInfo
	read := func(c context.Context) (err error) {
		di, err = readDOM(c)
		return err
	}
	budget()
	err = ask(read)
	if err == nil && di.AutoPost && !l.TimedOut && l.NetError == "" && hung == "" {
		// A sign-in protocol's form that the page posts by script (the
		// provider's answer to the app): the script may post it only
		// after the load event. Wait for that navigation, and judge
		// where it leads.
		if s.rec.awaitNavigation(tctx, docs, navWait) {
			if !s.waitSettled(tctx) {
				l.TimedOut = ctx.Err() == nil
			}
			// A fresh budget: the wait may have used the first one.
			docs = s.rec.documents()
			budget()
			err = ask(read)
		}
	}
	if err == nil {
		l.Title, l.Headings, l.Text, l.HasPassword, l.FinalURL = di.Title, di.Headings, di.Text, di.Password, di.Href
		l.LoginForm = di.Form
		l.OneTimeCode, l.IdentifierOnly = di.OTP, di.IDFirst
		l.StoredTokens, l.StoredSecrets = di.Tokens, di.Secrets
		l.domRead = true
	}
	l.Requests = s.rec.requests(n)
	if q := l.settle(); q != nil && q.Status >= 400 && q.Body == nil {
		_ = ask(func(c context.Context) error {
			q.Body = s.body(c, q.ID)
			if q.Body == nil {
				return errNoBody
			}
			return nil
		})
	}
	if l.NetError != "" {
		// Chrome's own error page is not the site's: its text would mislead.
		l.Title, l.Headings, l.Text, l.HasPassword, l.LoginForm = "", nil, "", false, nil
		l.OneTimeCode, l.IdentifierOnly = false, false
		if l.FinalURL == "chrome-error://chromewebdata/" {
			l.FinalURL = url
		}
	}
	switch {
	case !o.Screenshot:
	case !l.domRead:
		// The page was not read, so the tokens it stores are not known
		// and could not be masked: a picture that could show one is not
		// taken.
	case l.shareScreenshot(o.Like):
	default:
		// What this load's own traffic carried may be on the page too.
		if mask := append(append(slices.Clone(o.Mask), CredentialValues(l.Requests)...), l.StoredSecrets...); len(mask) > 0 {
			arg, _ := json.Marshal(mask)
			if err := ask(func(c context.Context) error {
				_, err := onPage(s, c, chromedp.Evaluate[bool](maskScript+"("+string(arg)+")"))
				return err
			}); err != nil {
				// A picture that could show a secret is not taken.
				break
			}
		}
		// Capture dominates (≈50 ms either way); plain PNG is 3× smaller
		// than the speed-optimized encoding, and the report inlines it.
		_ = ask(func(c context.Context) error {
			shot, err := onPage(s, c, func(ctx context.Context, t *chromedp.Target) (page.CaptureScreenshotResult, error) {
				return cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{FromSurface: new(true)})
			})
			l.Screenshot = shot.Data
			return err
		})
	}
	if hung != "" {
		// Read: now the page goes, so that no script of it (a timer that
		// spins again) holds the steps that follow. A reload brings it
		// back in a new renderer.
		if s.endPage() {
			l.Hung = hung + "; fix401 stopped the script and closed the page"
		} else {
			l.Hung = hung + "; fix401 stopped the script, but its page did not close in time: later loads in this tab may be slow"
		}
	}
	s.mu.Lock()
	l.Auth = append([]AuthEvent(nil), s.auth[authFrom:]...)
	l.Dialogs = append([]Dialog(nil), s.dialogs[dialogsFrom:]...)
	s.mu.Unlock()
	if nl != nil {
		l.SignInLog = true
		l.SignIn = ownAttempts(nl, logFrom, l.Requests)
	}
	l.Duration = time.Since(l.Started)
	return l, nil
}

// ownAttempts are the sign-in attempts logged since from for the URLs
// this load requested: other tabs of the browser (a check's parallel
// pages) log into the same file.
func ownAttempts(nl *netlog.Log, from int64, reqs []*Request) []netlog.Attempt {
	as, err := nl.Read(from)
	if err != nil || len(as) == 0 {
		return nil
	}
	urls := map[string]bool{}
	for _, q := range reqs {
		urls[q.URL] = true
		for _, r := range q.Redirects {
			urls[r.URL] = true
		}
	}
	var out []netlog.Attempt
	for _, a := range as {
		if urls[a.URL] {
			out = append(out, a)
		}
	}
	return out
}

// shareScreenshot takes the screenshot of the first of like that showed
// the same page, and reports whether there was one.
func (l *Load) shareScreenshot(like []*Load) bool {
	for _, p := range like {
		if len(p.Screenshot) > 0 && SamePage(l, p) {
			l.Screenshot, l.ScreenshotOf = p.Screenshot, p
			return true
		}
	}
	return false
}

// SamePage reports whether two loads showed the same page: both read, the
// same address, status and outcome, the same title and text, and the same
// requests with the same answers. A screenshot of one then stands for the
// other. Anything that could change the picture (a subresource that now
// fails, a script that wrote other text) makes them differ.
func SamePage(a, b *Load) bool {
	if !a.domRead || !b.domRead {
		return false // without its text, a page could have shown anything
	}
	if a.FinalURL != b.FinalURL || a.Status != b.Status || a.NetError != b.NetError || a.TimedOut != b.TimedOut ||
		a.Title != b.Title || a.Text != b.Text || a.HasPassword != b.HasPassword || len(a.Requests) != len(b.Requests) {
		return false
	}
	return slices.Equal(requestKeys(a), requestKeys(b))
}

// requestKeys lists a load's requests as what they asked and got, in a
// stable order: the order requests start in can vary between loads.
func requestKeys(l *Load) []string {
	keys := make([]string, 0, len(l.Requests))
	for _, q := range l.Requests {
		k := q.Method + " " + stripFragment(q.URL) + " " + strconv.Itoa(q.Status)
		if q.Status == 0 {
			// Only a failure without an answer says what the page got:
			// Chrome also marks answered requests aborted when their
			// body was not wanted any more.
			k += " " + q.Failed
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// maxBody bounds a kept response body: error pages are small, and a huge
// one would only bloat the HAR.
const maxBody = 64 << 10

// errNoBody: the browser had no body to give.
var errNoBody = errors.New("no response body")

// body fetches a response body from the browser's memory, bounded.
func (s *Session) body(ctx context.Context, id string) []byte {
	res, err := onPage(s, ctx, func(ctx context.Context, t *chromedp.Target) (network.GetResponseBodyResult, error) {
		return cdp.Call(ctx, t, network.GetResponseBody, network.GetResponseBodyParams{RequestID: network.RequestID(id)})
	})
	if err != nil {
		return nil
	}
	b := res.Body
	if len(b) > maxBody {
		b = b[:maxBody]
	}
	if b == nil {
		b = []byte{}
	}
	s.rec.setBody(id, b)
	return b
}

// waitSettled waits for the load event and then for the requests the page
// started to be answered (a fetch() after load can be the one that gets the
// 401), leaving out those a page keeps open on purpose (see longLived). It
// reports false when tctx ended first.
func (s *Session) waitSettled(tctx context.Context) bool {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		loaded, n, next, changed := s.rec.settledState(time.Now())
		if loaded && n == 0 {
			return true
		}
		var expire <-chan time.Time
		if !next.IsZero() {
			timer.Reset(time.Until(next))
			expire = timer.C
		}
		select {
		case <-changed:
		case <-expire:
		case <-tctx.Done():
			return false
		}
	}
}

func stripFragment(u string) string {
	for i := range len(u) {
		if u[i] == '#' {
			return u[:i]
		}
	}
	return u
}

// Requests returns every request the session has made, for the HAR.
func (s *Session) Requests() []*Request { return s.rec.snapshot() }

// IsClosed reports whether err means the browser or tab went away.
func IsClosed(err error) bool {
	return errors.Is(err, errClosed) || errors.Is(err, chromedp.ErrTargetDetached) || errors.Is(err, chromedp.ErrChannelClosed)
}

// settle builds Chain, every main-frame document hop of the load, and
// takes the load's status, headers and address from its document, which
// it moves first in Requests and returns (nil when there is none). The
// document is the first navigation's, as a person sees the status of the
// page they opened (a 401 page that refreshes itself to a form is still a
// 401), except for a sign-in: it goes app → provider → (a form the
// provider posts back) → app, and only where it ended says how it went.
func (l *Load) settle() *Request {
	docAt, first, signIn := -1, -1, false
	for i, q := range l.Requests {
		if q.Document {
			l.Chain = append(l.Chain, q.Redirects...)
			l.Chain = append(l.Chain, q)
			docAt = i
			if first < 0 {
				first = i
			}
		}
	}
	for _, q := range l.Chain {
		signIn = signIn || q.SSO != nil
	}
	if !signIn && first >= 0 {
		docAt = first
	}
	if docAt < 0 {
		return nil
	}
	q := l.Requests[docAt]
	// The document goes first; it carries the status of the load.
	copy(l.Requests[1:docAt+1], l.Requests[:docAt])
	l.Requests[0] = q
	l.Status, l.StatusText, l.Header = q.Status, q.StatusText, q.ResponseHdr
	l.MimeType, l.RemoteIP, l.FromCache = q.MimeType, q.RemoteIP, q.FromCache
	if l.NetError == "" && q.Failed != "" && q.Status == 0 {
		l.NetError = q.Failed
	}
	if l.FinalURL == "" || l.FinalURL == "chrome-error://chromewebdata/" {
		l.FinalURL = q.URL
	}
	l.Redirected = len(l.Chain) > 1 || stripFragment(l.FinalURL) != stripFragment(l.Chain[0].URL)
	return q
}
