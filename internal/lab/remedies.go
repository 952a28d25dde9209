package lab

import (
	"html"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The scenarios in this file are each fixed by exactly one of fix401's
// remedies. fix401 walks them in a fixed order (reproduce, url-check,
// reload, clear-cache, clear-cookies, fresh-profile, dns-flush, relogin,
// via-proxy) and keeps the browser's state from one to the next, so each
// scenario must survive every remedy before its own: a page fixed by
// clearing cookies must not also be fixed by a reload or by clearing the
// cache.

// ---- url-typo: fixed by url-check ----

// urlTypoPath is the link as it was pasted from an email: the ")." belongs
// to the sentence, not to the URL.
const urlTypoPath = "/s/url-typo/reports/q3)."

// serveURLTypo is an intranet whose whole tree is protected by Basic auth
// except its home page and one public report. A mistyped URL under it thus
// gets a 401, not a 404: the server will not say what exists to a stranger.
func serveURLTypo(_ *Lab, w http.ResponseWriter, r *http.Request, rest string) {
	w.Header().Set("Server", "Apache/2.4.62 (Debian)")
	switch rest {
	case "":
		writePage(w, http.StatusOK, page{
			Title: "Northwind intranet",
			CSS:   siteCSS,
			Body: `<nav><a class="brand" href="./">Northwind</a><a href="reports/">Reports</a><span class="grow"></span><a href="login">Sign in</a></nav>
<main>
<h1>Northwind intranet</h1>
<p>Most of the intranet is for staff only; sign in with your network account to see it.</p>
<div class="card"><h2>Public reports</h2>
<ul><li><a href="reports/q3">Q3 report</a></li></ul></div>
</main>`,
		})
		return
	case "reports/q3":
		writePage(w, http.StatusOK, page{
			Title: "Q3 report – Northwind",
			CSS:   siteCSS,
			Body: plainNav + `
<main>
<h1>Q3 report</h1>
<p>Revenue grew 4% over Q2; support backlog is down to 12 tickets.</p>
<table>
<tr><th>Region</th><th>Revenue</th><th>Change</th></tr>
<tr><td>North</td><td>1.2 M</td><td>+6%</td></tr>
<tr><td>South</td><td>0.9 M</td><td>+2%</td></tr>
</table>
</main>`,
		})
		return
	}
	if user, pass, ok := r.BasicAuth(); ok && credentialsOK(user, pass) {
		// Signed in, the truth comes out: a typo is a 404.
		switch rest {
		case "login":
			http.Redirect(w, r, "./", http.StatusFound)
		case "reports/":
			writePage(w, http.StatusOK, page{
				Title: "Reports – Northwind",
				CSS:   siteCSS,
				Body:  plainNav + "\n<main>\n<h1>Reports</h1>\n<p>Signed in as alice.</p>\n<ul><li><a href=\"q3\">Q3 report</a></li></ul>\n</main>",
			})
		default:
			writePage(w, http.StatusNotFound, simplePage("404 Not Found", "Not Found", "The requested URL was not found on this server."))
		}
		return
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="Lab Intranet"`)
	writeApache401(w, r)
}

// ---- recycle: fixed by reload ----

// recycleWindow is how long the application pool takes to come back,
// counted from a visitor's first request: long enough that two loads in a
// row (fix401's reproduce step) both fail on a busy machine, short enough
// for a demo.
const recycleWindow = 3 * time.Second

// recycleLeft is how long the pool is still down for the visitor on the
// connection addr; its first request starts the window.
func (l *Lab) recycleLeft(addr string) time.Duration {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	until, ok := l.conns.until[addr]
	if !ok {
		if len(l.conns.until) >= maxConns {
			clear(l.conns.until)
		}
		until = now.Add(recycleWindow)
		l.conns.until[addr] = until
	}
	return until.Sub(now)
}

// serveRecycle is an IIS application pool recycling: until it is back, the
// site's Windows authentication fails and IIS says when to try again. The
// window is the visitor's own, so that every new browser meets it, and it
// ends after the time announced, whatever the number of loads.
func serveRecycle(l *Lab, w http.ResponseWriter, r *http.Request) {
	iisHeaders(w)
	if left := l.recycleLeft(r.RemoteAddr); left > 0 {
		h := w.Header()
		h.Add("WWW-Authenticate", "Negotiate")
		h.Add("WWW-Authenticate", "NTLM")
		h.Set("Retry-After", strconv.Itoa(int((left+time.Second-1)/time.Second)))
		writePage(w, http.StatusUnauthorized, iis401_1.page(r))
		return
	}
	writePage(w, http.StatusOK, sitePage("Dashboard – Northwind", "Dashboard", "The application is back. Nothing needs your attention today."))
}

// ---- stale-cache: fixed by clear-cache ----

// immutable is how build pipelines serve fingerprinted assets: cache for a
// year and never revalidate. The lab's app.js keeps its name across
// versions, which is the bug being imitated.
const immutable = "public, max-age=31536000, immutable"

// staleCacheScript is the dashboard's app.js of a build: the same code,
// calling the API version of its time.
func staleCacheScript(build, api string) string {
	return `// Northwind dashboard, build ` + build + ` (API ` + api + `)
fetch("api/` + api + `/me")
  .then(function (r) {
    if (!r.ok) { throw new Error("HTTP " + r.status); }
    return r.json();
  })
  .then(function (me) {
    document.getElementById("profile").textContent = "Signed in as " + me.user;
  })
  .catch(function () {
    var p = document.getElementById("profile");
    p.textContent = "Could not load your profile";
    p.className = "error";
  });
`
}

var (
	staleCacheV1 = staleCacheScript("2024.03", "v1")
	staleCacheV2 = staleCacheScript("2025.01", "v2")
)

// staleCacheVisitor names the visitor cookie of stale-cache: the browser's
// first app.js is the old build, as if it had cached it months ago.
const staleCacheVisitor = "lab_visitor"

// serveStaleCache is a dashboard whose script was served as immutable and
// then changed under the same URL: browsers that cached the old script keep
// calling an API version that has been switched off. Each new browser gets
// the old build first, standing in for its months-old cache.
func serveStaleCache(l *Lab, w http.ResponseWriter, r *http.Request, rest string) {
	switch rest {
	case "":
		if _, err := r.Cookie(staleCacheVisitor); err != nil {
			w.Header().Add("Set-Cookie", staleCacheVisitor+"="+randomToken(12)+"; Path=/s/stale-cache/; HttpOnly; SameSite=Lax")
		}
		writePage(w, http.StatusOK, page{
			Title: "Dashboard – Northwind",
			CSS:   siteCSS,
			Body: plainNav + `
<main>
<h1>Dashboard</h1>
<div class="card"><h2>Your profile</h2><p id="profile">Loading your profile…</p></div>
</main>
<script src="app.js"></script>`,
		})
	case "app.js":
		// No ETag or Last-Modified either: there is nothing to revalidate
		// with, as with many CDN-served bundles.
		w.Header().Set("Cache-Control", immutable)
		visitor := "conn:" + r.RemoteAddr
		if c, err := r.Cookie(staleCacheVisitor); err == nil {
			visitor = "cookie:" + c.Value
		}
		js := staleCacheV2
		if !l.marked("stale-cache/served/" + visitor) {
			l.mark("stale-cache/served/" + visitor)
			js = staleCacheV1
		}
		writeBody(w, http.StatusOK, "text/javascript; charset=utf-8", js)
	case "api/v1/me":
		w.Header().Set("WWW-Authenticate", `Bearer realm="lab-api", error="invalid_token", error_description="API v1 was retired"`)
		writeBody(w, http.StatusUnauthorized, "application/json", `{"error":"invalid_token","error_description":"API v1 was retired"}`+"\n")
	case "api/v2/me":
		writeBody(w, http.StatusOK, "application/json", `{"user":"alice","name":"Alice Liddell"}`+"\n")
	default:
		labNotFound(w)
	}
}

// ---- stale-cookie: fixed by clear-cookies ----

const (
	staleCookieName  = "lab_session"
	staleCookieValue = "expired-2024"
)

// serveStaleCookie is a site whose session store was reset: the session
// cookie the user's browser still has (the scenario's starting cookies,
// given with --cookies) is unknown to it. Without the cookie the site
// starts a new session.
func serveStaleCookie(l *Lab, w http.ResponseWriter, r *http.Request) {
	path := "/s/stale-cookie/"
	c, err := r.Cookie(staleCookieName)
	switch {
	case err == nil && !l.marked("stale-cookie/"+c.Value):
		writePage(w, http.StatusUnauthorized, page{
			Title: "Session expired – Northwind",
			CSS:   siteCSS,
			Body: plainNav + `
<main>
<h1>Your session has expired</h1>
<div class="card"><p>Please sign in again to continue.</p></div>
</main>`,
		})
		return
	case err != nil:
		v := "fresh-" + randomToken(12)
		l.mark("stale-cookie/" + v)
		w.Header().Add("Set-Cookie", staleCookieName+"="+v+"; Path="+path+"; Max-Age=86400; HttpOnly; SameSite=Lax")
	}
	writePage(w, http.StatusOK, sitePage("Northwind intranet", "Welcome back", "Nothing new since your last visit."))
}

// ---- stale-token: fixed by clear-cookies ----

const (
	staleToken      = "stale-token-2024"
	staleAppCookie  = "lab_app"
	staleAppVersion = "2024.03"
)

// staleTokenPage is the app's one page. Its script keeps the API token in
// localStorage and only asks for a new one when there is none, so a token
// the API no longer accepts is never replaced.
//
// The token request is synchronous on purpose: it keeps the page's load
// event waiting until the api/me call has started, so that a browser that
// waits for the requests in flight after the load event sees it too.
const staleTokenPage = `(function () {
  var KEY = "lab_token";
%s  var token = localStorage.getItem(KEY);
  if (!token) {
    var x = new XMLHttpRequest();
    x.open("GET", "api/token", false);
    x.send();
    if (x.status === 200) {
      token = JSON.parse(x.responseText).token;
      localStorage.setItem(KEY, token);
    }
  }
  var p = document.getElementById("profile");
  fetch("api/me", {headers: {Authorization: "Bearer " + token}})
    .then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    })
    .then(function (me) { p.textContent = "Signed in as " + me.user; })
    .catch(function () {
      p.textContent = "Could not load your profile";
      p.className = "error";
    });
})();`

// staleTokenPlant is what the first page ever served adds to the script:
// the token an older version of the app left behind.
const staleTokenPlant = `  // Left behind by the previous version of this app.
  localStorage.setItem(KEY, "` + staleToken + `");
`

func serveStaleToken(l *Lab, w http.ResponseWriter, r *http.Request, rest string) {
	switch rest {
	case "":
		// The old version of the app, whose cookie the user's browser
		// still has (the scenario's starting cookies), left its token in
		// localStorage; cleared site data, or a fresh profile, has
		// neither.
		plant := ""
		if c, err := r.Cookie(staleAppCookie); err == nil && c.Value == staleAppVersion {
			plant = staleTokenPlant
		}
		writePage(w, http.StatusOK, page{
			Title: "Dashboard – Northwind",
			CSS:   siteCSS,
			Body: plainNav + `
<main>
<h1>Dashboard</h1>
<div class="card"><h2>Your profile</h2><p id="profile">Loading your profile…</p></div>
</main>
<script>
` + strings.Replace(staleTokenPage, "%s", plant, 1) + `
</script>`,
		})
	case "api/token":
		tok := "fresh-" + randomToken(18)
		l.mark("stale-token/" + tok)
		writeBody(w, http.StatusOK, "application/json", `{"token":"`+tok+`"}`+"\n")
	case "api/me":
		scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		tok = strings.TrimSpace(tok)
		if strings.EqualFold(scheme, "Bearer") && strings.HasPrefix(tok, "fresh-") && l.marked("stale-token/"+tok) {
			writeBody(w, http.StatusOK, "application/json", `{"user":"alice","name":"Alice Liddell"}`+"\n")
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="lab-api", error="invalid_token"`)
		writeBody(w, http.StatusUnauthorized, "application/json", `{"error":"invalid_token"}`+"\n")
	default:
		labNotFound(w)
	}
}

