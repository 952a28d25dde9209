package steps

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/fix401/fix401/internal/judge"
	"github.com/fix401/fix401/internal/redact"
	"github.com/fix401/fix401/internal/urlfix"
)

// URLCheck is "check the URL": a stray character pasted from an email, a
// doubled slash or http instead of https is the cheapest 401 to fix.
type URLCheck struct{}

func (URLCheck) ID() string    { return "url-check" }
func (URLCheck) Title() string { return "Check the URL" }
func (URLCheck) Help() string {
	return "tries corrected URLs (stray whitespace or punctuation, %20, double slashes, backslashes, doubled scheme, http→https, path case, www); walks up the parents to find where the protected area starts and the login link"
}

// FixedOnUserSide: the fix is the user's to make, not the site owner's.
func (URLCheck) FixedOnUserSide() bool { return true }

// FixedPhrase names the step as the object of "fixed by".
func (URLCheck) FixedPhrase() string { return "using the corrected URL" }

// ByHand is what a person does in each browser to repeat the step.
func (URLCheck) ByHand() map[string][]string {
	return map[string][]string{
		"Chrome": {
			"Open the corrected URL shown in this report, pasted exactly into the address bar",
			"Fix bookmarks that point to the old address (Ctrl+Shift+O, Cmd+Option+B on Mac)",
			"Remove the wrong address from the suggestions: highlight it in the address bar and press Shift+Delete (Shift+Fn+Delete on Mac)",
		},
		"Edge": {
			"Open the corrected URL shown in this report, pasted exactly into the address bar",
			"Fix favorites that point to the old address (Ctrl+Shift+O)",
			"Remove the wrong address from the suggestions: highlight it in the address bar and press Shift+Delete",
		},
		"Firefox": {
			"Open the corrected URL shown in this report, pasted exactly into the address bar",
			"Fix bookmarks that point to the old address (Ctrl+Shift+O, Cmd+Shift+O on Mac)",
			"Remove the wrong address from the suggestions: highlight it in the address bar and press Shift+Delete (Shift+Fn+Delete on Mac)",
		},
		"Safari": {
			"Open the corrected URL shown in this report, pasted exactly into the address bar",
			"Fix bookmarks that point to the old address (Bookmarks > Edit Bookmarks, Option+Cmd+B)",
			"Remove the wrong address from History > Show All History so it stops being suggested",
		},
	}
}

// maxParents bounds the walk up: past a few levels it says nothing new.
const maxParents = 5

func (URLCheck) Run(ctx context.Context, env Env) (Outcome, error) {
	target := env.Target()
	cands := urlfix.Candidates(target)
	var tried []Candidate
	for _, c := range cands {
		obs, err := env.Load(ctx, c.URL)
		if err != nil {
			return Outcome{}, err
		}
		tried = append(tried, Candidate{URL: redact.URL(c.URL), Why: c.Why, Kind: string(obs.Verdict.Kind), Status: obs.Load.Status})
		if obs.OK() {
			return Outcome{
				Action:       fmt.Sprintf("Corrected the URL (%s): %s loads.", c.Why, c.URL),
				Judged:       obs,
				CorrectedURL: c.URL,
				Evidence:     URLCheckEvidence{Candidates: tried, CorrectedURL: redact.URL(c.URL)},
			}, nil
		}
	}

	ev := URLCheckEvidence{Candidates: tried}
	// The page itself loads and only its own requests are refused, or a
	// proxy asks whatever the address: no protected area of the site's
	// to look for above it.
	switch kind := env.Baseline().Verdict.Kind; kind {
	case judge.Subresource401, judge.Proxy407:
		what := "the page itself loads; the requests it makes are refused"
		if kind == judge.Proxy407 {
			what = "a proxy asks for credentials whatever the address"
		}
		action := checkedURL(cands)
		return Outcome{Action: action + "; " + what + ".", Summary: "URL is well formed; " + triedCount(len(cands)) + "; " + what,
			NoLoad: true, Info: len(cands) == 0, Evidence: ev}, nil
	}

	// No better URL: find where the protected area starts, and the login
	// link on the nearest page that loads — what a person would look for.
	protectedFrom, nearestOK := target, ""
	for i, p := range urlfix.Parents(target) {
		if i == maxParents {
			break
		}
		obs, err := env.Load(ctx, p)
		if err != nil {
			return Outcome{}, err
		}
		if obs.OK() {
			nearestOK = p
			break
		}
		if !obs.Verdict.Kind.IsAuthFailure() {
			break // a 404 or an error above: the protected area is not there
		}
		protectedFrom = p
	}
	ev.ProtectedFrom = redact.URL(protectedFrom)
	action := checkedURL(cands)
	action += fmt.Sprintf(". The protected area starts at %s", protectedFrom)
	if nearestOK != "" {
		ev.NearestPublic = redact.URL(nearestOK)
		login, contact := pageLinks(ctx, env)
		if login != "" {
			ev.LoginLink = redact.URL(login)
			action += fmt.Sprintf("; %s has a sign-in link: %s", nearestOK, login)
		}
		if contact != "" {
			ev.ContactPage = redact.URL(contact)
		}
	}
	summary := "URL is well formed; " + triedCount(len(cands))
	switch len(cands) {
	case 0:
	case 1:
		summary += ", it does not load"
	default:
		summary += ", none loads"
	}
	summary += "; protected area starts at " + protectedFrom
	if ev.LoginLink != "" {
		summary += "; sign-in link: " + ev.LoginLink
	}
	return Outcome{Action: action + ".", Summary: summary, NoLoad: true, Info: len(cands) == 0, Evidence: ev}, nil
}

