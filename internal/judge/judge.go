package judge

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Kind is the kind of failure a load is. The values are stable strings:
// they appear in reports and in the lab's expectations.
type Kind string

const (
	HTTP401        Kind = "http_401"        // document answered 401
	Proxy407       Kind = "proxy_407"       // proxy authentication required
	Soft401        Kind = "soft_401"        // 2xx/3xx document whose content is an access-denied / login-required page
	Subresource401 Kind = "subresource_401" // page loaded but an XHR/fetch/frame/script it made got 401 (or 407)
	Forbidden403   Kind = "forbidden_403"
	OtherStatus    Kind = "other_status"  // 4xx/5xx other than the above
	NetworkError   Kind = "network_error" // refused, DNS, TLS, timeout, aborted
	None           Kind = "none"          // healthy
)

// IsAuthFailure reports whether the load failed because credentials were
// missing or rejected, i.e. whether fix401's remedies apply. A 403 is not
// one: the server knew who was asking and still said no.
func (k Kind) IsAuthFailure() bool {
	switch k {
	case HTTP401, Proxy407, Soft401, Subresource401:
		return true
	}
	return false
}

// Request is one request the page made besides its main document.
type Request struct {
	URL    string
	Status int
	Type   string // Document, XHR, Fetch, Script, Image, ...
	Method string
}

// Page is what the browser saw of one load.
type Page struct {
	URL, FinalURL    string
	Status           int    // main document HTTP status; 0 when no response
	NetError         string // Chrome net error text, e.g. "net::ERR_CONNECTION_REFUSED"; "" if none
	TimedOut         bool   // the load did not finish within the time limit
	ContentType      string
	Title            string
	Headings         []string            // text of h1, h2, h3 in document order (trimmed)
	Text             string              // document.body.innerText (may be truncated to ~20 KB by the caller)
	HasPasswordField bool                // the page has an <input type=password>
	Redirected       bool                // the final URL differs from the requested one after HTTP/JS redirects
	Subrequests      []Request           // every request the page made other than the main document, with final status
	Header           map[string][]string // main document response headers, canonical names, repeated lines kept separate
	// SignIn is the single sign-on the load went through, recognised from
	// its requests (nil when it spoke no sign-in protocol).
	SignIn *SignIn
}

// SignIn is what the judge needs of a single sign-on.
type SignIn struct {
	Protocol   string // "OpenID Connect", "SAML", …
	Provider   string // the identity provider's host
	AtProvider bool   // the load ended on the provider's host
	// Loop: the redirects between the app and the provider repeat.
	Loop  bool
	Hosts []string // the loop's hosts, in order
	// Error is the provider's error, as it said it ("" when none).
	Error string
	// Callback is the app's address that received the provider's answer
	// (host and path), when the load ended there: the app refused it.
	Callback string
}

// Verdict is the judgement of one load.
type Verdict struct {
	Kind         Kind
	OK           bool      // Kind == None
	Reason       string    // one plain-English sentence, e.g. `the page answered 401 Unauthorized`
	Evidence     string    // the matched title, heading or text for soft_401, "" otherwise
	Failing      []Request // subrequests that answered 401/407, whatever the Kind
	IISSubstatus string    // e.g. "401.2" when the page shows one, else ""
}

// Judge decides what kind of failure p is. The order of the checks is the
// order of trust: what the network layer says, then the status the server
// sent, then what the page says, then what the page's own requests got.
func Judge(p Page) Verdict {
	failing, decisive := failingRequests(p)
	v := judge(p, decisive)
	v.Failing = failing
	v.OK = v.Kind == None
	if v.Kind == HTTP401 || v.Kind == Soft401 {
		v.IISSubstatus = IISSubstatus(pageWords(p))
	}
	if v.IISSubstatus != "" && v.Kind == HTTP401 {
		if m := iisCodes[v.IISSubstatus]; m.short != "" {
			v.Reason += " (IIS " + v.IISSubstatus + ": " + m.short + ")"
		}
	}
	return v
}

func judge(p Page, decisive []Request) Verdict {
	if v, ok := judgeSignIn(p); ok {
		return v
	}
	if p.NetError != "" {
		if v, ok := judgeNetError(p); ok {
			return v
		}
	}
	if p.Status == 0 && p.TimedOut {
		return Verdict{Kind: NetworkError, Reason: "the page did not finish loading within the time limit"}
	}
	if p.Status >= 400 {
		return judgeErrorStatus(p)
	}
	if m, ok := softMatch(p); ok {
		return Verdict{Kind: Soft401, Reason: m.reason(p), Evidence: m.evidence}
	}
	if len(decisive) > 0 {
		return Verdict{Kind: Subresource401, Reason: subresourceReason(p, decisive)}
	}
	if p.TimedOut {
		return Verdict{Kind: NetworkError, Reason: answered(p.Status) + " but did not finish loading within the time limit"}
	}
	return Verdict{Kind: None, Reason: answered(p.Status) + " and nothing on it or in its requests points to an authentication failure"}
}

