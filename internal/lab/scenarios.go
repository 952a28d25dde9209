package lab

import (
	"crypto/subtle"
	"html"
	"io"
	"net"
	"net/http"
	"strings"
)

// The lab's only account. It is printed on the index page on purpose: the
// lab protects nothing, it only has to behave like something that does.
const (
	labUser     = "alice"
	labPassword = "wonderland"
	labToken    = "lab-token-ok"
)

// scenarioDef pairs a Scenario with the code that plays it. Adding a
// scenario means adding one entry to the scenarios table; state that must
// survive between requests belongs in Lab (see Lab.count), never in the
// handler's closure, so that Reset and parallel tests keep working.
type scenarioDef struct {
	Scenario
	// serve answers every request under Path(); rest is what follows it
	// ("" for the page itself, "api/me" for a subresource).
	serve func(l *Lab, w http.ResponseWriter, r *http.Request, rest string)
}

// pageOnly is for scenarios made of a single page: anything below it is a
// plain 404, so a stray relative link cannot masquerade as the scenario.
func pageOnly(fn func(l *Lab, w http.ResponseWriter, r *http.Request)) func(*Lab, http.ResponseWriter, *http.Request, string) {
	return func(l *Lab, w http.ResponseWriter, r *http.Request, rest string) {
		if rest != "" {
			labNotFound(w)
			return
		}
		fn(l, w, r)
	}
}

