package judge

import (
	"strings"
	"testing"
)

// nav is the kind of header an ordinary site has on every page, signed in
// or not. It must never make a page look like a login wall by itself.
const nav = `<nav><a href="/">Northwind</a> <a href="/reports">Reports</a> <a href="/login">Sign in</a> <button>Log in</button></nav>`

func htmlPage(title, body string) string {
	return "<!DOCTYPE html><html><head><meta charset=utf-8><title>" + title + "</title></head><body>" + body + "</body></html>"
}

// multilingual holds real-world wordings of denial and login-required pages:
// what sites, products and frameworks actually put in their title or main
// heading. Each is tried both as the title (with a site name glued on, as
// sites do) and as the h1 under a neutral title.
var multilingual = []struct {
	lang, text string
}{
	{"English", "Access Denied"},
	{"English", "You are not authorized to view this page"},
	{"English", "401 Unauthorized"},
	{"English", "Login Required"},
	{"English", "Your session has expired"},
	{"English", "You don’t have permission to access this resource."},
	{"Russian", "Доступ запрещён"},
	{"Russian", "У вас нет прав для просмотра этой страницы"},
	{"Russian", "Требуется авторизация"},
	{"Russian", "ДОСТУП ЗАПРЕЩЕН"},
	{"German", "Zugriff verweigert"},
	{"German", "Sie sind nicht berechtigt, diese Seite anzuzeigen"},
	{"German", "Anmeldung erforderlich"},
	{"German", "Keine Berechtigung"},
	{"French", "Accès refusé"},
	{"French", "Vous n’êtes pas autorisé à accéder à cette page"},
	{"French", "Connexion requise"},
	{"Spanish", "Acceso denegado"},
	{"Spanish", "No tienes permiso para acceder a esta página"},
	{"Spanish", "Debe iniciar sesión"},
	{"Portuguese", "Acesso negado"},
	{"Portuguese", "Você não tem permissão para acessar esta página"},
	{"Portuguese", "Faça login para continuar"},
	{"Chinese", "访问被拒绝"},
	{"Chinese", "您没有权限访问此页面"},
	{"Chinese", "请先登录"},
	{"Chinese", "禁止访问"},
	{"Chinese (Traditional)", "拒絕存取"},
	{"Chinese (Traditional)", "您沒有權限存取此頁面"},
	{"Chinese (Traditional)", "請先登入"},
	{"Japanese", "アクセスが拒否されました"},
	{"Japanese", "このページを表示する権限がありません"},
	{"Japanese", "ログインが必要です"},
	{"Japanese", "セッションの有効期限が切れました"},
	{"Italian", "Accesso negato"},
	{"Italian", "Non hai i permessi per visualizzare questa pagina"},
	{"Dutch", "Toegang geweigerd"},
	{"Dutch", "U heeft geen toegang tot deze pagina"},
	{"Polish", "Odmowa dostępu"},
	{"Polish", "Nie masz uprawnień do wyświetlenia tej strony"},
	{"Korean", "접근이 거부되었습니다"},
	{"Korean", "로그인이 필요합니다"},
	{"Turkish", "Erişim Reddedildi"},
	{"Turkish", "Bu sayfayı görüntüleme yetkiniz yok"},
	{"Turkish", "ERİŞİM REDDEDİLDİ"},
}

func TestMultilingualSoft401(t *testing.T) {
	perLang := map[string]int{}
	for _, tc := range multilingual {
		perLang[tc.lang]++
		body := nav + "<main><p>If you think this is a mistake, contact the help desk.</p></main>"
		asTitle := FromHTML(htmlPage(tc.text+" | Northwind", body))
		asH1 := FromHTML(htmlPage("Northwind intranet", nav+"<main><h1>"+tc.text+"</h1><p>Contact the help desk.</p></main>"))
		for _, c := range []struct {
			where string
			p     Page
		}{{"title", asTitle}, {"heading", asH1}} {
			c.p.Status = 200
			c.p.URL = "https://intranet.example/reports/q3"
			c.p.FinalURL = c.p.URL
			v := Judge(c.p)
			if v.Kind != Soft401 {
				t.Errorf("%s %q as %s: got %s (%s), want soft_401", tc.lang, tc.text, c.where, v.Kind, v.Reason)
				continue
			}
			if !strings.Contains(v.Reason, "its "+c.where+" says") {
				t.Errorf("%s %q as %s: reason %q does not say where", tc.lang, tc.text, c.where, v.Reason)
			}
			if tc.lang != "English" && !strings.Contains(v.Reason, "("+tc.lang+": ") {
				t.Errorf("%s %q as %s: reason %q has no translation", tc.lang, tc.text, c.where, v.Reason)
			}
			if !strings.Contains(v.Evidence, strings.TrimSpace(tc.text)) {
				t.Errorf("%s %q as %s: evidence %q", tc.lang, tc.text, c.where, v.Evidence)
			}
		}
	}
	for _, l := range languages {
		if perLang[l.name] < 2 {
			t.Errorf("%s has %d real-world phrasings in the table, want at least 2", l.name, perLang[l.name])
		}
	}
}