// ---- conn-bound: fixed by fresh-profile ----

// connPoisoned reports whether requests on the connection from addr fail.
// The first connection a visit opens is poisoned for as long as it lives; a
// connection opened while another is still open (a new browser process
// started beside the old one) is healthy. Clearing the cache or cookies
// does not close a browser's keep-alive socket; a new browser has none to
// reuse. Once every connection has closed (the browser quit), the next
// visitor's first connection is poisoned again. No clock is involved.
func (l *Lab) connPoisoned(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.conns.bound
	if p, ok := b[addr]; ok {
		return p
	}
	if len(b) >= maxConns {
		clear(b)
	}
	p := len(b) == 0
	b[addr] = p
	return p
}

// serveConnBound imitates Windows authentication that went wrong on a
// connection: IIS authenticates NTLM per connection, and a connection whose
// handshake failed keeps failing until the browser opens a new one.
func serveConnBound(l *Lab, w http.ResponseWriter, r *http.Request) {
	iisHeaders(w)
	// Explicit, as IIS sends it: the point is that the socket stays open.
	w.Header().Set("Connection", "keep-alive")
	if l.connPoisoned(r.RemoteAddr) {
		w.Header().Set("WWW-Authenticate", "NTLM")
		writePage(w, http.StatusUnauthorized, iis401_1.page(r))
		return
	}
	writePage(w, http.StatusOK, sitePage("Timesheets – Northwind", "Timesheets", "Week 12 is submitted. Week 13 opens on Monday."))
}