// judgeSignIn judges a load that went to an identity provider by where it
// ended, whatever the page says: on the provider's sign-in page the user
// is not signed in, however healthy that page is (a 200 with a user name
// field and no word of "unauthorized"), and a loop never lets them in.
func judgeSignIn(p Page) (Verdict, bool) {
	si := p.SignIn
	if si == nil {
		return Verdict{}, false
	}
	proto := ""
	if si.Protocol != "" {
		proto = " (" + si.Protocol + ")"
	}
	switch {
	case si.Loop:
		reason := "the sign-in redirects between " + strings.Join(si.Hosts, " and ") + " repeat without end"
		if p.NetError != "" {
			reason += " (" + p.NetError + ")"
		}
		return Verdict{Kind: Soft401, Reason: reason}, true
	case si.Callback != "" && p.NetError == "":
		reason := "the app did not accept the sign-in from " + si.Provider + proto + ": the browser stopped at its sign-in callback " + si.Callback
		switch t := clean(p.Title); {
		case p.Status >= 400:
			reason += ", which answered " + statusLine(p.Status)
		case t != "":
			reason += ", whose page reads " + quote(t)
		}
		return Verdict{Kind: Soft401, Reason: reason}, true
	case !si.AtProvider || p.NetError != "":
		return Verdict{}, false
	case si.Error != "":
		// Evidence: the words come from the page, and are masked with it.
		return Verdict{Kind: Soft401, Reason: "the sign-in at " + si.Provider + proto + " failed: the provider answered " + quote(si.Error), Evidence: si.Error}, true
	case p.Status >= 400:
		return Verdict{Kind: Soft401, Reason: "the sign-in at " + si.Provider + proto + " failed: the provider answered " + statusLine(p.Status)}, true
	}
	reason := "the page sent the browser to sign in at " + si.Provider + proto
	ev := clean(p.Title)
	if ev != "" {
		reason += ", whose page reads " + quote(ev)
	}
	return Verdict{Kind: Soft401, Reason: reason, Evidence: ev}, true
}

// judgeNetError handles a load Chrome ended with a net error. It declines
// (ok == false) only when the server did answer with an error status, which
// then says more than the net error: Chrome reports an empty 4xx/5xx body
// as ERR_HTTP_RESPONSE_CODE_FAILURE, for example.
func judgeNetError(p Page) (Verdict, bool) {
	code := netErrorCode(p.NetError)
	switch {
	case p.Status == http.StatusProxyAuthRequired || proxyAuthErrors[code] != "":
		reason := proxyAuthErrors[code]
		if reason == "" {
			reason = "the proxy answered 407 Proxy Authentication Required and the browser could not authenticate to it"
		}
		return Verdict{Kind: Proxy407, Reason: reason + " (" + p.NetError + ")"}, true
	case p.Status == http.StatusUnauthorized || authErrors[code] != "":
		reason := authErrors[code]
		if reason == "" {
			reason = "the page answered 401 Unauthorized and the load then failed"
		}
		return Verdict{Kind: HTTP401, Reason: reason + " (" + p.NetError + ")"}, true
	case p.Status >= 400:
		return Verdict{}, false
	}
	return Verdict{Kind: NetworkError, Reason: describeNetError(code) + " (" + p.NetError + ")"}, true
}

func judgeErrorStatus(p Page) Verdict {
	status := statusLine(p.Status)
	switch p.Status {
	case http.StatusUnauthorized:
		reason := "the page answered " + status
		if headerMissing(p.Header, "WWW-Authenticate") {
			// Without a challenge the browser has nothing to answer, so no
			// credentials will ever be sent: often the whole diagnosis.
			reason += " without a WWW-Authenticate challenge"
		}
		return Verdict{Kind: HTTP401, Reason: reason}
	case http.StatusProxyAuthRequired:
		reason := "a proxy answered " + status
		if headerMissing(p.Header, "Proxy-Authenticate") {
			reason += " without a Proxy-Authenticate challenge"
		}
		return Verdict{Kind: Proxy407, Reason: reason}
	case http.StatusForbidden:
		reason := "the page answered " + status
		if m, ok := softMatch(p); ok {
			// The wording may ask for a sign-in, but 403 means the server
			// identified the caller (or does not care who it is) and refuses:
			// new credentials are not what is missing.
			reason += " although its " + m.where + " says " + quote(m.evidence)
		}
		return Verdict{Kind: Forbidden403, Reason: reason}
	}
	reason := "the page answered " + status
	if m, ok := softMatch(p); ok {
		reason += " although its " + m.where + " says " + quote(m.evidence)
	} else if phrase := deniedInText(p.Text); phrase != "" {
		reason += " although its text mentions " + quote(phrase)
	}
	return Verdict{Kind: OtherStatus, Reason: reason}
}