// triedCount says how many corrected URLs url-check tried, in words.
func triedCount(n int) string {
	switch n {
	case 0:
		return "no corrected URL to try"
	case 1:
		return "1 corrected URL tried"
	}
	return fmt.Sprintf("%d corrected URLs tried", n)
}

var loginWords = regexp.MustCompile(`(?i)\b(sign[ -]?in|log[ -]?in|logon|log on|anmelden|connexion|se connecter|iniciar sesi[oó]n|entrar|acessar|войти|вход)\b|登录|登入|ログイン|サインイン|로그인`)

var contactWords = regexp.MustCompile(`(?i)\b(contact|kontakt|contacto|contato|contatti|impressum|support|helpdesk|связаться|контакты)\b|お問い合わせ|联系|聯絡`)

// pageLinks returns the first links on the open page whose text or address
// read like a sign-in link and like a contact page: where a person would
// sign in, and whom they would ask.
func pageLinks(ctx context.Context, env Env) (login, contact string) {
	links, err := env.Session().Links(ctx)
	if err != nil {
		return "", ""
	}
	words := strings.NewReplacer("/", " ", "-", " ", "_", " ", ".", " ")
	for _, l := range links {
		if login == "" && (loginWords.MatchString(l.Text) || loginWords.MatchString(words.Replace(l.Href))) {
			login = l.Href
		}
		if contact == "" && !strings.HasPrefix(l.Href, "mailto:") && (contactWords.MatchString(l.Text) || contactWords.MatchString(words.Replace(l.Href))) {
			contact = l.Href
		}
	}
	return login, contact
}

// URLCheckEvidence is what url-check records. URLs are redacted.
type URLCheckEvidence struct {
	Candidates    []Candidate `json:"candidates"`               // corrected URLs tried, in order
	CorrectedURL  string      `json:"corrected_url,omitempty"`  // the one that loads
	ProtectedFrom string      `json:"protected_from,omitempty"` // where the protected area starts
	NearestPublic string      `json:"nearest_public,omitempty"` // the nearest parent that loads
	LoginLink     string      `json:"login_link,omitempty"`     // a sign-in link found there
	ContactPage   string      `json:"contact_page,omitempty"`   // a contact page found there
}

// Candidate is one corrected URL url-check tried.
type Candidate struct {
	URL    string `json:"url"`
	Why    string `json:"why"`
	Kind   string `json:"kind"`
	Status int    `json:"status"`
}

// checkedURL begins url-check's sentence when no corrected URL loaded: the
// URL is well formed, and what became of the corrections tried.
func checkedURL(cands []urlfix.Candidate) string {
	action := "Checked the URL: it is well formed"
	switch len(cands) {
	case 0:
	case 1:
		action += fmt.Sprintf(", and the one corrected version (%s) does not load either", cands[0].Why)
	default:
		action += fmt.Sprintf(", and none of %d corrected versions loads", len(cands))
	}
	return action
}