var scenarios = []scenarioDef{
	{
		Scenario: Scenario{
			ID:          "healthy",
			Title:       "Healthy page",
			Description: "A normal intranet home page that answers 200. Its navigation bar has a “Sign in” link and a “Log in” button, which must not be mistaken for a login wall.",
			Expect:      "none",
			Outcome:     "healthy",
		},
		serve: pageOnly(serveHealthy),
	},
	{
		Scenario: Scenario{
			ID:          "basic",
			Title:       "Basic auth, no credentials",
			Description: "An Apache-style 401 with a Basic challenge for realm “Lab Reports”. The browser asks for a username and password; alice / wonderland opens the Q3 reports.",
			Expect:      "http_401",
			Outcome:     "fixed",
			FixedBy:     "relogin",
			Options:     ScenarioOptions{User: labUser, Password: labPassword},
		},
		serve: pageOnly(serveBasic),
	},
	{
		Scenario: Scenario{
			ID:          "digest",
			Title:       "Digest auth (SHA-256 and MD5)",
			Description: "An RFC 7616 Digest challenge offered twice, SHA-256 first and MD5 second. The server really checks the response, so alice / wonderland gets in and anything else gets another 401.",
			Expect:      "http_401",
			Outcome:     "fixed",
			FixedBy:     "relogin",
			Options:     ScenarioOptions{User: labUser, Password: labPassword},
		},
		serve: pageOnly(serveDigest),
	},
	{
		Scenario: Scenario{
			ID:          "bearer",
			Title:       "Expired bearer token",
			Description: "A JSON API that answers 401 with a Bearer challenge saying the access token expired. Browsers show the raw JSON error; only the header Authorization: Bearer lab-token-ok gets a 200.",
			Expect:      "http_401",
			Outcome:     "fixed",
			FixedBy:     "relogin",
			Options:     ScenarioOptions{BearerToken: labToken},
		},
		serve: pageOnly(serveBearer),
	},
	{
		Scenario: Scenario{
			ID:          "negotiate",
			Title:       "Windows authentication (IIS)",
			Description: "An IIS 10 server that offers only Negotiate and NTLM and shows its detailed “HTTP Error 401.2 - Unauthorized” page, as an intranet site does outside the domain.",
			Expect:      "http_401",
			Outcome:     "unresolved",
			Findings:    []string{"negotiate_not_allowed"},
			// Allowed, the browser then meets this machine's Kerberos set-up:
			// no ticket, or a ticket with no service principal for the lab.
			MayFind: []string{"negotiate_no_ticket", "negotiate_spn_unknown", "negotiate_wrong_realm", "negotiate_ticket_expired", "negotiate_rejected"},
		},
		serve: pageOnly(serveNegotiate),
	},
	{
		Scenario: Scenario{
			ID:          "no-challenge",
			Title:       "401 without a challenge",
			Description: "A buggy server that answers 401 but sends no WWW-Authenticate header, so the browser never offers a login prompt and just shows “401 Unauthorized”.",
			Expect:      "http_401",
			Outcome:     "unresolved",
			Findings:    []string{"no_challenge"},
		},
		serve: pageOnly(serveNoChallenge),
	},
	{
		Scenario: Scenario{
			ID:          "soft-en",
			Title:       "Soft 401 (English)",
			Description: "The server says 200 OK, but the page reads “Access Denied – You are not authorized to view this page”. Only the words give the failure away.",
			Expect:      "soft_401",
			Outcome:     "unresolved",
		},
		serve: pageOnly(serveSoft(softEN)),
	},
	{
		Scenario: Scenario{
			ID:          "soft-de",
			Title:       "Soft 401 (German)",
			Description: "A 200 page titled “Zugriff verweigert” saying “Sie sind nicht berechtigt, diese Seite anzuzeigen” – the same denial in German.",
			Expect:      "soft_401",
			Outcome:     "unresolved",
		},
		serve: pageOnly(serveSoft(softDE)),
	},
	{
		Scenario: Scenario{
			ID:          "soft-ja",
			Title:       "Soft 401 (Japanese)",
			Description: "A 200 page titled “アクセスが拒否されました” saying “このページを表示する権限がありません” – the same denial in Japanese.",
			Expect:      "soft_401",
			Outcome:     "unresolved",
		},
		serve: pageOnly(serveSoft(softJA)),
	},
	{
		Scenario: Scenario{
			ID:          "subresource",
			Title:       "Dashboard with a failing API call",
			Description: "The dashboard itself loads with 200, but its script fetches api/me, which answers 401 with a Bearer challenge; the page then shows “Could not load your profile”.",
			Expect:      "subresource_401",
			Outcome:     "unresolved",
		},
		serve: serveSubresource,
	},
	{
		Scenario: Scenario{
			ID:          "forbidden",
			Title:       "403 Forbidden",
			Description: "The server knows who you are and still says no: 403 Forbidden. Signing in again does not help; this is not an authentication failure.",
			Expect:      "forbidden_403",
			Outcome:     "not_auth_failure",
		},
		serve: pageOnly(serveForbidden),
	},
	{
		Scenario: Scenario{
			ID:          "proxy",
			Title:       "407 Proxy Authentication Required",
			Description: "The lab itself answers 407 with a Basic Proxy-Authenticate challenge for realm “lab-proxy”. Browsers usually turn this into a network error page rather than a prompt.",
			Expect:      "proxy_407",
			Outcome:     "unresolved",
			Findings:    []string{"proxy_auth_required"},
		},
		serve: pageOnly(serveProxy),
	},
	{
		Scenario: Scenario{
			ID:          "not-found",
			Title:       "404 Not Found",
			Description: "A plain 404. It is an error, but not an authentication one, and fix401 should say so rather than try remedies.",
			Expect:      "other_status",
			Outcome:     "not_auth_failure",
		},
		serve: pageOnly(serveNotFound),
	},
	{
		Scenario: Scenario{
			ID:          "hang",
			Title:       "Page that never finishes",
			Description: "The server sends the headers and the start of the page, then goes silent forever. The browser keeps spinning until fix401 gives up with a timeout.",
			Expect:      "network_error",
			Outcome:     "not_auth_failure",
			Hangs:       true,
		},
		serve: pageOnly(serveHang),
	},

	// One scenario per remedy, in the order fix401 tries them; see
	// remedies.go.
	{
		Scenario: Scenario{
			ID:          "url-typo",
			Title:       "Link pasted with a typo",
			Description: "A link copied from an email took the “).” of the sentence with it. The intranet protects everything it does not know with Basic auth (realm “Lab Intranet”), so the typo gets a 401 rather than a 404; the report without the “).” is public.",
			Expect:      "http_401",
			Outcome:     "fixed",
			FixedBy:     "url-check",
			Options:     ScenarioOptions{Path: urlTypoPath},
		},
		serve: serveURLTypo,
	},
	{
		Scenario: Scenario{
			ID:          "recycle",
			Title:       "IIS application pool recycling",
			Description: "While its application pool restarts, an IIS site fails Windows authentication with “HTTP Error 401.1 - Unauthorized” and a Retry-After header. Each new browser meets a 3-second restart: every request inside it fails, however many; waiting as long as Retry-After says and reloading works.",
			Expect:      "http_401",
			Outcome:     "fixed",
			Findings:    []string{"rate_limited"},
			FixedBy:     "reload",
		},
		serve: pageOnly(serveRecycle),
	},
	{
		Scenario: Scenario{
			ID:          "stale-cache",
			Title:       "Stale script in the browser cache",
			Description: "The dashboard’s app.js is served as immutable for a year, and a new version replaced it under the same name. Each new browser gets the old script first, standing in for its months-old cache; the old script still calls api/v1/me, which now answers 401 (“API v1 was retired”). A reload keeps the cached script, clearing the cache fetches the new one.",
			Expect:      "subresource_401",
			Outcome:     "fixed",
			FixedBy:     "clear-cache",
		},
		serve: serveStaleCache,
	},
	{
		Scenario: Scenario{
			ID:          "stale-cookie",
			Title:       "Expired session cookie",
			Description: "The user’s browser still has last year’s session cookie (lab_session=expired-2024: diagnose with --cookies, the scenario’s cookies.txt); the server answers 401 “Your session has expired” to it, without a challenge. Without the cookie the site starts a new session.",
			Expect:      "http_401",
			Outcome:     "fixed",
			Findings:    []string{"no_challenge"},
			FixedBy:     "clear-cookies",
			Options:     ScenarioOptions{Cookies: map[string]string{staleCookieName: staleCookieValue}},
		},
		serve: pageOnly(serveStaleCookie),
	},
	{
		Scenario: Scenario{
			ID:          "stale-token",
			Title:       "Stale API token in localStorage",
			Description: "The page keeps its API token in localStorage and only asks for a new one when there is none. The user’s browser still has the older version of the app (its lab_app cookie: diagnose with --cookies, the scenario’s cookies.txt), which left a token there that the API rejects with 401 invalid_token; clearing site data makes the page fetch a fresh one.",
			Expect:      "subresource_401",
			Outcome:     "fixed",
			FixedBy:     "clear-cookies",
			Options:     ScenarioOptions{Cookies: map[string]string{staleAppCookie: staleAppVersion}},
		},
		serve: serveStaleToken,
	},
	{
		Scenario: Scenario{
			ID:          "conn-bound",
			Title:       "Windows authentication stuck on a connection",
			Description: "IIS authenticates NTLM per connection, and this browser’s connection is stuck: every request on it gets 401.1 with an NTLM challenge. Reloading and clearing data reuse the same keep-alive connection; a new browser process, opened beside the old one, connects afresh and gets in. When every connection has closed, the next browser is stuck again.",
			Expect:      "http_401",
			Outcome:     "fixed",
			FixedBy:     "fresh-profile",
		},
		serve: pageOnly(serveConnBound),
	},
	{
		Scenario: Scenario{
			ID:          "stale-dns",
			Title:       "Name still resolves to the old server",
			Description: "The intranet moved to a new server, but this machine's resolver still answers intranet.fix401.test with the old server's address (127.0.0.2), which refuses everyone with IIS “HTTP Error 401.2” and a Negotiate challenge. A new browser asks the same resolver; flushing it makes the name reach the new server (127.0.0.1).",
			Expect:      "http_401",
			Outcome:     "fixed",
			FixedBy:     "dns-flush",
			Options:     ScenarioOptions{StaleDNS: true},
		},
		serve: pageOnly(serveStaleDNS),
	},
	{
		Scenario: Scenario{
			ID:          "form-login",
			Title:       "Login form (session cookie)",
			Description: "An application with its own sign-in page: without a valid session cookie every page redirects to “Sign in to Lab Portal”. alice / wonderland in the form signs in.",
			Expect:      "soft_401",
			Outcome:     "fixed",
			Findings:    []string{"login_form"},
			FixedBy:     "relogin",
			Options:     ScenarioOptions{User: labUser, Password: labPassword, LoginURL: formLoginPath + "login"},
		},
		serve: serveFormLogin,
	},
	{
		Scenario: Scenario{
			ID:          "ip-blocked",
			Title:       "Client address not allowed (IIS 401.503)",
			Description: "IIS’s IP address restriction refuses 127.0.0.1 with “HTTP Error 401.503 - Unauthorized” and a Negotiate challenge that no password satisfies. Coming from another address, through the lab’s proxy, works.",
			Expect:      "http_401",
			Outcome:     "fixed",
			FixedBy:     "via-proxy",
			Options:     ScenarioOptions{NeedsProxy: true},
		},
		serve: pageOnly(serveIPBlocked),
	},
}