// failingRequests returns every subrequest that answered 401 or 407, and
// the ones among them that make the page a subresource_401. Two kinds are
// left out of the decision: Cloudflare's Private Access Token probe, which
// answers 401 by design, and the favicon, whose failure nobody sees.
func failingRequests(p Page) (failing, decisive []Request) {
	for _, r := range p.Subrequests {
		if r.Status != http.StatusUnauthorized && r.Status != http.StatusProxyAuthRequired {
			continue
		}
		path := urlPath(r.URL)
		if strings.Contains(path, "/cdn-cgi/challenge-platform/") && strings.Contains(path, "/pat/") {
			continue
		}
		failing = append(failing, r)
		if strings.HasSuffix(path, "/favicon.ico") {
			continue
		}
		decisive = append(decisive, r)
	}
	return failing, decisive
}

func subresourceReason(p Page, reqs []Request) string {
	n := len(reqs)
	codes := map[int]bool{}
	for _, r := range reqs {
		codes[r.Status] = true
	}
	what := "401"
	switch {
	case codes[407] && codes[401]:
		what = "401 or 407"
	case codes[407]:
		what = "407"
	}
	noun := "requests it made answered"
	if n == 1 {
		noun = "request it made answered"
	}
	base := p.FinalURL
	if base == "" {
		base = p.URL
	}
	const show = 3
	var parts []string
	for i, r := range reqs {
		if i == show {
			parts = append(parts, "and "+strconv.Itoa(n-show)+" more")
			break
		}
		s := r.Method
		if s == "" {
			s = "GET"
		}
		s += " " + shortURL(r.URL, base)
		var notes []string
		if r.Type != "" {
			notes = append(notes, strings.ToLower(r.Type))
		}
		if len(codes) > 1 {
			notes = append(notes, strconv.Itoa(r.Status))
		}
		if len(notes) > 0 {
			s += " (" + strings.Join(notes, ", ") + ")"
		}
		parts = append(parts, s)
	}
	return fmt.Sprintf("the page loaded but %d %s %s: %s", n, noun, what, strings.Join(parts, ", "))
}

// shortURL shows a same-host URL as its path, because that is how people
// recognise their own API endpoints, and anything else in full.
func shortURL(raw, base string) string {
	s := raw
	u, err := url.Parse(raw)
	if b, berr := url.Parse(base); err == nil && berr == nil && u.Host != "" && strings.EqualFold(u.Host, b.Host) {
		s = u.EscapedPath()
		if s == "" {
			s = "/"
		}
		if u.RawQuery != "" {
			s += "?" + u.RawQuery
		}
	}
	return truncate(s, 100)
}

func urlPath(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return strings.ToLower(u.Path)
	}
	return strings.ToLower(raw)
}

func answered(status int) string {
	if status <= 0 {
		return "the page loaded"
	}
	return "the page answered " + statusLine(status)
}

func statusLine(status int) string {
	s := strconv.Itoa(status)
	if t := http.StatusText(status); t != "" {
		s += " " + t
	}
	return s
}

// headerMissing reports whether h is known and lacks name. A nil or empty
// map means the headers were not captured, which says nothing.
func headerMissing(h map[string][]string, name string) bool {
	if len(h) == 0 {
		return false
	}
	for k, vs := range h {
		if strings.EqualFold(k, name) {
			for _, v := range vs {
				if strings.TrimSpace(v) != "" {
					return false
				}
			}
		}
	}
	return true
}

// pageWords is where an IIS sub-status can appear: the title of a detailed
// error page, its heading, or the body of an IIS 6 page.
func pageWords(p Page) string {
	return p.Title + "\n" + strings.Join(p.Headings, "\n") + "\n" + p.Text
}

func quote(s string) string {
	return `"` + truncate(s, 120) + `"`
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
