package testhar

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// The cookie "/" sets: in a full export, never in a sanitized one.
const secret = "S3cr3tValue123"

// server answers "/" with a page and a cookie, and "/private" with a Basic
// challenge and a page of its own, on 127.0.0.1.
func server(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/":
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: secret, Path: "/"})
			w.Write([]byte("<!doctype html><title>Home</title><p>Welcome</p>"))
		case "/private":
			w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte("<title>Denied</title>"))
		default:
			http.NotFound(w, r)
		}
	}))
	s.Listener.Close()
	s.Listener = ln
	s.Start()
	t.Cleanup(s.Close)
	return s.URL
}

// harFile is what the checks read of a HAR.
type harFile struct {
	Log struct {
		Version string `json:"version"`
		Creator struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		} `json:"creator"`
		Entries []struct {
			Request struct {
				URL string `json:"url"`
			} `json:"request"`
			Response struct {
				Status  int `json:"status"`
				Headers []struct {
					Name  string `json:"name"`
					Value string `json:"value"`
				} `json:"headers"`
				Content struct {
					Text     string `json:"text"`
					Encoding string `json:"encoding"`
				} `json:"content"`
			} `json:"response"`
		} `json:"entries"`
	} `json:"log"`
}

func TestRecorders(t *testing.T) {
	base := server(t)
	urls := []string{base + "/", base + "/private"}
	for _, tc := range []struct {
		name      string
		record    func(testing.TB, Options) string
		o         Options
		body      bool // the 401 page's body is in the HAR
		sanitized bool // the cookie must not be in it
	}{
		{"Playwright", Playwright, Options{URLs: urls, Content: "embed"}, true, false},
		{"DevTools", DevTools, Options{URLs: urls}, true, false},
		{"DevToolsSanitized", DevTools, Options{URLs: urls, Sanitized: true}, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.record(t, tc.o)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var f harFile
			if err := json.Unmarshal(data, &f); err != nil {
				t.Fatalf("%s is not JSON: %v", path, err)
			}
			t.Logf("%s: %d entries, by %s %s", path, len(f.Log.Entries), f.Log.Creator.Name, f.Log.Creator.Version)
			if f.Log.Version != "1.2" {
				t.Errorf("log.version %q, want 1.2", f.Log.Version)
			}
			want := map[string]int{urls[0]: 200, urls[1]: 401}
			for _, e := range f.Log.Entries {
				status, ok := want[e.Request.URL]
				if !ok {
					continue
				}
				delete(want, e.Request.URL)
				if e.Response.Status != status {
					t.Errorf("%s: status %d, want %d", e.Request.URL, e.Response.Status, status)
				}
				if status != 401 {
					continue
				}
				var challenge string
				for _, h := range e.Response.Headers {
					if strings.EqualFold(h.Name, "WWW-Authenticate") {
						challenge = h.Value
					}
				}
				if challenge != `Basic realm="x"` {
					t.Errorf("%s: WWW-Authenticate %q, want Basic realm=\"x\"", e.Request.URL, challenge)
				}
				if tc.body && (e.Response.Content.Encoding != "" || !strings.Contains(e.Response.Content.Text, "<title>Denied</title>")) {
					t.Errorf("%s: body %q (encoding %q), want the 401 page", e.Request.URL, e.Response.Content.Text, e.Response.Content.Encoding)
				}
			}
			for u := range want {
				t.Errorf("no entry for %s", u)
			}
			if has := strings.Contains(string(data), secret); has == tc.sanitized {
				t.Errorf("the cookie's value %s in the HAR: %v, want %v", secret, has, !tc.sanitized)
			}
		})
	}
}