// siteCSS is the look of the pretend intranet ("Northwind") that the
// ordinary-looking pages share, so that healthy and soft-401 pages differ
// only in what they say.
const siteCSS = `*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans JP",sans-serif;color:#1f2430;background:#f5f6f8}
nav{display:flex;align-items:center;gap:1.25rem;padding:.75rem 1.5rem;background:#1f3a5f;color:#fff}
nav a{color:#fff;text-decoration:none}
nav .brand{font-weight:700;letter-spacing:.02em}
nav .grow{flex:1}
nav button{font:inherit;color:#1f3a5f;background:#fff;border:0;border-radius:6px;padding:.3rem .9rem;cursor:pointer}
main{max-width:52rem;margin:2rem auto;padding:0 1.5rem}
h1{font-size:1.7rem;margin:0 0 .75rem}
.card{background:#fff;border:1px solid #e1e4ea;border-radius:10px;padding:1rem 1.25rem;margin:1rem 0}
.error{color:#b3261e}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #e1e4ea}`

const plainNav = `<nav><a class="brand" href="./">Northwind</a></nav>`

func serveHealthy(_ *Lab, w http.ResponseWriter, _ *http.Request) {
	writePage(w, http.StatusOK, page{
		Title: "Northwind intranet",
		CSS:   siteCSS,
		Body: `<nav><a class="brand" href="./">Northwind</a><a href="./">Home</a><a href="./">Reports</a><a href="./">Team</a><span class="grow"></span><a href="./">Sign in</a><button type="button">Log in</button></nav>
<main>
<h1>Welcome to the Northwind intranet</h1>
<p>Good morning! Here is what happened this week.</p>
<div class="card"><h2>Latest news</h2>
<ul>
<li>The canteen now opens at 11:30.</li>
<li>Q3 planning starts on Monday; agendas are in the Reports section.</li>
<li>Please welcome Dana, who joins the support team.</li>
</ul></div>
</main>`,
	})
}

