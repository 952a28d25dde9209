package realserver

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

const (
	samlAppHost = "app.example"
	samlIdPHost = "idp.saml.test"
	samlUser    = "alice"
	samlPass    = "alice-saml-pw-1414"
)

// samlSetup starts the identity provider and the app on a port picked
// first (the provider knows the app from the start).
func samlSetup(t *testing.T) (*CA, *SAMLIdP, *MellonApp) {
	t.Helper()
	ca := NewCA(t, samlAppHost, samlIdPHost)
	appPort := FreePort(t)
	idp := StartSAMLIdP(t, ca, SAMLIdPOptions{
		Host:  samlIdPHost,
		Users: map[string]string{samlUser: samlPass},
		SPs:   []SAMLSP{MellonSP(samlAppHost, appPort)},
	})
	app := StartMellonApp(t, ca, idp, MellonOptions{Host: samlAppHost, Port: appPort})
	return ca, idp, app
}

// samlClient is plain Go's browser stand-in: a cookie jar, both host
// names on 127.0.0.1, the test's CA trusted, redirects taken one by one.
func samlClient(t *testing.T, ca *CA) *http.Client {
	t.Helper()
	pemData, err := os.ReadFile(ca.CACert)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemData)
	d := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			if host != samlAppHost && host != samlIdPHost {
				t.Errorf("the dance reached an unexpected host %s", host)
			}
			return d.DialContext(ctx, network, net.JoinHostPort("127.0.0.1", port))
		},
	}
	t.Cleanup(tr.CloseIdleConnections)
	jar, _ := cookiejar.New(nil)
	return &http.Client{
		Transport: tr, Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

type samlPage struct {
	URL    *url.URL
	Status int
	Body   string
	Hops   []string // every URL requested, redirects included
	// Cookies are the Set-Cookie lines seen on the way, by host.
	Cookies map[string][]string
}

// samlDo sends req and follows redirects (as GETs), up to 10.
func samlDo(t *testing.T, c *http.Client, req *http.Request) samlPage {
	t.Helper()
	p := samlPage{Cookies: map[string][]string{}}
	for i := 0; i < 10; i++ {
		p.Hops = append(p.Hops, req.Method+" "+req.URL.String())
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", req.Method, req.URL, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, sc := range resp.Header.Values("Set-Cookie") {
			p.Cookies[req.URL.Host] = append(p.Cookies[req.URL.Host], sc)
		}
		loc := resp.Header.Get("Location")
		if resp.StatusCode/100 == 3 && loc != "" {
			next, err := req.URL.Parse(loc)
			if err != nil {
				t.Fatalf("bad Location %q: %v", loc, err)
			}
			req, _ = http.NewRequest("GET", next.String(), nil)
			continue
		}
		p.URL, p.Status, p.Body = req.URL, resp.StatusCode, string(body)
		return p
	}
	t.Fatalf("more than 10 redirects:\n%s", strings.Join(p.Hops, "\n"))
	return p
}

func samlGet(t *testing.T, c *http.Client, u string) samlPage {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return samlDo(t, c, req)
}

func samlPost(t *testing.T, c *http.Client, u string, form url.Values) samlPage {
	t.Helper()
	req, err := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return samlDo(t, c, req)
}

// htmlForm is the first form of a page that has an input named field:
// its action (resolved) and its inputs' values.
type htmlForm struct {
	Action string
	Method string
	Values url.Values
}

func findForm(t *testing.T, p samlPage, field string) (htmlForm, bool) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(p.Body))
	if err != nil {
		t.Fatal(err)
	}
	attr := func(n *html.Node, k string) (string, bool) {
		for _, a := range n.Attr {
			if a.Key == k {
				return a.Val, true
			}
		}
		return "", false
	}
	var forms []htmlForm
	var walk func(n *html.Node, f *htmlForm)
	walk = func(n *html.Node, f *htmlForm) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "form":
				action, _ := attr(n, "action")
				u, err := p.URL.Parse(action)
				if err != nil {
					t.Fatalf("bad form action %q", action)
				}
				method, _ := attr(n, "method")
				forms = append(forms, htmlForm{Action: u.String(), Method: strings.ToUpper(method), Values: url.Values{}})
				f = &forms[len(forms)-1]
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c, f)
				}
				// forms is appended to only here, so f stays valid
				// for the children walked above.
				return
			case "input":
				if f != nil {
					if name, ok := attr(n, "name"); ok {
						v, _ := attr(n, "value")
						f.Values.Set(name, v)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, f)
		}
	}
	walk(doc, nil)
	for _, f := range forms {
		if _, ok := f.Values[field]; ok {
			return f, true
		}
	}
	return htmlForm{}, false
}

