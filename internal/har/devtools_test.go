package har

import (
	"fmt"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/fix401/fix401/internal/testhar"
)

// TestChromiumDevToolsImportsHAR imports a real run's HAR into Chromium's own
// DevTools, through the code behind the Network panel's "Import HAR file"
// button, and checks that DevTools reads back what we wrote. The schema
// tests say that the file is well-formed; this one says that the person we
// send it to can open it: DevTools' importer throws on dates and numbers it
// cannot parse, reads our _underscore fields, and is what the file is for.
func TestChromiumDevToolsImportsHAR(t *testing.T) {
	base := startLab(t)
	site := cookieSite(t)
	r := &run{t: t, s: newSession(t)}
	// No trailing slash: a 301 hop, then the Basic challenge, which the tab
	// cancels, so that the 401 page and its body are kept.
	if l := r.load(base + "/s/basic"); l.Status != 401 || !l.Redirected {
		t.Fatalf("basic without a slash: status %d, redirected %v", l.Status, l.Redirected)
	}
	// Cookies both ways, an Authorization header, and a Bearer 401 page.
	r.load(site + "/set")
	if l := r.load(site + "/echo"); l.Status != 401 {
		t.Fatalf("echo: status %d", l.Status)
	}
	if l := r.load(refusedURL(t)); l.NetError == "" {
		t.Fatalf("refused: the load did not fail")
	}
	f, data := r.build("devtools-import", Options{Secrets: []string{"wonderland"}})

	res := testhar.ImportIntoDevTools(t, data)
	for _, e := range res.Errors {
		t.Errorf("DevTools: %s", e)
	}
	if len(res.Requests) != len(f.Log.Entries) {
		t.Fatalf("DevTools imported %d requests from %d entries", len(res.Requests), len(f.Log.Entries))
	}

	// The importer sorts entries by startedDateTime, stably, and ours are in
	// that order already (checkRules): request i is entry i.
	pageOf := map[string]int{} // pageref → DevTools' page load id
	var hops, pages401, failed int
	for i, e := range f.Log.Entries {
		q := res.Requests[i]
		name := fmt.Sprintf("entry %d (%s %s)", i, e.Request.Method, e.Request.URL)
		if q.URL != e.Request.URL || q.Method != e.Request.Method || q.Status != e.Response.Status {
			t.Errorf("%s: DevTools read %s %s, status %d; the HAR says status %d", name, q.Method, q.URL, q.Status, e.Response.Status)
		}
		if e.ResourceType != "" && q.ResourceType != e.ResourceType {
			t.Errorf("%s: _resourceType %q read as %q", name, e.ResourceType, q.ResourceType)
		}
		// "x-unknown" is DevTools' own "no type", which it does not import.
		if mt := e.Response.Content.MimeType; mt != "x-unknown" && q.MimeType != mt {
			t.Errorf("%s: mimeType %q read as %q", name, mt, q.MimeType)
		}
		if q.RequestHeaders != len(e.Request.Headers) || q.ResponseHeaders != len(e.Response.Headers) {
			t.Errorf("%s: %d/%d request/response headers read from %d/%d", name,
				q.RequestHeaders, q.ResponseHeaders, len(e.Request.Headers), len(e.Response.Headers))
		}
		if q.RequestCookies != len(e.Request.Cookies) || q.ResponseCookies != len(e.Response.Cookies) {
			t.Errorf("%s: %d/%d request/response cookies read from %d/%d", name,
				q.RequestCookies, q.ResponseCookies, len(e.Request.Cookies), len(e.Response.Cookies))
		}
		if e.ServerIPAddress != "" && q.RemoteAddress != e.ServerIPAddress+":"+e.Connection {
			t.Errorf("%s: remote address %q, the HAR says %s port %s", name, q.RemoteAddress, e.ServerIPAddress, e.Connection)
		}
		// The Time column and the waterfall come from these two.
		if started, err := time.Parse(time.RFC3339Nano, e.StartedDateTime); err != nil {
			t.Errorf("%s: %v", name, err)
		} else if d := q.Start - float64(started.UnixMilli()); math.Abs(d) > 0.5 {
			t.Errorf("%s: starts at %v ms, the HAR says %s", name, q.Start, e.StartedDateTime)
		}
		if math.Abs(q.Duration-e.Time) > 0.01 {
			t.Errorf("%s: lasts %v ms, the HAR says %v", name, q.Duration, e.Time)
		}
		// Entries of one HAR page make one DevTools page load, and the other
		// way round.
		if id, ok := pageOf[e.Pageref]; !ok {
			for ref, other := range pageOf {
				if other == q.Page {
					t.Errorf("%s: pages %s and %s are one page load in DevTools", name, ref, e.Pageref)
				}
			}
			pageOf[e.Pageref] = q.Page
		} else if id != q.Page {
			t.Errorf("%s: page %s is split across DevTools page loads", name, e.Pageref)
		}
		if q.Page == 0 {
			t.Errorf("%s: no DevTools page load for %s", name, e.Pageref)
		}

		if e.Response.Status > 0 {
			// Both test servers speak HTTP/1.1; DevTools calls it http/1.1.
			if q.Protocol != "http/1.1" {
				t.Errorf("%s: httpVersion %q read as protocol %q", name, e.Response.HTTPVersion, q.Protocol)
			}
			if want := strconv.Itoa(e.Response.Status); q.Shown != want {
				t.Errorf("%s: the Network panel's status cell reads %q, not %s", name, q.Shown, want)
			}
		}
		switch {
		case e.Response.Status >= 300 && e.Response.Status < 400:
			hops++
			if q.Location == "" {
				t.Errorf("%s: a redirect without a Location header in DevTools", name)
			}
		case e.Response.Status == 401 && e.ResourceType == "document":
			pages401++
			if q.WWWAuthenticate == "" {
				t.Errorf("%s: no WWW-Authenticate header in DevTools", name)
			}
			// What the Response tab shows: the page the server sent.
			switch {
			case e.Response.Content.Text == "" || e.Response.Content.Encoding != "":
				t.Errorf("%s: the HAR has no text body (encoding %q)", name, e.Response.Content.Encoding)
			case q.Body == nil:
				t.Errorf("%s: DevTools has no body", name)
			case *q.Body != e.Response.Content.Text:
				t.Errorf("%s: DevTools' body %q differs from the HAR's %q", name, *q.Body, e.Response.Content.Text)
			}
		case e.Response.Error != "":
			failed++
			// DevTools' importer does not read _error (nor its own exports'),
			// so the panel cannot say "(failed)": the row is all there is.
			t.Logf("%s: %s shows in DevTools as status %q", name, e.Response.Error, q.Shown)
		}
	}
	if hops == 0 || pages401 != 2 || failed == 0 {
		t.Errorf("redirect hops %d, 401 pages %d (want 2), failed requests %d", hops, pages401, failed)
	}
}