// The "redirected to a login page" case: the user asked for one page and
// the browser ended up on a sign-in form.
func TestRedirectedToSignIn(t *testing.T) {
	cases := []struct {
		title, h1 string
		final     string
		password  bool
	}{
		{"Sign in to your account", "", "https://login.microsoftonline.com/common/oauth2/authorize?client_id=x", false},
		{"Sign in - Google Accounts", "", "https://accounts.google.com/v3/signin/identifier?continue=x", false},
		{"Sign in to GitHub · GitHub", "Sign in to GitHub", "https://github.com/login?return_to=%2Fcorp%2Frepo", true},
		{"Northwind", "Log in", "https://intranet.example/account/login?ReturnUrl=%2Freports", true},
		{"Anmelden", "", "https://intranet.example/auth", true},
		{"Connexion | Northwind", "", "https://intranet.example/connexion", true},
		{"Iniciar sesión", "", "https://intranet.example/session/new", true},
		{"Entrar", "", "https://intranet.example/entrar", true},
		{"Войти", "Вход в систему", "https://intranet.example/user/login", true},
		{"用户登录 - 统一身份认证平台", "", "https://sso.example.cn/cas/login?service=x", true},
		{"ログイン｜Northwind", "", "https://intranet.example/login", true},
		{"Sign in ・ Cloudflare Access", "", "https://team.cloudflareaccess.com/cdn-cgi/access/login/app.example", false},
		{"Keycloak", "Sign in to your account", "https://id.example/realms/corp/protocol/openid-connect/auth?x", true},
		{"Log In ‹ Northwind — WordPress", "", "https://blog.example/wp-login.php?redirect_to=x", true},
		{"Sign in [Jenkins]", "", "https://ci.example/login?from=%2Fjob%2Fnightly", true},
		{"Northwind", "Northwind</h1><h2>Sign in", "https://intranet.example/account/signin?ReturnUrl=%2F", true}, // logo h1, then the form's h2
		{"Anmelden » Northwind", "", "https://intranet.example/anmelden", true},
	}
	for _, c := range cases {
		body := "<main>"
		if c.h1 != "" {
			body += "<h1>" + c.h1 + "</h1>"
		}
		body += `<form><input name=user>`
		if c.password {
			body += `<input type=password name=pw>`
		}
		body += `<button>Next</button></form></main>`
		p := FromHTML(htmlPage(c.title, body))
		p.Status = 200
		p.URL = "https://intranet.example/reports/q3"
		p.FinalURL = c.final
		p.Redirected = true
		v := Judge(p)
		if v.Kind != Soft401 || !strings.Contains(v.Reason, "redirected to a sign-in page") {
			t.Errorf("%q -> %s: got %s (%s), want soft_401 for a redirect to sign-in", c.title, c.final, v.Kind, v.Reason)
		}
		// The same page opened directly is just a login page.
		p.URL, p.Redirected = c.final, false
		if v := Judge(p); v.Kind != None {
			t.Errorf("%q opened directly: got %s (%s), want none", c.title, v.Kind, v.Reason)
		}
	}
}

