// Package inputs turns what a person supplied for a run — diagnose's flags
// or a check's entry in a config — into the steps' inputs, the user's
// cookies and the secrets the run must keep out of everything it writes,
// by the same rules for both.
package inputs

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/cookiefile"
	"github.com/fix401/fix401/internal/inputfile"
	"github.com/fix401/fix401/internal/redact"
	"github.com/fix401/fix401/steps"
)

// Given is what was supplied, secrets already resolved from where the
// person keeps them (standard input, an environment variable, a file).
type Given struct {
	User, Password                  string
	ProxyUser, ProxyPassword        string // for a proxy that answers 407
	BearerToken, BearerEnv          string
	LoginURL, Proxy                 string
	Cookies                         string // a cookies file: Netscape or JSON export
	UserSel, PasswordSel, SubmitSel string
}

// Names say how the inputs are called where they came from, for messages:
// "--cookies" on the command line, "cookies" in a config.
type Names struct {
	Cookies, LoginURL, Proxy string
	ProxyUser, ProxyPassword string
}

// Flags and Keys are the names of diagnose's flags and of a check's keys.
var (
	Flags = Names{Cookies: "--cookies", LoginURL: "--login-url", Proxy: "--proxy", ProxyUser: "--proxy-user", ProxyPassword: "FIX401_PROXY_PASSWORD"}
	Keys  = Names{Cookies: "cookies", LoginURL: "login_url", Proxy: "proxy", ProxyUser: "proxy_user", ProxyPassword: "proxy_password_env"}
)

// Error is an input that cannot be used, in one line with a hint.
type Error struct {
	Msg, Hint string
}

func (e *Error) Error() string { return e.Msg }

// Built is what a run starts from.
type Built struct {
	Inputs  steps.Inputs
	Cookies []browser.Cookie
	// Secrets are the password and the token: kept out of everything the
	// run writes, and masked in what pages show once they were sent.
	Secrets []string
	// CookieSecrets are the values of the user's cookies that look like
	// credentials (8 characters or more): the browser sends them from the
	// first load on, so what pages show is masked for them from the start.
	// Short values ("en", "1") are no secret, and masking them would
	// garble every page.
	CookieSecrets []string
	// BrowserSecrets are those the browser's environment must not hold
	// (the password and the token; the browser gets the cookies anyway).
	BrowserSecrets []string
}

// The longest password and token taken: far beyond any real one (a JWT
// with many claims stays under a few kilobytes).
const (
	maxPassword = 4 << 10
	maxToken    = 64 << 10
)

// minCookieSecret is the length from which a cookie value is taken for a
// credential (the HAR sanitizer's rule too).
const minCookieSecret = 8

// Build checks g and builds the run's inputs. n names the inputs in
// messages.
func Build(g Given, n Names) (*Built, error) {
	b := &Built{Inputs: steps.Inputs{
		User: g.User, Password: g.Password, BearerToken: g.BearerToken, BearerEnv: g.BearerEnv,
		ProxyUser: g.ProxyUser, ProxyPassword: g.ProxyPassword,
		LoginURL: g.LoginURL, Proxy: g.Proxy, UserSel: g.UserSel, PasswordSel: g.PasswordSel, SubmitSel: g.SubmitSel,
	}}
	// Bounded like input files: a stray file piped to --password-stdin is
	// no password, and a megabyte sent as one only resets the connection.
	for _, c := range []struct {
		what, v string
		max     int
	}{{"the password", g.Password, maxPassword}, {"the proxy password", g.ProxyPassword, maxPassword}, {"the bearer token", g.BearerToken, maxToken}} {
		if len(c.v) > c.max {
			return nil, &Error{Msg: fmt.Sprintf("%s is %d bytes long, more than the %d taken", c.what, len(c.v), c.max),
				Hint: "give the secret itself, not a file's content"}
		}
	}
	for _, s := range []string{g.Password, g.BearerToken, g.ProxyPassword} {
		if s != "" {
			b.Secrets = append(b.Secrets, s)
			b.BrowserSecrets = append(b.BrowserSecrets, s)
		}
	}
	for _, u := range []struct{ name, v string }{{n.LoginURL, g.LoginURL}, {n.Proxy, g.Proxy}} {
		if err := checkURL(u.name, u.v, u.name == n.Proxy, n); err != nil {
			return nil, err
		}
	}
	if g.Cookies != "" {
		data, err := inputfile.Read(g.Cookies, inputfile.MaxCookies)
		if err != nil {
			return nil, &Error{Msg: n.Cookies + " " + err.Error()}
		}
		if b.Cookies, err = cookiefile.Parse(data); err != nil {
			return nil, &Error{Msg: fmt.Sprintf("%s %s: %v", n.Cookies, g.Cookies, err)}
		}
		for _, c := range b.Cookies {
			if len(c.Value) >= minCookieSecret {
				b.CookieSecrets = append(b.CookieSecrets, c.Value)
			}
		}
	}
	return b, nil
}

// checkURL checks a login or proxy URL: a URL, and without a password,
// which is never echoed.
func checkURL(name, v string, proxy bool, n Names) error {
	if v == "" {
		return nil
	}
	p, err := url.Parse(v)
	schemes := []string{"http", "https"}
	if proxy {
		schemes = append(schemes, "socks4", "socks5") // what Chrome's --proxy-server takes
	}
	if err != nil || p.Host == "" || !slices.Contains(schemes, strings.ToLower(p.Scheme)) {
		return &Error{Msg: fmt.Sprintf("%s %q is not a URL (want %s://)", name, redact.URL(v), strings.Join(schemes, "://, "))}
	}
	if _, has := p.User.Password(); has {
		hint := "give the user and the password as for signing in, never in a URL"
		if proxy {
			hint = "give the proxy without credentials, and its user with " + n.ProxyUser + " (the password in " + n.ProxyPassword + "); a password is never written in a URL"
		}
		return &Error{Msg: fmt.Sprintf("%s carries a password: %s", name, redact.URL(v)), Hint: hint}
	}
	return nil
}