func serveBasic(_ *Lab, w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Server", "Apache/2.4.62 (Debian)")
	if user, pass, ok := r.BasicAuth(); ok && credentialsOK(user, pass) {
		writePage(w, http.StatusOK, page{
			Title: "Q3 reports",
			CSS:   siteCSS,
			Body: plainNav + `
<main>
<h1>Q3 reports</h1>
<p>Signed in as alice.</p>
<table>
<tr><th>Report</th><th>Owner</th><th>Status</th></tr>
<tr><td>Revenue by region</td><td>Finance</td><td>Final</td></tr>
<tr><td>Support backlog</td><td>Support</td><td>Draft</td></tr>
<tr><td>Hiring plan</td><td>People</td><td>Final</td></tr>
</table>
</main>`,
		})
		return
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="Lab Reports", charset="UTF-8"`)
	writeApache401(w, r)
}

// writeApache401 writes Apache httpd's default 401 page; the caller sets the
// challenge.
func writeApache401(w http.ResponseWriter, r *http.Request) {
	host, port := hostPort(r)
	writePage(w, http.StatusUnauthorized, page{
		Title: "401 Unauthorized",
		Body: `<h1>Unauthorized</h1>
<p>This server could not verify that you
are authorized to access the document
requested.  Either you supplied the wrong
credentials (e.g., bad password), or your
browser doesn't understand how to supply
the credentials required.</p>
<hr>
<address>Apache/2.4.62 (Debian) Server at ` + html.EscapeString(host) + ` Port ` + html.EscapeString(port) + `</address>`,
	})
}

// credentialsOK compares in constant time: the lab is not secret, but it is
// meant to be an example of a server done right.
func credentialsOK(user, pass string) bool {
	u := subtle.ConstantTimeCompare([]byte(user), []byte(labUser))
	p := subtle.ConstantTimeCompare([]byte(pass), []byte(labPassword))
	return u&p == 1
}

func bearerOK(r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(labToken)) == 1
}

func hostPort(r *http.Request) (host, port string) {
	host, port, err := net.SplitHostPort(r.Host)
	if err != nil {
		return r.Host, "80"
	}
	return host, port
}

func serveDigest(l *Lab, w http.ResponseWriter, r *http.Request) {
	res := l.checkDigest(r)
	switch res.verdict {
	case digestOK:
		w.Header().Set("Authentication-Info", res.authInfo)
		writePage(w, http.StatusOK, page{
			Title: "Lab notebook",
			CSS:   siteCSS,
			Body: plainNav + `
<main>
<h1>Lab notebook</h1>
<p>Signed in as alice using Digest authentication (` + html.EscapeString(res.algorithm) + `).</p>
<div class="card">Nothing new since your last visit.</div>
</main>`,
		})
		return
	case digestBadRequest:
		writePage(w, http.StatusBadRequest, simplePage("400 Bad Request", "Bad Request", "The Digest uri does not match the request."))
		return
	}
	l.digestChallenge(w, res.verdict == digestStale)
	writePage(w, http.StatusUnauthorized, simplePage("401 Unauthorized", "401 Unauthorized", "This lab notebook needs a username and password."))
}

func serveBearer(_ *Lab, w http.ResponseWriter, r *http.Request) {
	if bearerOK(r) {
		writeBody(w, http.StatusOK, "application/json", `{"user":"alice","scopes":["reports:read"]}`+"\n")
		return
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="lab-api", error="invalid_token", error_description="The access token expired"`)
	writeBody(w, http.StatusUnauthorized, "application/json", `{"error":"invalid_token","error_description":"The access token expired"}`+"\n")
}