// falseAlarms are ordinary pages that mention signing in, authorization or
// 401s without being a denial. Every one must be judged healthy.
var falseAlarms = []struct {
	name       string
	page       string
	url, final string // final defaults to url
	redirected bool
}{
	{name: "nav with Sign in link and Log in button", page: htmlPage("Northwind intranet",
		nav+`<main><h1>Welcome to the Northwind intranet</h1><div><h2>Latest news</h2><ul><li>The canteen now opens at 11:30.</li></ul></div></main>`)},
	{name: "blog article about 401 errors", page: htmlPage("How to fix 401 Unauthorized errors",
		nav+`<article><h1>How to fix 401 Unauthorized errors</h1><h2>401 Unauthorized</h2><p>A 401 Unauthorized response means the server did not accept your credentials. You may see "Access denied" or "Login required".</p><h2>Access denied vs. forbidden</h2><p>A 403 is different.</p></article>`)},
	{name: "article whose title is a question", page: htmlPage("What does 401 Unauthorized mean? | DevBlog",
		`<h1>401 Unauthorized</h1><p>The server needs credentials. Here is what to do when you see Access Denied.</p>`)},
	{name: "MDN-style reference page", page: htmlPage("401 Unauthorized - HTTP | MDN",
		`<h1>401 Unauthorized</h1><p>`+strings.Repeat("The HTTP 401 Unauthorized client error response status code indicates that a request was not successful because it lacks valid authentication credentials for the requested resource. ", 30)+`</p>`)},
	{name: "long article with a 401 heading", page: htmlPage("Northwind engineering",
		`<h1>Errors</h1><h2>401 Unauthorized</h2><p>`+strings.Repeat("When the gateway answers 401 the client refreshes its token and retries once. ", 60)+`</p>`)},
	{name: "docs page titled Authentication", page: htmlPage("Authentication - Northwind API docs",
		nav+`<h1>Authentication</h1><p>Send a bearer token. Requests without one get 401 Unauthorized; requests with an expired one get "access denied".</p>`)},
	{name: "pricing page", page: htmlPage("Pricing | Northwind",
		nav+`<h1>Simple pricing</h1><h2>Team</h2><p>$10 per user. Single sign-on included. Sign in to upgrade.</p>`)},
	{name: "login page opened directly", page: htmlPage("Sign in | Northwind",
		`<main><h1>Please sign in</h1><form><input name=u><input type=password name=p><button>Log in</button></form></main>`),
		url: "https://intranet.example/login"},
	{name: "login page opened directly says please log in to continue", page: htmlPage("Northwind",
		`<main><h1>Please log in to continue</h1><form><input name=u><input type=password name=p></form></main>`),
		url: "https://intranet.example/"},
	{name: "login page reached over http to https redirect", page: htmlPage("Sign in",
		`<form><input name=u><input type=password name=p></form>`),
		url: "http://intranet.example/login", final: "https://intranet.example/login/", redirected: true},
	{name: "SSO-only login page opened directly", page: htmlPage("Login | Northwind",
		`<h1>Log in</h1><a href="/sso">Continue with Microsoft</a>`), url: "https://intranet.example/login"},
	{name: "access denied deep in paragraph text", page: htmlPage("Release notes 4.2",
		`<h1>Release notes 4.2</h1><p>Fixed a bug where users saw Access denied when opening shared folders. You are not authorized to view other teams' drafts unless they share them.</p>`)},
	{name: "Unauthorized use prohibited footer", page: htmlPage("Northwind timesheets",
		`<h1>Timesheets</h1><table><tr><td>Mon</td><td>8h</td></tr></table><footer>Unauthorized use prohibited. Access denied to unauthorized persons.</footer>`)},
	{name: "login banner heading", page: htmlPage("Northwind VPN status",
		`<h1>Unauthorized access to this system is prohibited</h1><p>All systems operational.</p>`)},
	{name: "settings page with a password field", page: htmlPage("Account settings | Northwind",
		nav+`<h1>Account settings</h1><form><label>New password <input type=password></label></form>`)},
	{name: "redirect to a dashboard with a password field", page: htmlPage("Dashboard",
		`<h1>Dashboard</h1><dialog><input type=password></dialog>`),
		url: "https://intranet.example/", final: "https://intranet.example/home", redirected: true},
	{name: "home page reached by redirect with a sidebar login box", page: htmlPage("Northwind",
		`<h1>Northwind</h1><aside><h2>Login</h2><form><input name=u><input type=password name=p></form></aside><main><h2>Latest news</h2></main>`),
		url: "https://intranet.example/", final: "https://intranet.example/home", redirected: true},
	{name: "redirect to a sign-up page", page: htmlPage("Sign up | Northwind",
		`<h1>Create your account</h1><input type=email><input type=password>`),
		url: "https://intranet.example/", final: "https://intranet.example/signup", redirected: true},
	{name: "access control admin page", page: htmlPage("Access Control | Admin",
		`<h1>Access control</h1><p>Grant or revoke permissions. Denied requests are logged.</p>`)},
	{name: "Japanese page with a login link", page: htmlPage("ノースウィンド社内ポータル",
		`<nav><a href="/login">ログイン</a></nav><h1>お知らせ</h1><p>未ログインの方は閲覧できないページがあります。</p>`)},
	{name: "Chinese news mentioning unauthorized", page: htmlPage("公司新闻",
		`<nav><a href="/login">登录</a></nav><h1>安全提醒</h1><p>请勿向未授权人员透露密码。拒绝访问可疑链接。</p>`)},
	{name: "German page with Anmelden in nav", page: htmlPage("Startseite | Northwind",
		`<nav><a href="/login">Anmelden</a></nav><h1>Willkommen</h1><p>Bitte melden Sie sich an, um Berichte zu sehen.</p>`)},
	{name: "heading about permissions help", page: htmlPage("Help center",
		`<h1>Why am I seeing Access denied?</h1><p>Ask your administrator.</p>`)},
}

