package judge

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Size limits on the visible text of a soft 401. Denial pages, server error
// pages and sign-in walls are short; a page with a great deal of text whose
// title happens to be "401 Unauthorized" is an article about the status.
const (
	maxSoftText    = 8000 // runes, for denial wording
	maxDefaultText = 3000 // runes, for a server's default 401 page
	maxBareText    = 200  // runes, for a page that is nothing but the word
)

// softHit is one reason to call a 2xx page a soft 401.
type softHit struct {
	where    string // "title", "heading", "text"
	evidence string // the title, heading or text as the page shows it
	phrase   *phrase
	server   bool // looks like a web server's own default 401 page
	redirect bool // a sign-in page the browser was redirected to
	finalURL string
}

func (h softHit) reason(p Page) string {
	if h.redirect {
		s := "the page was redirected to a sign-in page"
		if host := hostPath(h.finalURL); host != "" {
			s += " (" + host + ")"
		}
		s += " whose " + h.where + " says " + quote(h.evidence) + h.gloss()
		if p.HasPasswordField {
			s += " and which asks for a password"
		}
		return s
	}
	s := answered(p.Status) + " but its "
	if h.where == "text" {
		s += "only text is " + quote(h.evidence)
	} else {
		s += h.where + " says " + quote(h.evidence)
	}
	if h.server {
		return s + ", a web server's default 401 page"
	}
	return s + h.gloss()
}

func (h softHit) gloss() string {
	if h.phrase == nil || h.phrase.lang == "English" {
		return ""
	}
	return " (" + h.phrase.lang + ": " + h.phrase.gloss + ")"
}

// softMatch decides whether the page reads as an access-denied, login
// required or redirected-to-sign-in page. It looks only at the title, the
// main headings and, for pages that are nothing but one word, the whole
// text: body text mentions "access denied" or "sign in" far too often on
// healthy pages to count on its own.
func softMatch(p Page) (softHit, bool) {
	textLen := utf8.RuneCountInString(strings.TrimSpace(p.Text))
	title := clean(p.Title)
	if isAboutAuth(title) {
		// The title speaks for the whole page: one that discusses 401s may
		// well have "401 Unauthorized" as a heading.
		return softHit{}, false
	}
	heads := mainHeadings(p.Headings)
	// A login form the user asked for is not a wall: "Please sign in to
	// continue" above a password field at the URL that was typed is just
	// the login page. It becomes a wall when the browser was sent there.
	loginPage := p.HasPasswordField && !redirectedAway(p)
	toSignIn := redirectedAway(p) && (p.HasPasswordField || loginURL(p.FinalURL))

	type spot struct{ where, text string }
	spots := []spot{{"title", title}}
	for _, h := range heads {
		spots = append(spots, spot{"heading", h})
	}
	for _, s := range spots {
		if s.text == "" || isAboutAuth(s.text) {
			continue
		}
		n := norm(s.text)
		if textLen <= maxDefaultText && serverDefault(n) {
			return softHit{where: s.where, evidence: s.text, server: true}, true
		}
		if textLen <= maxSoftText {
			if ph := findPhrase(n, catDenied); ph != nil {
				return softHit{where: s.where, evidence: s.text, phrase: ph}, true
			}
			if !loginPage {
				if ph := findPhrase(n, catLoginRequired); ph != nil {
					return softHit{where: s.where, evidence: s.text, phrase: ph}, true
				}
			}
		}
	}
	if toSignIn {
		for i, s := range spots {
			if s.text == "" || isAboutAuth(s.text) {
				continue
			}
			// A second heading reading "Log in" is as often the sidebar
			// login box of a home page as a login page; it counts only
			// when the address says the redirect ended at a login.
			if i > 1 && !loginURL(p.FinalURL) {
				continue
			}
			n := norm(s.text)
			for _, c := range []category{catSignIn, catLoginRequired, catDenied} {
				if ph := findPhrase(n, c); ph != nil {
					return softHit{where: s.where, evidence: s.text, phrase: ph, redirect: true, finalURL: p.FinalURL}, true
				}
			}
		}
	}
	// Express's res.sendStatus(401) and its error handler send the bare
	// status text, "Unauthorized", under the title "Error" or no title.
	if textLen > 0 && textLen <= maxBareText && genericTitle(title) && allGeneric(heads) {
		text := clean(p.Text)
		n := norm(text)
		if serverDefault(n) {
			return softHit{where: "text", evidence: text, server: true}, true
		}
		if ph := findPhraseExact(n, catDenied); ph != nil {
			return softHit{where: "text", evidence: text, phrase: ph}, true
		}
	}
	return softHit{}, false
}