// samlLoginForm goes to the app's protected page and on to the identity
// provider's login form.
func samlLoginForm(t *testing.T, c *http.Client, idp *SAMLIdP, app *MellonApp) (samlPage, htmlForm) {
	t.Helper()
	p := samlGet(t, c, app.URL("/protected/"))
	sawRequest := false
	for _, h := range p.Hops {
		u, _ := url.Parse(strings.TrimPrefix(h, "GET "))
		if u != nil && u.Hostname() == samlIdPHost && u.Query().Get("SAMLRequest") != "" {
			sawRequest = true
		}
	}
	if !sawRequest {
		t.Fatalf("no redirect to the identity provider with a SAMLRequest:\n%s", strings.Join(p.Hops, "\n"))
	}
	if p.Status != 200 || p.URL.Hostname() != samlIdPHost {
		t.Fatalf("the login form: %d at %s\n%s", p.Status, p.URL, p.Body)
	}
	form, ok := findForm(t, p, "password")
	if !ok {
		t.Fatalf("no login form at %s:\n%s", p.URL, p.Body)
	}
	if form.Values.Get("AuthState") == "" {
		t.Fatalf("the login form has no AuthState: %v", form.Values)
	}
	if !strings.HasPrefix(form.Action, idp.BaseURL) {
		t.Fatalf("the login form posts to %s, not the identity provider", form.Action)
	}
	var hops []string
	for _, h := range p.Hops {
		method, rest, _ := strings.Cut(h, " ")
		if u, err := url.Parse(rest); err == nil {
			h = method + " " + u.Host + u.Path
		}
		hops = append(hops, h)
	}
	t.Logf("login form after %s", strings.Join(hops, " → "))
	return p, form
}

func TestSAMLMellonSimpleSAMLphp(t *testing.T) {
	began := time.Now()
	ca, idp, app := samlSetup(t)
	t.Logf("servers up in %v", time.Since(began).Round(time.Millisecond))
	c := samlClient(t, ca)

	login, form := samlLoginForm(t, c, idp, app)
	form.Values.Set("username", samlUser)
	form.Values.Set("password", samlPass)
	p := samlPost(t, c, form.Action, form.Values)
	post, ok := findForm(t, p, "SAMLResponse")
	if !ok {
		t.Fatalf("no SAMLResponse form after signing in (%d at %s):\n%s", p.Status, p.URL, p.Body)
	}
	if post.Action != app.ACSURL {
		t.Fatalf("the SAMLResponse goes to %s, want mellon's %s", post.Action, app.ACSURL)
	}
	if !strings.Contains(p.Body, ".submit()") && !strings.Contains(p.Body, "post.js") {
		t.Logf("the response form may not submit itself:\n%s", p.Body)
	}
	p = samlPost(t, c, post.Action, post.Values)
	if p.Status != 200 || !strings.Contains(p.Body, "<title>Team dashboard</title>") {
		t.Fatalf("after the SAMLResponse: %d at %s after %v\n%s", p.Status, p.URL, p.Hops, p.Body)
	}
	if p.URL.String() != app.URL("/protected/") {
		t.Errorf("landed at %s, want %s", p.URL, app.URL("/protected/"))
	}
	// Signed in now: the page again, with no trip to the provider.
	again := samlGet(t, c, app.URL("/protected/"))
	if again.Status != 200 || len(again.Hops) != 1 {
		t.Errorf("the protected page again: %d after %v", again.Status, again.Hops)
	}
	// Mellon set the user from the assertion's uid.
	acc, _ := os.ReadFile(filepath.Join(app.Dir, "access.log"))
	if !strings.Contains(string(acc), `alice "GET /protected/ `) {
		t.Errorf("the app's access log has no request by alice:\n%s", acc)
	}
	for host, cs := range login.Cookies {
		t.Logf("Set-Cookie on the way to the login form, %s: %q", host, cs)
	}
	for host, cs := range p.Cookies {
		t.Logf("Set-Cookie after the SAMLResponse, %s: %q", host, cs)
	}
	t.Logf("the whole dance took %v", time.Since(began).Round(time.Millisecond))
}