// ---- form-login: fixed by relogin (form) ----

const formLoginPath = "/s/form-login/"

// serveFormLogin is an application with its own login form and a session
// cookie, the most common kind of sign-in on the web. Without the cookie
// every page redirects to the form.
func serveFormLogin(l *Lab, w http.ResponseWriter, r *http.Request, rest string) {
	switch rest {
	case "":
		if c, err := r.Cookie("lab_auth"); err == nil && l.marked("form-login/"+c.Value) {
			writePage(w, http.StatusOK, page{
				Title: "Lab Portal",
				CSS:   siteCSS,
				Body: plainNav + `
<main>
<h1>Lab Portal</h1>
<p>Signed in as alice.</p>
<div class="card"><p>You have 2 unread messages.</p></div>
</main>`,
			})
			return
		}
		http.Redirect(w, r, formLoginPath+"login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusFound)
	case "login":
		next := safeNext(r.FormValue("next"))
		if r.Method != http.MethodPost {
			writeLoginForm(w, next, "")
			return
		}
		if !credentialsOK(r.PostFormValue("username"), r.PostFormValue("password")) {
			// 200, as most applications answer a failed sign-in.
			writeLoginForm(w, next, "Invalid user name or password.")
			return
		}
		tok := randomToken(18)
		l.mark("form-login/" + tok)
		w.Header().Add("Set-Cookie", "lab_auth="+tok+"; Path="+formLoginPath+"; HttpOnly; SameSite=Lax")
		http.Redirect(w, r, next, http.StatusFound)
	default:
		labNotFound(w)
	}
}

// safeNext keeps the redirect after sign-in inside the scenario, so that
// the form is not an open redirect.
func safeNext(next string) string {
	if !strings.HasPrefix(next, formLoginPath) || strings.ContainsAny(next, "\\\r\n") {
		return formLoginPath
	}
	return next
}

func writeLoginForm(w http.ResponseWriter, next, problem string) {
	msg := ""
	if problem != "" {
		msg = `<p class="error" role="alert">` + html.EscapeString(problem) + "</p>\n"
	}
	writePage(w, http.StatusOK, page{
		Title: "Sign in",
		CSS:   siteCSS + "\nform{display:grid;gap:.6rem;max-width:20rem}\ninput{font:inherit;padding:.35rem .5rem}\nbutton{font:inherit;padding:.4rem .9rem}",
		Body: plainNav + `
<main>
<h1>Sign in to Lab Portal</h1>
<div class="card">
` + msg + `<form method="post" action="login">
<input type="hidden" name="next" value="` + html.EscapeString(next) + `">
<label for="username">User name</label>
<input type="text" id="username" name="username" autocomplete="username" required>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
</div>
</main>`,
	})
}

// ---- ip-blocked: fixed by via-proxy ----

// blockedAddr is the client address the ip-blocked scenario refuses: the
// one every loopback client has unless it binds another (see Proxy).
var blockedAddr = netip.MustParseAddr("127.0.0.1")

// serveIPBlocked is IIS's IP Address and Domain Restrictions with the deny
// action Unauthorized: a 401 that no credentials can fix.
func serveIPBlocked(_ *Lab, w http.ResponseWriter, r *http.Request) {
	iisHeaders(w)
	if clientAddr(r) == blockedAddr {
		w.Header().Set("WWW-Authenticate", "Negotiate")
		writePage(w, http.StatusUnauthorized, iis401_503.page(r))
		return
	}
	writePage(w, http.StatusOK, sitePage("Branch office portal – Northwind", "Branch office portal", "Stock levels were updated at 06:00."))
}

func clientAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

// sitePage is a healthy page of the lab's pretend intranet: the page a
// remedy should end on.
func sitePage(title, heading, text string) page {
	return page{
		Title: title,
		CSS:   siteCSS,
		Body:  plainNav + "\n<main>\n<h1>" + heading + "</h1>\n<div class=\"card\"><p>" + text + "</p></div>\n</main>",
	}
}