// mainHeadings picks the headings that speak for the page. Page only keeps
// the text of h1-h3 in order, not their levels, so "the main heading" is
// the first one, and the second one too when the first is a generic error
// banner ("Server Error" on IIS) or a short label such as a site name.
func mainHeadings(hs []string) []string {
	var out []string
	for _, h := range hs {
		if h = clean(h); h != "" {
			out = append(out, h)
		}
		if len(out) == 2 {
			break
		}
	}
	if len(out) == 2 && !genericTitle(out[0]) && (len(strings.Fields(out[0])) > 3 || utf8.RuneCountInString(out[0]) > 24) {
		out = out[:1]
	}
	return out
}

// redirectedAway reports a redirect that took the browser to a different
// page. Redirects that only change the scheme or the host (http to https,
// example.com to www.example.com) or add a trailing slash land on the page
// the user asked for, so a login form there was asked for too.
func redirectedAway(p Page) bool {
	if !p.Redirected {
		return false
	}
	a, errA := url.Parse(p.URL)
	b, errB := url.Parse(p.FinalURL)
	if errA != nil || errB != nil || p.URL == "" || p.FinalURL == "" {
		return true
	}
	pa := strings.TrimSuffix(a.EscapedPath(), "/")
	pb := strings.TrimSuffix(b.EscapedPath(), "/")
	return pa != pb || a.RawQuery != b.RawQuery
}

var (
	loginPathRE = regexp.MustCompile(`(?i)(?:^|/)(?:login|log-in|log_in|signin|sign-in|sign_in|logon|auth|authenticate|authorize|sso|saml2?|oauth2?|openid-connect|adfs|cas|account/login|wp-login\.php|login\.\w+|signin\.\w+)(?:/|$)`)
	loginHostRE = regexp.MustCompile(`(?i)^(?:login|logon|signin|accounts?|auth|sso|idp|adfs)\.|\.(?:cloudflareaccess\.com|okta\.com|oktapreview\.com|auth0\.com|onelogin\.com)$|^login\.microsoftonline\.com$`)
)

// loginURL reports whether u looks like a sign-in endpoint: identity
// providers often show the user name field first and the password only on
// the next step, so the address is the other sign that a redirect ended at
// a login.
func loginURL(u string) bool {
	pu, err := url.Parse(u)
	if err != nil {
		return false
	}
	return loginPathRE.MatchString(pu.Path) || loginHostRE.MatchString(pu.Hostname())
}

func hostPath(u string) string {
	pu, err := url.Parse(u)
	if err != nil || pu.Host == "" {
		return ""
	}
	return truncate(pu.Host+pu.EscapedPath(), 80)
}

// serverDefaultRE matches the titles and headings web servers put on their
// own 401 pages: "401 Unauthorized" (Apache, Express), "401 Authorization
// Required" (nginx), "HTTP Status 401 – Unauthorized" (Tomcat), "Error 401
// Unauthorized" / "HTTP ERROR 401 Unauthorized" (Jetty), "401 - Unauthorized:
// Access is denied due to invalid credentials." (IIS custerr), "HTTP Error
// 401.2 - Unauthorized" and "IIS 10.0 Detailed Error - 401.2 - Unauthorized"
// (IIS detailed errors), in normalised form.
var serverDefaultRE = regexp.MustCompile(`^(?:iis [\d.]+ detailed error - |(?:http|error|http error|http status|status|http-fehler|erreur http|error http|errore http|http 错误|http 錯誤|http エラー|ошибка http)\s*-?\s*)?401(?:\.[1-9]\d{0,2})?(?:\s*-?\s*(?:unauthori[sz]ed|authori[sz]ation required|authentication required|not authori[sz]ed|access denied)(?:\s*:\s*access is denied due to invalid credentials)?)?$`)