func TestSAMLWrongPassword(t *testing.T) {
	ca, idp, app := samlSetup(t)
	c := samlClient(t, ca)
	_, form := samlLoginForm(t, c, idp, app)
	state := form.Values.Get("AuthState")
	form.Values.Set("username", samlUser)
	form.Values.Set("password", "not-"+samlPass)
	p := samlPost(t, c, form.Action, form.Values)
	if _, ok := findForm(t, p, "SAMLResponse"); ok {
		t.Fatal("a wrong password got a SAMLResponse")
	}
	again, ok := findForm(t, p, "password")
	if !ok || p.URL.Hostname() != samlIdPHost {
		t.Fatalf("a wrong password did not keep the login form (%d at %s):\n%s", p.Status, p.URL, p.Body)
	}
	if again.Values.Get("AuthState") != state {
		t.Errorf("the AuthState changed: %q, was %q", again.Values.Get("AuthState"), state)
	}
	if !strings.Contains(strings.ToLower(p.Body), "incorrect") && !strings.Contains(strings.ToLower(p.Body), "wrong") {
		t.Errorf("the login form says nothing of a wrong password:\n%s", p.Body)
	}
	// Still not signed in at the app.
	resp := samlGet(t, c, app.URL("/protected/"))
	if resp.URL.Hostname() != samlIdPHost {
		t.Errorf("the app let a wrong password in: %d at %s", resp.Status, resp.URL)
	}
}

// An identity provider whose clock is 10 minutes behind issues assertions
// that mellon finds expired: 400 at its postResponse endpoint.
func TestSAMLIdPClockBehind(t *testing.T) {
	ca := NewCA(t, samlAppHost, samlIdPHost)
	idp := StartSAMLIdP(t, ca, SAMLIdPOptions{
		Host:        samlIdPHost,
		Users:       map[string]string{samlUser: samlPass},
		ClockOffset: "-10m",
	})
	// Registered by StartMellonApp itself.
	app := StartMellonApp(t, ca, idp, MellonOptions{Host: samlAppHost})
	c := samlClient(t, ca)
	_, form := samlLoginForm(t, c, idp, app)
	form.Values.Set("username", samlUser)
	form.Values.Set("password", samlPass)
	p := samlPost(t, c, form.Action, form.Values)
	post, ok := findForm(t, p, "SAMLResponse")
	if !ok {
		t.Fatalf("no SAMLResponse form after signing in (%d at %s):\n%s", p.Status, p.URL, p.Body)
	}
	p = samlPost(t, c, post.Action, post.Values)
	if p.Status != 400 {
		t.Fatalf("an assertion from 10 minutes back: %d at %s, want 400", p.Status, p.URL)
	}
	log, _ := os.ReadFile(filepath.Join(app.Dir, "error.log"))
	if !strings.Contains(string(log), "NotOnOrAfter in SubjectConfirmationData was in the past") {
		t.Errorf("mellon's log does not say the assertion expired:\n%s", tail(filepath.Join(app.Dir, "error.log")))
	}
}

// An app the identity provider does not know gets SimpleSAMLphp's
// "Metadata not found" page (with status 200) instead of a login form.
func TestSAMLUnknownSP(t *testing.T) {
	ca := NewCA(t, samlAppHost, samlIdPHost)
	idp := StartSAMLIdP(t, ca, SAMLIdPOptions{Host: samlIdPHost, Users: map[string]string{samlUser: samlPass}})
	app := StartMellonApp(t, ca, idp, MellonOptions{Host: samlAppHost, Unregistered: true})
	c := samlClient(t, ca)
	p := samlGet(t, c, app.URL("/protected/"))
	if p.URL.Hostname() != samlIdPHost || !strings.Contains(p.Body, "Metadata not found") || !strings.Contains(p.Body, app.EntityID) {
		t.Fatalf("an unknown app: %d at %s\n%s", p.Status, p.URL, p.Body)
	}
	if _, ok := findForm(t, p, "password"); ok {
		t.Error("an unknown app got a login form")
	}
	t.Logf("an unknown app: status %d at %s", p.Status, p.URL.Path)
}
