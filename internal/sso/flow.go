package sso

import (
	"fmt"
	"github.com/fix401/fix401/internal/redact"
	"net/url"
	"regexp"
	"strings"
)

// Hop is one main-frame document request of a load, in order: the
// redirects and the navigations a sign-in goes through.
type Hop struct {
	URL    string
	Method string
	Status int
	Failed string   // the browser's net error, when the hop failed
	Msg    *Message // the sign-in protocol it spoke, if any
}

// Flow is what a load's hops say about a sign-in.
type Flow struct {
	Protocol string // of the first sign-in request
	App      string // host the load started at
	Provider string // host the sign-in request went to
	// ProviderPath is the sign-in request's path (no parameters).
	ProviderPath string
	// AtProvider: the load ended on the provider's host (its sign-in
	// page, or its error page).
	AtProvider bool
	// AtCallback: the load ended at the address that received the
	// provider's answer. Apps send the browser on from there once they
	// accept the answer: ending there means the app refused it (its
	// error page).
	AtCallback bool
	// Callback is that address's host and path.
	Callback string
	Loop     *Loop
	// Errors are the provider's error answers carried back to the app
	// (OAuth 2 error, SAML status).
	Errors []Message
	// Tokens are the times of the tokens that passed through the browser.
	Tokens []TokenTimes
	// Hops is how many document requests the load made.
	Hops int
}

// Loop is a repeating cycle of redirects between hosts.
type Loop struct {
	Cycle  []string // host + path of each hop of one round, no parameters
	Rounds int      // how many times the cycle ran before the load ended
	// GaveUp: the browser stopped it (ERR_TOO_MANY_REDIRECTS) or fix401
	// did, rather than the site.
	GaveUp bool
}

// Analyze follows a load's hops; ok is false when no sign-in protocol and
// no loop showed up.
func Analyze(hops []Hop) (Flow, bool) {
	var f Flow
	f.Hops = len(hops)
	if len(hops) == 0 {
		return f, false
	}
	f.App = host(hops[0].URL)
	seen := false
	for _, h := range hops {
		m := h.Msg
		if m == nil {
			continue
		}
		seen = true
		if m.Role == Request && f.Provider == "" && host(h.URL) != f.App {
			f.Protocol, f.Provider = m.Protocol, host(h.URL)
			if u, err := url.Parse(h.URL); err == nil {
				f.ProviderPath = redact.Path(u.EscapedPath())
			}
		}
		if m.Role == Response {
			if f.Protocol == "" || f.Protocol == OAuth2 && m.Protocol == OIDC {
				f.Protocol = m.Protocol
			}
			if m.Failed() {
				f.Errors = append(f.Errors, *m)
			}
			f.Tokens = append(f.Tokens, m.Tokens...)
		}
	}
	last := hops[len(hops)-1]
	f.AtProvider = f.Provider != "" && host(last.URL) == f.Provider
	for i := len(hops) - 1; i >= 0; i-- {
		if m := hops[i].Msg; m != nil && m.Role == Response {
			f.Callback = hostPath(hops[i].URL)
			f.AtCallback = hostPath(last.URL) == f.Callback && host(last.URL) != f.Provider
			break
		}
	}
	f.Loop = findLoop(hops)
	if f.Loop != nil && !seen {
		// Redirects that repeat without any sign-in protocol in them
		// (example.com ↔ www.example.com) are a redirect loop, not a
		// sign-in's.
		f.Loop = nil
	}
	return f, seen || f.Loop != nil
}

// findLoop looks for the shortest cycle of two or more hops that repeats
// at the end of the chain, at least twice in a row.
func findLoop(hops []Hop) *Loop {
	keys := make([]string, 0, len(hops))
	for _, h := range hops {
		if h.Failed != "" && h.Status == 0 {
			continue
		}
		keys = append(keys, hostPath(h.URL))
	}
	gaveUp := strings.Contains(hops[len(hops)-1].Failed, "TOO_MANY_REDIRECTS")
	n := len(keys)
	for size := 2; size*2 <= n; size++ {
		// Rounds counted back from the last complete one; the chain may
		// stop part way through a round.
		for tail := 0; tail < size; tail++ {
			end := n - tail
			if end < size*2 {
				break
			}
			cycle := keys[end-size : end]
			if !crossesHosts(cycle) && !gaveUp || !equal(keys[end:n], cycle[:tail]) {
				// The hops after the last full round must begin another
				// one: a chain that went round once and then on is no loop.
				continue
			}
			rounds := 1
			for start := end - 2*size; start >= 0; start -= size {
				if !equal(keys[start:start+size], cycle) {
					break
				}
				rounds++
			}
			if rounds >= 2 {
				return &Loop{Cycle: append([]string(nil), cycle...), Rounds: rounds, GaveUp: gaveUp}
			}
		}
	}
	return nil
}

