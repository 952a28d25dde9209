package browser

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"

	"github.com/fix401/fix401/internal/redact"
)

// ClearCache does what Chrome's "Cached images and files" does: the HTTP
// cache goes, cookies and site data stay.
func (s *Session) ClearCache(ctx context.Context) error {
	ctx, cancel := s.within(ctx, stateAnswer)
	defer cancel()
	_, err := chromedp.Call(ctx, network.ClearBrowserCache, cdp.Empty{})
	return err
}

// SiteDataCleared says what ClearSiteData removed: cookie names only, never
// values, and the origins whose storage was cleared.
type SiteDataCleared struct {
	Origins []string
	Cookies []string // "name (domain)"
	// SessionStorage, when set, says why the open page's sessionStorage
	// was not cleared (the page hung, or was closed after it hung).
	SessionStorage error
}

// ClearSiteData does what Chrome's "Cookies and other site data" does for
// the given origins: cookies, localStorage, sessionStorage, IndexedDB,
// service workers and cache storage.
func (s *Session) ClearSiteData(ctx context.Context, origins []string) (SiteDataCleared, error) {
	ctx, cancel := s.within(ctx, stateAnswer)
	defer cancel()
	var out SiteDataCleared
	// Cookies scoped to a path only show for URLs under it: ask with every
	// URL the session loaded from these origins.
	var urls []string
	for _, o := range origins {
		urls = append(urls, o+"/")
	}
	for _, q := range s.rec.snapshot() {
		if slices.Contains(origins, Origin(q.URL)) && !slices.Contains(urls, q.URL) && len(urls) < 200 {
			urls = append(urls, q.URL)
		}
	}
	got, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: urls})
	if err != nil {
		return out, fmt.Errorf("listing cookies: %w", err)
	}
	for _, c := range got.Cookies {
		if _, err := chromedp.Call(ctx, network.DeleteCookies, network.DeleteCookiesParams{
			Name: c.Name, Domain: c.Domain, Path: c.Path,
		}); err != nil {
			return out, fmt.Errorf("deleting cookie %s: %w", c.Name, err)
		}
		out.Cookies = append(out.Cookies, redact.CookieName(c.Name)+" ("+c.Domain+")")
	}
	for _, o := range origins {
		if _, err := chromedp.Call(ctx, storage.ClearDataForOrigin, storage.ClearDataForOriginParams{
			Origin: o, StorageTypes: "all",
		}); err != nil {
			return out, fmt.Errorf("clearing site data of %s: %w", o, err)
		}
		out.Origins = append(out.Origins, o)
	}
	// sessionStorage lives in the tab, not in the origin's storage: clear it
	// in the page that is open (the target's origin). A tab whose page
	// hung was closed has none to ask, and a page that does not answer
	// is stopped (see pageCall): the rest is cleared all the same, and
	// SessionStorage says why this part was not.
	if _, err := pageCall(s, ctx, "clearing sessionStorage", chromedp.Evaluate[chromedp.Void](`try { sessionStorage.clear() } catch (e) {}`)); err != nil && ctx.Err() == nil {
		out.SessionStorage = err
	}
	return out, nil
}

// Origins returns the origins (scheme://host:port) of every http(s) request
// the session made, in first-seen order: the sites "the page touched".
func (s *Session) Origins() []string {
	var out []string
	for _, q := range s.rec.snapshot() {
		for _, u := range append([]string{q.URL}, redirectURLs(q)...) {
			if o := Origin(u); o != "" && !slices.Contains(out, o) {
				out = append(out, o)
			}
		}
	}
	return out
}

func redirectURLs(q *Request) []string {
	var out []string
	for _, r := range q.Redirects {
		out = append(out, r.URL)
	}
	return out
}

// Origin returns scheme://host[:port] of an http(s) URL, or "".
func Origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + strings.ToLower(u.Host)
}

// Cookie is one cookie of the user's starting state.
type Cookie struct {
	Name, Value, Domain, Path string
	Secure, HTTPOnly          bool
	Expires                   time.Time // zero: a session cookie
	SameSite                  string    // "Strict", "Lax", "None" or ""
}

// SetCookies loads cookies into the session's browser context.
func (s *Session) SetCookies(ctx context.Context, cookies []Cookie) error {
	var params []*network.CookieParam
	for _, c := range cookies {
		p := &network.CookieParam{
			Name: c.Name, Value: c.Value, Domain: c.Domain, Path: c.Path,
			Secure: c.Secure, HTTPOnly: c.HTTPOnly, SameSite: network.CookieSameSite(c.SameSite),
		}
		if p.Path == "" {
			p.Path = "/"
		}
		if !c.Expires.IsZero() {
			p.Expires = cdp.TimeSinceEpoch(float64(c.Expires.UnixMilli()) / 1000)
		}
		params = append(params, p)
	}
	if len(params) == 0 {
		return nil
	}
	ctx, cancel := s.within(ctx, stateAnswer)
	defer cancel()
	_, err := chromedp.Call(ctx, network.SetCookies, network.SetCookiesParams{Cookies: params})
	return err
}

// SetBearer makes every request to origin carry "Authorization: Bearer
// token", from the next load on — to that origin only, so a token never
// leaks to a third party the page loads from. An empty token stops it.
func (s *Session) SetBearer(origin, token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bearerOrigin, s.bearerToken = origin, token
}

// stateAnswer bounds one command on the browser's state (cookies, cache,
// site data): the browser answers those itself, at once, unless it is
// stuck; then the step fails rather than hang the run.
const stateAnswer = 30 * time.Second

// within ties a command to both the caller's context and the tab, and
// bounds it by d. The caller calls cancel when done.
func (s *Session) within(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	c, cancel := context.WithTimeout(s.ctx, d)
	stop := context.AfterFunc(ctx, cancel)
	return c, func() { stop(); cancel() }
}