func serveNegotiate(_ *Lab, w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Add("WWW-Authenticate", "Negotiate")
	h.Add("WWW-Authenticate", "NTLM")
	iisHeaders(w)
	writePage(w, http.StatusUnauthorized, iis401_2.page(r))
}

func serveNoChallenge(_ *Lab, w http.ResponseWriter, _ *http.Request) {
	writePage(w, http.StatusUnauthorized, page{
		Title: "401 Unauthorized",
		Body:  `<h1>401 Unauthorized</h1>`,
	})
}

type softText struct {
	lang, title, h1, text, home string
}

var (
	softEN = softText{
		lang:  "en",
		title: "Access Denied",
		h1:    "You are not authorized to view this page",
		text:  "Access Denied. Your account does not have permission to open this resource. If you believe this is a mistake, contact your administrator.",
		home:  "Return to the home page",
	}
	softDE = softText{
		lang:  "de",
		title: "Zugriff verweigert",
		h1:    "Sie sind nicht berechtigt, diese Seite anzuzeigen",
		text:  "Zugriff verweigert. Ihr Konto hat keine Berechtigung für diese Ressource. Wenn Sie glauben, dass es sich um einen Fehler handelt, wenden Sie sich an Ihre Administration.",
		home:  "Zur Startseite",
	}
	softJA = softText{
		lang:  "ja",
		title: "アクセスが拒否されました",
		h1:    "このページを表示する権限がありません",
		text:  "アクセスが拒否されました。お使いのアカウントには、このリソースを開く権限がありません。問題が解決しない場合は、管理者にお問い合わせください。",
		home:  "ホームに戻る",
	}
)

