package browser

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Link is an anchor on the open page.
type Link struct {
	Text string `json:"text"`
	Href string `json:"href"`
}

// Links returns the anchors of the open page (absolute hrefs), at most 500.
func (s *Session) Links(ctx context.Context) ([]Link, error) {
	return pageCall(s, ctx, "reading the page's links", chromedp.Evaluate[[]Link](`[...document.querySelectorAll('a[href]')].slice(0, 500)
	  .map(a => ({text: (a.innerText || a.textContent || a.title || '').trim().slice(0, 200), href: a.href}))`))
}

// LoginForm says how to fill a login form; empty selectors are found
// automatically: the form that has a password field, its first text-like
// field before the password, and its submit control.
type LoginForm struct {
	User, Password                  string
	UserSel, PasswordSel, SubmitSel string
	// Identifier allows a page without a password field: the first page
	// of an "identifier first" sign-in, where the user name alone is
	// filled and sent.
	Identifier bool
}

// ErrNoLoginForm means the page has no form with a password field.
var ErrNoLoginForm = errors.New("no login form (no password field) on the page")

// fillScript finds and fills the form in one evaluation, so that nothing of
// the password passes through a log: it is an argument, never source text.
const fillScript = `function(user, pass, userSel, passSel, submitSel, identifier) {
  const pw = passSel ? document.querySelector(passSel) : document.querySelector('input[type=password]');
  const set = (el, v) => {
    el.focus();
    const proto = Object.getPrototypeOf(el);
    const desc = Object.getOwnPropertyDescriptor(proto, 'value');
    desc && desc.set ? desc.set.call(el, v) : (el.value = v);
    el.dispatchEvent(new Event('input', {bubbles: true}));
    el.dispatchEvent(new Event('change', {bubbles: true}));
  };
  const submit = (form) => {
    const btn = submitSel ? document.querySelector(submitSel)
      : form.querySelector('button[type=submit], input[type=submit], button:not([type])');
    if (btn) { btn.click(); return 'clicked'; }
    if (form.requestSubmit) { form.requestSubmit(); return 'submitted'; }
    form.submit(); return 'submitted';
  };
  if (!pw && identifier && user) {
    const visible = i => ['text', 'email', 'tel', ''].includes((i.getAttribute('type') || '').toLowerCase()) && !i.hidden && i.offsetParent !== null;
    const u = userSel ? document.querySelector(userSel)
      : [...document.querySelectorAll('form input')].find(visible);
    if (!u || !(u.form)) return 'nopassword';
    set(u, user);
    submit(u.form);
    return 'identifier';
  }
  if (!pw) return 'nopassword';
  const form = pw.form || pw.closest('form') || document;
  let u = userSel ? document.querySelector(userSel) : null;
  if (!u) {
    const fields = [...form.querySelectorAll('input')].filter(i =>
      ['text', 'email', 'tel', ''].includes((i.getAttribute('type') || '').toLowerCase()) && !i.hidden);
    const before = fields.filter(i => i.compareDocumentPosition(pw) & Node.DOCUMENT_POSITION_FOLLOWING);
    u = before[before.length - 1] || fields[0] || null;
  }
  // A read-only user name (an identifier-first password page shows the
  // one entered before) is left as it is.
  if (u && user && !u.readOnly) set(u, user);
  set(pw, pass);
  return submit(form);
}`

// SubmitLogin fills the login form on the open page and submits it, then
// waits for the navigation it causes to load.
// ErrBadSelector is a --user-selector, --password-selector or
// --submit-selector that is not valid CSS.
var ErrBadSelector = errors.New("a selector given (--user-selector, --password-selector or --submit-selector) is not valid CSS")

func (s *Session) SubmitLogin(ctx context.Context, f LoginForm, o LoadOptions) (*Load, error) {
	var how string
	l, err := s.load(ctx, "", o, func(tctx context.Context) (string, error) {
		// CallFunctionOn needs an object to call on: the document will do.
		doc, err := onPage(s, tctx, chromedp.Evaluate[*runtime.RemoteObject](`document`))
		if err != nil {
			return "", fmt.Errorf("reading the login page: %w", err)
		}
		res, err := onPage(s, tctx, chromedp.CallFunctionOn[string](fillScript,
			func(p *runtime.CallFunctionOnParams) { p.ObjectID = doc.ObjectID },
			f.User, f.Password, f.UserSel, f.PasswordSel, f.SubmitSel, f.Identifier))
		how = res
		if err != nil && strings.Contains(err.Error(), "SyntaxError") {
			// The page's querySelector refused a selector the person gave.
			return "", ErrBadSelector
		}
		if err != nil {
			return "", fmt.Errorf("filling the login form: %w", err)
		}
		if res == "nopassword" {
			return "", ErrNoLoginForm
		}
		return "", nil
	})
	if errors.Is(err, ErrNoLoginForm) || how == "nopassword" {
		return nil, ErrNoLoginForm
	}
	if errors.Is(err, ErrBadSelector) {
		return nil, ErrBadSelector
	}
	return l, err
}