func TestNoFalseAlarms(t *testing.T) {
	if len(falseAlarms) < 12 {
		t.Fatalf("only %d false-alarm pages", len(falseAlarms))
	}
	for _, fa := range falseAlarms {
		p := FromHTML(fa.page)
		p.Status = 200
		p.URL = fa.url
		if p.URL == "" {
			p.URL = "https://intranet.example/page"
		}
		p.FinalURL = fa.final
		if p.FinalURL == "" {
			p.FinalURL = p.URL
		}
		p.Redirected = fa.redirected
		v := Judge(p)
		if v.Kind != None || !v.OK {
			t.Errorf("%s: got %s (%s), evidence %q; want none", fa.name, v.Kind, v.Reason, v.Evidence)
		}
	}
}

func TestSoftDetails(t *testing.T) {
	cases := []struct {
		name string
		p    Page
		want Kind
	}{
		{"h2 after a generic IIS banner", Page{Status: 200, Title: "Northwind", Headings: []string{"Server Error", "401 - Unauthorized: Access is denied due to invalid credentials."}}, Soft401},
		{"h2 after a long first heading is not main", Page{Status: 200, Title: "Northwind", Headings: []string{"Quarterly results for the northern region", "Unauthorized"}}, None},
		{"phrase then sentence", Page{Status: 200, Headings: []string{"Access denied. Please contact your administrator."}}, Soft401},
		{"phrase glued to more words", Page{Status: 200, Headings: []string{"Access denied requests per day"}}, None},
		{"login wall without a form", Page{Status: 200, Title: "Please sign in to view this report"}, Soft401},
		{"bare sign-in title without redirect", Page{Status: 200, Title: "Sign in"}, None},
		{"bare text word under a real title", Page{Status: 200, Title: "Northwind", Text: "Unauthorized"}, None},
		{"bare text with no title", Page{Status: 200, Text: "Access denied"}, Soft401},
		{"JSON-ish body is not judged", Page{Status: 200, Text: `{"error":"unauthorized"}`}, None},
		{"redirect without URL details trusts Redirected", Page{Status: 200, Redirected: true, HasPasswordField: true, Title: "Log in"}, Soft401},
		{"text too long for a denial page", Page{Status: 200, Title: "Access denied", Text: strings.Repeat("word ", 2000)}, None},
		{"fullwidth and spaces normalised", Page{Status: 200, Title: "  ＡＣＣＥＳＳ\u00a0 DENIED  "}, Soft401},
		{"status 0 with a soft title", Page{Title: "Access denied"}, Soft401},
		{"3xx document with a soft title", Page{Status: 302, Title: "Login required"}, Soft401},
	}
	for _, c := range cases {
		v := Judge(c.p)
		if v.Kind != c.want {
			t.Errorf("%s: got %s (%s), want %s", c.name, v.Kind, v.Reason, c.want)
		}
	}
}

func TestPhraseTables(t *testing.T) {
	required := []string{"English", "Russian", "German", "French", "Spanish", "Portuguese", "Chinese", "Chinese (Traditional)", "Japanese"}
	have := map[string]bool{}
	for _, l := range languages {
		have[l.name] = true
		n := len(l.denied) + len(l.loginRequired) + len(l.signIn)
		t.Logf("%-22s %3d phrases (%d denied, %d login required, %d sign-in)", l.name, n, len(l.denied), len(l.loginRequired), len(l.signIn))
		if len(l.denied) < 2 || len(l.loginRequired) < 2 || len(l.signIn) < 2 {
			t.Errorf("%s: too few phrases in some category", l.name)
		}
	}
	for _, r := range required {
		if !have[r] {
			t.Errorf("required language %s has no phrases", r)
		}
	}
	for c, list := range phraseIndex {
		for _, p := range list {
			if p.text == "" || p.text != norm(p.text) || p.text != trimPunct(p.text) && !p.prefix {
				t.Errorf("phrase %q (%s) is not written normalised", p.text, p.lang)
			}
			if p.lang != "English" && p.gloss == "" {
				t.Errorf("phrase %q (%s) has no English gloss", p.text, p.lang)
			}
			if p.cat != category(c) {
				t.Errorf("phrase %q indexed under the wrong category", p.text)
			}
		}
	}
}
