package browser

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// spinServer serves 401 pages whose script never yields, once loaded:
// /spin in one timer (as the tester's page), /interval again and again
// (interrupting it once is not enough); /echo shows the cookie it got.
func spinServer(t *testing.T) *httptest.Server {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		switch r.URL.Path {
		case "/spin", "/interval":
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: "kept-after-the-hang", Path: "/"})
			w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
			w.WriteHeader(401)
			timer := "setTimeout"
			if r.URL.Path == "/interval" {
				timer = "setInterval"
			}
			fmt.Fprintf(w, `<!doctype html><title>Spin</title><h1>Unauthorized</h1><script>%s(() => { while (true) {} }, 10)</script>`, timer)
		case "/echo":
			c, _ := r.Cookie("sid")
			v := "none"
			if c != nil {
				v = c.Value
			}
			fmt.Fprintf(w, `<!doctype html><title>Echo</title><h1>cookie %s</h1>`, v)
		default:
			fmt.Fprint(w, `<!doctype html><title>OK</title><h1>ok</h1><a href="/login">Sign in</a>`)
		}
	}))
	t.Cleanup(ts.Close)
	return ts
}

// TestAPageThatSpinsAfterItLoads: a 401 page whose script spins once it
// has loaded is read (title, status, screenshot), said to have hung, and
// closed; what the steps do next (clearing site data, reading links, a
// reload, the next load) neither hangs nor fails, and the cookies the
// page set are kept.
func TestAPageThatSpinsAfterItLoads(t *testing.T) {
	ts := spinServer(t)
	for _, path := range []string{"/spin", "/interval"} {
		t.Run(path, func(t *testing.T) {
			s := newSession(t)
			const timeout = 4 * time.Second
			o := LoadOptions{Timeout: timeout, Screenshot: true}
			check := func(what string, l *Load, err error) {
				t.Helper()
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				// No timing here (timings are for benchmarks), and the
				// stopped page's screenshot is best effort: the load ends,
				// says why, and the tab serves the next loads.
				if l.Status != 401 || l.Title != "Spin" || l.Hung == "" || l.TimedOut {
					t.Errorf("%s: status %d, title %q, hung %q, timed out %v", what, l.Status, l.Title, l.Hung, l.TimedOut)
				}
			}
			l, err := s.Navigate(context.Background(), ts.URL+path, o)
			check("the load", l, err)

			// clear-cookies: the tab has no page to clear sessionStorage
			// in; the rest is cleared, and the step is not held.
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cleared, err := s.ClearSiteData(ctx, []string{ts.URL})
			if err != nil || len(cleared.Origins) != 1 || !errors.Is(cleared.SessionStorage, errPageGone) {
				t.Errorf("clearing site data: %+v, %v", cleared, err)
			}
			if _, err := s.Links(ctx); !errors.Is(err, errPageGone) {
				t.Errorf("links of the closed page: %v", err)
			}
			if ctx.Err() != nil {
				t.Fatal("the steps' own requests to the page hung")
			}

			l, err = s.Reload(context.Background(), ts.URL+path, o)
			check("the reload", l, err)

			for i := range 2 {
				next, err := s.Navigate(context.Background(), ts.URL+"/ok", LoadOptions{Timeout: 10 * time.Second, Screenshot: true})
				if err != nil {
					t.Fatal(err)
				}
				if next.TimedOut || next.Hung != "" || next.Title != "OK" || len(next.Screenshot) == 0 {
					t.Errorf("load %d after it: timed out %v, hung %q, title %q", i+1, next.TimedOut, next.Hung, next.Title)
				}
			}
			links, err := s.Links(context.Background())
			if err != nil || len(links) != 1 {
				t.Errorf("links of the next page: %v, %v", links, err)
			}
			echo, err := s.Navigate(context.Background(), ts.URL+"/echo", LoadOptions{Timeout: 10 * time.Second})
			if err != nil || echo.Title != "Echo" || len(echo.Headings) == 0 || echo.Headings[0] != "cookie kept-after-the-hang" {
				t.Errorf("the cookie the hung page set: %v, %q %q", err, echo.Title, echo.Headings)
			}
		})
	}
}