// serveSoft answers 200 on purpose: many real sites render their denial as
// an ordinary page, and only the text tells a person (or fix401) otherwise.
func serveSoft(t softText) func(*Lab, http.ResponseWriter, *http.Request) {
	return func(_ *Lab, w http.ResponseWriter, _ *http.Request) {
		writePage(w, http.StatusOK, page{
			Lang:  t.lang,
			Title: t.title,
			CSS:   siteCSS,
			Body: plainNav + `
<main>
<h1>` + html.EscapeString(t.h1) + `</h1>
<div class="card"><p>` + html.EscapeString(t.text) + `</p>
<p><a href="./">` + html.EscapeString(t.home) + `</a></p></div>
</main>`,
		})
	}
}

func serveSubresource(_ *Lab, w http.ResponseWriter, r *http.Request, rest string) {
	switch rest {
	case "":
	case "api/me":
		if bearerOK(r) {
			writeBody(w, http.StatusOK, "application/json", `{"user":"alice","name":"Alice Liddell"}`+"\n")
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeBody(w, http.StatusUnauthorized, "application/json", `{"error":"invalid_token"}`+"\n")
		return
	default:
		labNotFound(w)
		return
	}
	writePage(w, http.StatusOK, page{
		Title: "Dashboard – Northwind",
		CSS:   siteCSS,
		Body: `<nav><a class="brand" href="./">Northwind</a><a href="./">Dashboard</a><a href="./">Tickets</a><span class="grow"></span></nav>
<main>
<h1>Dashboard</h1>
<div class="card"><h2>Your profile</h2><p id="profile">Loading your profile…</p></div>
<div class="card"><h2>This week</h2>
<table>
<tr><th>Open tickets</th><td>12</td></tr>
<tr><th>Closed tickets</th><td>31</td></tr>
<tr><th>Average reply time</th><td>3 h 10 min</td></tr>
</table></div>
</main>
<script>
fetch("api/me")
  .then(function (r) {
    if (!r.ok) { throw new Error("HTTP " + r.status); }
    return r.json();
  })
  .then(function (me) {
    document.getElementById("profile").textContent = "Signed in as " + me.name;
  })
  .catch(function () {
    var p = document.getElementById("profile");
    p.textContent = "Could not load your profile";
    p.className = "error";
  });
</script>`,
	})
}

func serveForbidden(_ *Lab, w http.ResponseWriter, _ *http.Request) {
	writePage(w, http.StatusForbidden, simplePage("403 Forbidden", "403 Forbidden", "You are signed in but not allowed here."))
}

func serveProxy(_ *Lab, w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Proxy-Authenticate", `Basic realm="lab-proxy"`)
	writePage(w, http.StatusProxyAuthRequired, simplePage("407 Proxy Authentication Required", "407 Proxy Authentication Required", "The proxy needs a username and password before it forwards this request."))
}

func serveNotFound(_ *Lab, w http.ResponseWriter, _ *http.Request) {
	writePage(w, http.StatusNotFound, simplePage("404 Not Found", "404 Not Found", "The requested page does not exist on this server."))
}

// hangHead is the part of the page the browser does get, so that it commits
// the navigation and keeps waiting for the rest rather than failing early.
const hangHead = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>Loading quarterly report…</title>
</head>
<body>
<h1>Loading quarterly report…</h1>
<p>This can take a moment.</p>
`

func serveHang(l *Lab, w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, hangHead)
	_ = http.NewResponseController(w).Flush()
	select {
	case <-r.Context().Done():
		return
	case <-l.closed:
	}
	// Returning normally would end the chunked body cleanly and let the
	// client believe the page had finished; aborting drops the
	// connection, which is the truth: this page never completes.
	panic(http.ErrAbortHandler)
}