func crossesHosts(cycle []string) bool {
	first := strings.SplitN(cycle[0], "/", 2)[0]
	for _, c := range cycle[1:] {
		if strings.SplitN(c, "/", 2)[0] != first {
			return true
		}
	}
	return false
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func host(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

// hostPath is a hop as the report shows it: host and path, never the
// parameters (they carry state, codes and tokens).
func hostPath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	p := redact.Path(u.EscapedPath())
	if p == "" {
		p = "/"
	}
	return u.Host + p
}

// HostPath is hostPath for the report's chain.
func HostPath(raw string) string { return hostPath(raw) }

// ProviderError is an error a provider's own page shows: a provider code
// such as AADSTS50011, or an OAuth 2 error code named as one.
type ProviderError struct {
	Code    string `json:"code"`
	Meaning string `json:"meaning,omitempty"`
	// Description is the provider's own words beside the code, when the
	// page labels them (error_description: …).
	Description string `json:"description,omitempty"`
}

var (
	aadstsRE = regexp.MustCompile(`\bAADSTS(\d{5,7})\b`)
	descRE   = regexp.MustCompile(`(?i)error[_ ]description\s*[:=]\s*([^\n]{3,300})`)
	oauthRE  = regexp.MustCompile(`\b(invalid_request|unauthorized_client|access_denied|unsupported_response_type|invalid_scope|server_error|temporarily_unavailable|invalid_client|invalid_grant|invalid_redirect_uri|redirect_uri_mismatch|login_required|consent_required|interaction_required|account_selection_required|invalid_request_uri|invalid_request_object|request_not_supported|registration_not_supported|unmet_authentication_requirements|invalid_client_metadata|invalid_token|insufficient_scope)\b`)
)

// PageError finds a provider error code on an error page's text.
func PageError(text string) (ProviderError, bool) {
	if m := aadstsRE.FindStringSubmatch(text); m != nil {
		code := "AADSTS" + m[1]
		return ProviderError{Code: code, Meaning: aadMeanings[code]}, true
	}
	if m := oauthRE.FindStringSubmatch(text); m != nil {
		pe := ProviderError{Code: m[1], Meaning: OAuthMeaning(m[1])}
		if d := descRE.FindStringSubmatch(text); d != nil {
			pe.Description = strings.TrimSpace(d[1])
		}
		return pe, true
	}
	return ProviderError{}, false
}

// OAuthMeaning says in plain words what an OAuth 2 / OIDC error code (or
// a provider's code) usually means.
func OAuthMeaning(code string) string {
	if m, ok := oauthMeanings[code]; ok {
		return m
	}
	if m, ok := aadMeanings[code]; ok {
		return m
	}
	return ""
}

// SAMLMeaning says what a SAML status code usually means.
func SAMLMeaning(code string) string {
	parts := strings.Split(code, "/")
	if m, ok := samlMeanings[parts[len(parts)-1]]; ok {
		return m
	}
	if m, ok := samlMeanings[parts[0]]; ok {
		return m
	}
	return ""
}

var oauthMeanings = map[string]string{
	"invalid_request":                   "the provider found the sign-in request malformed (a missing or repeated parameter): the app's sign-in settings need a look",
	"unauthorized_client":               "the app is not allowed to sign in this way at the provider (the grant or response type is not enabled for it)",
	"access_denied":                     "the user or the provider's policy refused the sign-in (consent refused, or the account is not allowed to use the app)",
	"unsupported_response_type":         "the provider does not allow the response type the app asked for",
	"invalid_scope":                     "the app asked for a scope the provider does not know or does not grant it",
	"server_error":                      "the provider failed while signing in: try again later, or tell the provider's administrators",
	"temporarily_unavailable":           "the provider is overloaded or in maintenance: try again later",
	"invalid_client":                    "the provider does not know the app's client id, or the client secret is wrong",
	"invalid_grant":                     "the authorization code was refused: used twice, expired, or issued for another redirect address",
	"invalid_redirect_uri":              "the app's redirect address is not registered with the provider: the app's administrators must register it exactly (scheme, host, port, path)",
	"redirect_uri_mismatch":             "the app's redirect address is not registered with the provider: the app's administrators must register it exactly (scheme, host, port, path)",
	"login_required":                    "the provider needs the user to sign in, and the app asked it not to show a sign-in page",
	"consent_required":                  "the user (or an administrator) must consent to the app first",
	"interaction_required":              "the provider needs the user to do something (sign in, a second factor, consent) and the app asked it not to show a page",
	"account_selection_required":        "the user must pick an account at the provider",
	"unmet_authentication_requirements": "the provider could not satisfy the sign-in strength the app asked for",
	"invalid_token":                     "the token was refused: expired, revoked or not for this service",
	"insufficient_scope":                "the token lacks a permission the service needs",
}

// aadMeanings are Microsoft Entra ID's most common sign-in errors.
var aadMeanings = map[string]string{
	"AADSTS50011":   "the reply (redirect) address the app sent is not registered for it in Entra ID",
	"AADSTS50020":   "the account is from another directory and is not a guest in this one",
	"AADSTS50034":   "the user account does not exist in this directory",
	"AADSTS50053":   "the account is locked (too many failed sign-ins, or a blocked IP address)",
	"AADSTS50055":   "the password has expired and must be changed",
	"AADSTS50057":   "the user account is disabled",
	"AADSTS50058":   "no one is signed in at the provider and the app asked for a silent sign-in",
	"AADSTS50076":   "the sign-in needs a second factor (multi-factor authentication)",
	"AADSTS50079":   "the user must register for multi-factor authentication",
	"AADSTS50105":   "the account is not assigned to this app: an administrator must assign it",
	"AADSTS50126":   "the user name or password is wrong",
	"AADSTS50173":   "the sign-in grant has expired (the password was changed, or the session was revoked): sign in again",
	"AADSTS53003":   "a Conditional Access policy blocked the sign-in",
	"AADSTS65001":   "the user or an administrator has not consented to the app",
	"AADSTS70011":   "the app asked for a scope that is invalid",
	"AADSTS700016":  "no app with this client id exists in the directory",
	"AADSTS700054":  "the app asked for an id_token the app registration does not allow",
	"AADSTS7000215": "the app's client secret is wrong",
	"AADSTS7000218": "the app must send a client secret or assertion",
	"AADSTS90072":   "the account does not exist in the tenant the user signs in to",
	"AADSTS900144":  "the sign-in request lacks a required parameter",
}

var samlMeanings = map[string]string{
	"Requester":                 "the provider refused the app's sign-in request (its format, signature or the app's identity)",
	"Responder":                 "the provider could not sign the user in",
	"VersionMismatch":           "the provider does not speak the SAML version the app used",
	"AuthnFailed":               "the provider could not authenticate the user (wrong credentials, or the sign-in was abandoned)",
	"InvalidNameIDPolicy":       "the provider cannot give the user identifier format the app asked for",
	"NoAuthnContext":            "the provider cannot sign in as strongly as the app asked (authentication context)",
	"NoPassive":                 "the user must interact with the provider and the app asked for a passive sign-in",
	"RequestDenied":             "the provider refused to answer the request",
	"UnknownPrincipal":          "the provider does not know the user",
	"RequestUnsupported":        "the provider does not support this request",
	"NoAvailableIDP":            "no identity provider was available for the request",
	"UnsupportedBinding":        "the provider cannot answer with the binding the app asked for",
	"PartialLogout":             "the sign-out did not reach every service",
	"ProxyCountExceeded":        "the request passed through too many providers",
	"InvalidAttrNameOrValue":    "the request named an attribute the provider refuses",
	"RequestVersionDeprecated":  "the app used a SAML version the provider no longer supports",
	"RequestVersionTooHigh":     "the app used a newer SAML version than the provider supports",
	"RequestVersionTooLow":      "the app used an older SAML version than the provider supports",
	"ResourceNotRecognized":     "the provider does not know the resource the app named",
	"TooManyResponses":          "the provider had too many answers to send",
	"UnknownAttrProfile":        "the provider does not know the attribute profile the app asked for",
	"AuthnContextClassRefFails": "the provider could not meet the authentication class the app required",
}

// Describe is one sentence for a provider's error answer.
func (m Message) Describe() string {
	switch {
	case m.Error != "":
		s := "error=" + m.Error
		if m.Description != "" {
			s += fmt.Sprintf(" (%s)", m.Description)
		}
		return s
	case m.StatusCode != "":
		s := "StatusCode " + m.StatusCode
		if m.Description != "" {
			s += fmt.Sprintf(" (%s)", m.Description)
		}
		return s
	}
	return ""
}
