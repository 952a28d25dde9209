package browser

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestLoadFollowsAFormThePagePosts: a provider's answer is a page whose
// script posts a form back to the app as soon as it loads (OIDC form_post,
// SAML's HTTP-POST binding), and the app takes its time. The load ends
// on the app's answer, not on the page that posted, however the script
// times its submit.
func TestLoadFollowsAFormThePagePosts(t *testing.T) {
	// timeout0 posts from a timer after the load event: the page may be
	// read just as the next document commits, before it is parsed.
	for _, when := range []string{"inline", "DOMContentLoaded", "load", "timeout0"} {
		t.Run(when, func(t *testing.T) {
			mux := http.NewServeMux()
			mux.HandleFunc("/post", func(w http.ResponseWriter, r *http.Request) {
				submit := "document.forms[0].submit()"
				script := map[string]string{
					"inline":           "<script>" + submit + "</script>",
					"DOMContentLoaded": "<script>document.addEventListener('DOMContentLoaded', () => " + submit + ")</script>",
					"load":             "<script>window.addEventListener('load', () => " + submit + ")</script>",
					"timeout0":         "<script>window.addEventListener('load', () => setTimeout(() => " + submit + ", 0))</script>",
				}[when]
				body := `<!doctype html><title>POST data</title><body><form method="post" action="/acs"><input type="hidden" name="SAMLResponse" value="PHNhbWxwOlJlc3BvbnNlLz4="></form>`
				if when == "inline" {
					fmt.Fprint(w, body+script)
				} else {
					fmt.Fprint(w, strings.Replace(body, "<body>", script+"<body>", 1))
				}
			})
			mux.HandleFunc("/acs", func(w http.ResponseWriter, r *http.Request) {
				time.Sleep(400 * time.Millisecond) // the app checks the answer
				http.Redirect(w, r, "/app", http.StatusFound)
			})
			mux.HandleFunc("/app", func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, `<!doctype html><title>Team dashboard</title><h1>Welcome</h1>`)
			})
			ts := httptest.NewServer(mux)
			defer ts.Close()
			s := newSession(t)
			l, err := s.Navigate(context.Background(), ts.URL+"/post", LoadOptions{Timeout: 10 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if l.Title != "Team dashboard" || l.Status != 200 || len(l.Chain) != 3 {
				var hops []string
				for _, q := range l.Chain {
					hops = append(hops, fmt.Sprintf("%s %s %d", q.Method, q.URL, q.Status))
				}
				t.Fatalf("ended at %q (%d), chain %v", l.Title, l.Status, hops)
			}
			if m := l.Chain[1].SSO; m == nil || m.Protocol != "SAML" || m.Binding != "post" {
				t.Errorf("the posted answer was not recognised: %+v", m)
			}
		})
	}
}

// TestSubmitOnAScriptDrivenPage: an "identifier first" page whose Next
// button swaps the password field in by script (as Entra ID's and Okta's
// do) loads no new document; the submit ends once no navigation came,
// and sees the new field.
func TestSubmitOnAScriptDrivenPage(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>Sign in</title><h1>Sign in</h1>
<form id="f"><input type="email" name="loginfmt"><button type="submit">Next</button></form>
<script>document.getElementById('f').addEventListener('submit', e => {
  e.preventDefault();
  fetch('/lookup').then(() => { document.getElementById('f').innerHTML = '<input type="password" name="passwd"><button>Sign in</button>'; });
});</script>`)
	})
	mux.HandleFunc("/lookup", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"exists":true}`) })
	ts := httptest.NewServer(mux)
	defer ts.Close()
	s := newSession(t)
	if _, err := s.Navigate(context.Background(), ts.URL+"/login", LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	l, err := s.SubmitLogin(context.Background(), LoginForm{User: "alice@example.com", Identifier: true}, LoadOptions{Timeout: 15 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	// Without a navigation to wait for, the load would run to its
	// time limit and be cut.
	if !l.HasPassword || l.TimedOut {
		t.Errorf("after Next: password field %v, timed out %v", l.HasPassword, l.TimedOut)
	}
}
