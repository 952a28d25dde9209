package lab

import (
	"crypto/rand"
	"encoding/base64"
	"html"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// page is one HTML5 document. Body and CSS are trusted markup written in this
// package; only Title is escaped here, and callers escape anything that comes
// from the request.
type page struct {
	Lang  string // "" means "en"
	Title string
	CSS   string
	Body  string
}

func (p page) String() string {
	lang := p.Lang
	if lang == "" {
		lang = "en"
	}
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"" + lang + "\">\n<head>\n")
	b.WriteString("<meta charset=\"utf-8\">\n")
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	// An empty data: icon stops the browser from requesting /favicon.ico,
	// which would otherwise show up as an extra request in every load.
	b.WriteString("<link rel=\"icon\" href=\"data:,\">\n")
	b.WriteString("<title>" + html.EscapeString(p.Title) + "</title>\n")
	if p.CSS != "" {
		b.WriteString("<style>\n" + p.CSS + "\n</style>\n")
	}
	b.WriteString("</head>\n<body>\n")
	b.WriteString(p.Body)
	b.WriteString("\n</body>\n</html>\n")
	return b.String()
}

func writePage(w http.ResponseWriter, status int, p page) {
	writeBody(w, status, "text/html; charset=utf-8", p.String())
}

func writeBody(w http.ResponseWriter, status int, contentType, body string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// plainCSS is the look of the lab's own small pages; scenario pages that
// imitate a particular server bring their own.
const plainCSS = `body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:40rem;padding:0 1rem;color:#222}
h1{font-size:1.6rem;margin:0 0 .5rem}
a{color:#0b57d0}`

func simplePage(title, h1, text string) page {
	return page{
		Title: title,
		CSS:   plainCSS,
		Body:  "<h1>" + html.EscapeString(h1) + "</h1>\n<p>" + html.EscapeString(text) + "</p>",
	}
}

func labNotFound(w http.ResponseWriter) {
	p := simplePage("404 Not Found", "Not Found", "There is no such page in the fix401 lab.")
	p.Body += "\n<p><a href=\"/\">All lab scenarios</a></p>"
	writePage(w, http.StatusNotFound, p)
}

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

const indexCSS = `:root{color-scheme:light dark;--fg:#1d2330;--muted:#5b6475;--bg:#f6f7f9;--card:#fff;--line:#e2e5ea;--accent:#0b57d0}
@media (prefers-color-scheme:dark){:root{--fg:#e6e8ec;--muted:#9aa3b2;--bg:#15181e;--card:#1d2129;--line:#2c313b;--accent:#8ab4f8}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header,main{max-width:60rem;margin:0 auto;padding:1.5rem 1.25rem}
header{padding-bottom:0}
h1{margin:0 0 .25rem;font-size:1.7rem}
header p{margin:.25rem 0;color:var(--muted)}
code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--line);padding:.1em .35em;border-radius:4px}
ol{list-style:none;margin:0;padding:0;display:grid;gap:.75rem}
li{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:.9rem 1.1rem}
li h2{margin:0;font-size:1.05rem;display:flex;flex-wrap:wrap;gap:.5rem;align-items:baseline}
li h2 a{color:var(--accent);text-decoration:none}
li h2 a:hover{text-decoration:underline}
li p{margin:.35rem 0 .5rem}
.meta{display:flex;flex-wrap:wrap;gap:.4rem;font-size:.85rem;color:var(--muted)}
.tag{border:1px solid var(--line);border-radius:999px;padding:0 .6rem}
.expect{border-color:var(--accent);color:var(--accent)}
.fix{border-color:#188038;color:#188038}
.hang{border-color:#c5221f;color:#c5221f}`

func writeIndex(w http.ResponseWriter) {
	var b strings.Builder
	b.WriteString(`<header>
<h1>fix401 lab</h1>
<p>A practice site on your own machine. Each page below fails (or deliberately does not) in one particular way, so you can watch how fix401 diagnoses and repairs it.</p>
<p>Credentials where a page accepts them: user <code>alice</code>, password <code>wonderland</code>; bearer token <code>lab-token-ok</code>.</p>
</header>
<main>
<ol>
`)
	for i, s := range Scenarios() {
		b.WriteString("<li id=\"" + html.EscapeString(s.ID) + "\">\n")
		b.WriteString("<h2><span>" + strconv.Itoa(i+1) + ".</span> <a href=\"" + html.EscapeString(s.Path()) + "\">" + html.EscapeString(s.Title) + "</a></h2>\n")
		b.WriteString("<p>" + html.EscapeString(s.Description) + "</p>\n")
		b.WriteString("<div class=\"meta\"><span class=\"tag\"><code>" + html.EscapeString(s.Path()) + "</code></span>")
		b.WriteString("<span class=\"tag expect\">expect: " + html.EscapeString(s.Expect) + "</span>")
		if s.FixedBy != "" {
			b.WriteString("<span class=\"tag fix\">fixed by: " + html.EscapeString(s.FixedBy) + "</span>")
		}
		if s.Hangs {
			b.WriteString("<span class=\"tag hang\">never finishes loading</span>")
		}
		for _, o := range optionTags(s.Options) {
			b.WriteString("<span class=\"tag\">" + o + "</span>")
		}
		b.WriteString("</div>\n</li>\n")
	}
	b.WriteString("</ol>\n</main>")
	writePage(w, http.StatusOK, page{Title: "fix401 lab", CSS: indexCSS, Body: b.String()})
}

// optionTags describes what a diagnose run of the scenario needs, as index
// tags (trusted markup; every value escaped).
func optionTags(o ScenarioOptions) []string {
	var out []string
	if o.Path != "" {
		out = append(out, "diagnose: <a href=\""+html.EscapeString(o.Path)+"\"><code>"+html.EscapeString(o.Path)+"</code></a>")
	}
	if o.User != "" {
		out = append(out, "user <code>"+html.EscapeString(o.User)+"</code>, password <code>"+html.EscapeString(o.Password)+"</code>")
	}
	if o.LoginURL != "" {
		out = append(out, "login form: <code>"+html.EscapeString(o.LoginURL)+"</code>")
	}
	if o.BearerToken != "" {
		out = append(out, "bearer token <code>"+html.EscapeString(o.BearerToken)+"</code>")
	}
	if o.NeedsProxy {
		out = append(out, "needs <code>--proxy</code> with the lab’s proxy (<code>fix401 lab</code> prints its address)")
	}
	if o.StaleDNS {
		out = append(out, "reached as <code>"+StaleDNSHost+"</code> through a resolver of its own (<code>fix401 demo</code> sets it up)")
	}
	return out
}
