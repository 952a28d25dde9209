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

// FixedOnUserSide: the fix is the user's to make, not the site owner's.
func (ClearCache) FixedOnUserSide() bool { return true }

// FixedPhrase names the step as the object of "fixed by".
func (ClearCache) FixedPhrase() string { return "clearing the browser cache" }

// ByHand is what a person does in each browser to repeat the step.
func (ClearCache) ByHand() map[string][]string {
	return map[string][]string{
		"Chrome": {
			"Settings > Privacy and security > Delete browsing data (shortcut Ctrl+Shift+Delete, Cmd+Shift+Delete on Mac)",
			"Time range: All time",
			"Tick only \"Cached images and files\", then Delete data",
			"Reload the page",
		},
		"Edge": {
			"Settings > Privacy, search, and services > Delete browsing data > Choose what to clear (shortcut Ctrl+Shift+Delete)",
			"Time range: All time",
			"Tick only \"Cached images and files\", then Clear now",
			"Reload the page",
		},
		"Firefox": {
			"Settings > Privacy & Security > Cookies and Site Data > Clear Data… (shortcut Ctrl+Shift+Delete, Cmd+Shift+Delete on Mac)",
			"Time range: Everything",
			"Tick only \"Temporary cached files and pages\" (\"Cached Web Content\" in older versions), then Clear",
			"Reload the page",
		},
		"Safari": {
			"Safari > Settings > Advanced: tick \"Show features for web developers\" (\"Show Develop menu\" in older versions)",
			"Develop > Empty Caches (Option+Cmd+E)",
			"Reload the page",
		},
	}
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

// FixedOnUserSide: the fix is the user's to make, not the site owner's.
func (ClearCookies) FixedOnUserSide() bool { return true }

// FixedPhrase names the step as the object of "fixed by".
func (ClearCookies) FixedPhrase() string { return "clearing cookies and site data" }

// ByHand is what a person does in each browser to repeat the step.
func (ClearCookies) ByHand() map[string][]string {
	return map[string][]string{
		"Chrome": {
			"Open the site, click the icon left of the address (View site information)",
			"Cookies and site data > Manage on-device site data",
			"Delete every entry shown (trash icons), then reload the page",
			"Or open `chrome://settings/content/all`, search the site, Delete data",
		},
		"Edge": {
			"Settings > Cookies and site permissions > Manage and delete cookies and site data > See all cookies and site data",
			"Search for the site's host name",
			"Remove every entry shown (trash icon), then reload the page",
		},
		"Firefox": {
			"Open the site, click the padlock left of the address",
			"Clear cookies and site data… > Remove",
			"Reload the page",
		},
		"Safari": {
			"Safari > Settings > Privacy > Manage Website Data…",
			"Search for the site's host name, select it, Remove, Done",
			"Reload the page",
		},
	}
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
	if cleared.SessionStorage != nil {
		// The page hung (and was closed): the rest was cleared all the same.
		env.Logf("the open page's sessionStorage was not cleared: %v", cleared.SessionStorage)
	}
	action := fmt.Sprintf(`Cleared "Cookies and other site data" for %s`, strings.Join(origins, ", "))
	if n := len(cleared.Cookies); n > 0 {
		noun := "cookies"
		if n == 1 {
			noun = "cookie"
		}
		action += fmt.Sprintf(" (%d %s removed)", n, noun)
	}
	return Outcome{
		Action:   action + ", then opened the page again.",
		Evidence: ClearEvidence{Origins: cleared.Origins, CookiesRemoved: cleared.Cookies},
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

// ClearEvidence is what clear-cookies records: where, and which cookies
// by name (never a value).
type ClearEvidence struct {
	Origins        []string `json:"origins"`
	CookiesRemoved []string `json:"cookies_removed"`
}