func serverDefault(n string) bool {
	for _, c := range candidates(n) {
		if serverDefaultRE.MatchString(c) {
			return true
		}
	}
	return false
}

// aboutRE spots titles and headings of pages that discuss authentication
// errors rather than show one: "How to fix 401 Unauthorized errors",
// "401 Unauthorized - HTTP | MDN", "What is a 401 error?".
var aboutRE = regexp.MustCompile(`(?i)(?:^|[^\pL\pN])(?:how to|how do|what is|what are|what does|what it means|why|fix|fixing|fixed|troubleshoot\pL*|guide|tutorial|explained|explanation|meaning|means|status codes?|mdn|rfc|wikipedia|stack overflow|was ist|wie|qu'est-ce|cómo|qué es|o que é|como corrigir|что такое|как)(?:$|[^\pL\pN])|\?|如何|什么是|什麼是|とは|解决|解決|方法`)

func isAboutAuth(s string) bool {
	return s != "" && aboutRE.MatchString(norm(s))
}

var genericTitles = map[string]bool{
	"": true, "error": true, "server error": true, "error page": true, "oops": true, "sorry": true,
	"something went wrong": true, "fehler": true, "erreur": true, "ошибка": true, "错误": true,
	"錯誤": true, "エラー": true, "errore": true, "fout": true, "błąd": true, "오류": true, "hata": true,
}

func genericTitle(s string) bool {
	return genericTitles[trimPunct(norm(s))]
}

func allGeneric(hs []string) bool {
	for _, h := range hs {
		if !genericTitle(h) {
			return false
		}
	}
	return true
}

// deniedInText finds the longest denial or login-required wording anywhere
// in the body text. It is only
// used to colour the reason for a page whose status already decided the
// kind, so a stray match costs nothing.
func deniedInText(text string) string {
	if text == "" {
		return ""
	}
	n := norm(text)
	best, at := "", -1
	for _, c := range []category{catDenied, catLoginRequired} {
		for _, ph := range phraseIndex[c] {
			if len(ph.text) <= len(best) || utf8.RuneCountInString(ph.text) < 8 {
				continue
			}
			if i := strings.Index(n, ph.text); i >= 0 && boundaryAt(n, i, i+len(ph.text)) {
				best, at = ph.text, i
			}
		}
	}
	if at < 0 {
		return ""
	}
	// Quote on to the end of the sentence, so that "you are not authorized
	// to" reads as what the page says.
	rest := n[at:]
	if end := strings.IndexAny(rest, ".!?。！？"); end >= len(best) {
		rest = rest[:end]
	}
	return truncate(rest, 100)
}

// clean collapses whitespace the way a person reads the text.
func clean(s string) string {
	return strings.Join(strings.FieldsFunc(s, isSpace), " ")
}

func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff'
}

