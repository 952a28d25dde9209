package steps

import (
	"context"
	"fmt"
	"strings"

	"github.com/fix401/fix401/internal/browser"
)

// ClearCache is Chrome's "Cached images and files": a stale script or a
// cached redirect can keep calling what now answers 401.
type ClearCache struct{}

func (ClearCache) ID() string    { return "clear-cache" }
func (ClearCache) Title() string { return "Clear the cache" }
func (ClearCache) Help() string {
	return `clears Chrome's "cached images and files" (cookies and site data stay), then loads the page`
}

func (ClearCache) Run(ctx context.Context, env Env) (Outcome, error) {
	if err := env.Session().ClearCache(ctx); err != nil {
		return Outcome{}, err
	}
	return Outcome{Action: `Cleared the browser's "Cached images and files" (cookies and site data kept), then opened the page again.`}, nil
}

// ClearCookies is Chrome's "Cookies and other site data" for the sites the
// page touched: a stale session cookie or token is the most common cause of
// a 401 that the user's colleagues do not get.
type ClearCookies struct{}

func (ClearCookies) ID() string    { return "clear-cookies" }
func (ClearCookies) Title() string { return "Clear cookies and site data" }
func (ClearCookies) Help() string {
	return `clears Chrome's "cookies and other site data" (cookies, localStorage, sessionStorage, IndexedDB, service workers, cache storage) of every site the page touched`
}

func (ClearCookies) Run(ctx context.Context, env Env) (Outcome, error) {
	s := env.Session()
	origins := s.Origins()
	if o := browser.Origin(env.Target()); o != "" && !contains(origins, o) {
		origins = append([]string{o}, origins...)
	}
	cleared, err := s.ClearSiteData(ctx, origins)
	if err != nil {
		return Outcome{}, err
	}
	action := fmt.Sprintf(`Cleared "Cookies and other site data" for %s`, strings.Join(origins, ", "))
	if n := len(cleared.Cookies); n > 0 {
		action += fmt.Sprintf(" (%d cookies removed)", n)
	}
	return Outcome{
		Action:   action + ", then opened the page again.",
		Evidence: map[string]any{"origins": cleared.Origins, "cookies_removed": cleared.Cookies},
	}, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