// norm folds the differences that do not change what a phrase says: case,
// whitespace, fullwidth forms, dash and quote styles, and Russian ё.
func norm(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case isSpace(r) || r == '\u3000':
			space = true
			continue
		case r >= 0xFF01 && r <= 0xFF5E: // fullwidth ASCII
			r -= 0xFEE0
		case r == 'İ':
			r = 'i'
		case strings.ContainsRune("‐‑‒–—―−", r):
			r = '-'
		case strings.ContainsRune("’‘ʼ′`´", r):
			r = '\''
		case strings.ContainsRune("“”«»„‟″", r):
			r = '"'
		}
		r = unicode.ToLower(r)
		if r == 'ё' {
			r = 'е'
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// segmentRE splits a title or heading into the parts sites glue together:
// "Access denied | Contoso", "Sign in - Google Accounts", "401 - Unauthorized:
// Access is denied ...", "【ログイン】サイト名". A spaced quote is there
// because norm turns "»" into one ("Access denied » Contoso").
var segmentRE = regexp.MustCompile(`\s*\|\s*|\s+(?:[-•·‹›"~/\\・]+|::)\s+|:\s+|[【】「」『』\[\]]`)

// candidates returns the whole normalised string and each of its parts,
// with surrounding punctuation removed.
func candidates(n string) []string {
	out := []string{trimPunct(n)}
	parts := segmentRE.Split(n, -1)
	if len(parts) > 1 {
		for _, p := range parts {
			if p = trimPunct(p); p != "" && p != out[0] {
				out = append(out, p)
			}
		}
	}
	return out
}

func trimPunct(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(`.!?,;:"'()*。！？、，…-`, r)
	})
}

// findPhrase returns the first phrase of category c that one of n's
// candidates consists of. A phrase must be the whole candidate, optionally
// followed by the end of a sentence ("Access denied. You do not ..."); a
// phrase written with a trailing "…" only has to start it ("You are not
// authorized to view this report"). Sign-in phrases are looser (see
// signInMatch) because they only count after a redirect.
func findPhrase(n string, c category) *phrase {
	cands := candidates(n)
	for _, ph := range phraseIndex[c] {
		for _, cand := range cands {
			if c == catSignIn {
				if signInMatch(cand, ph.text) {
					return ph
				}
				continue
			}
			if matchPhrase(cand, ph) {
				return ph
			}
		}
	}
	return nil
}

// findPhraseExact is findPhrase for text that must be nothing but the
// phrase.
func findPhraseExact(n string, c category) *phrase {
	t := trimPunct(n)
	for _, ph := range phraseIndex[c] {
		if !ph.prefix && t == ph.text {
			return ph
		}
	}
	return nil
}

func matchPhrase(cand string, ph *phrase) bool {
	if !strings.HasPrefix(cand, ph.text) {
		return false
	}
	rest := cand[len(ph.text):]
	if ph.prefix {
		return boundaryAt(cand, 0, len(ph.text))
	}
	if rest == "" {
		return true
	}
	for _, end := range []string{". ", "! ", "; ", ", ", " (", "。", "！", "，", "；"} {
		if strings.HasPrefix(rest, end) {
			return true
		}
	}
	return false
}

// signInMatch accepts a sign-in phrase at the start or the end of a part
// ("Sign in to GitHub", "Okta Sign In", "Bei Ihrem Konto anmelden") or, in
// scripts written without spaces, anywhere in it ("用户登录").
func signInMatch(cand, p string) bool {
	for i := 0; ; {
		j := strings.Index(cand[i:], p)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(p)
		if boundaryAt(cand, j, end) {
			if j == 0 || end == len(cand) || isCJK(firstRune(p)) {
				return true
			}
		}
		i = j + 1
		if i >= len(cand) {
			return false
		}
	}
}

// boundaryAt reports whether s[i:j] stands as whole words: it is not glued
// to letters or digits on either side, except in scripts that do not put
// spaces between words.
func boundaryAt(s string, i, j int) bool {
	if i > 0 {
		r, _ := utf8.DecodeLastRuneInString(s[:i])
		f := firstRune(s[i:])
		if isWordRune(r) && isWordRune(f) && !isCJK(r) && !isCJK(f) {
			return false
		}
	}
	if j < len(s) {
		r, _ := utf8.DecodeRuneInString(s[j:])
		l, _ := utf8.DecodeLastRuneInString(s[:j])
		if isWordRune(r) && isWordRune(l) && !isCJK(r) && !isCJK(l) {
			return false
		}
	}
	return true
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}
