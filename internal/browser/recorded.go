package browser

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fix401/fix401/internal/judge"
	"github.com/fix401/fix401/internal/netlog"
	"github.com/fix401/fix401/internal/redact"
	"github.com/fix401/fix401/internal/sso"
)

// Recorded is one request of a recording another tool made (an entry of a
// HAR a customer exported): what fix401's own recorder notes of a request,
// as far as the recording tells.
type Recorded struct {
	URL, Method string
	// Type is the resource type as Chrome names it (Document, XHR,
	// Script…), "" when the recording does not say.
	Type string
	// Frame is the fetch destination when the recording knows it
	// (Sec-Fetch-Dest: document, iframe…), "" when not.
	Frame                   string
	Started                 time.Time
	Duration                time.Duration
	RequestHdr, ResponseHdr http.Header
	Status                  int
	StatusText              string
	MimeType                string
	Protocol                string
	RemoteIP                string
	FromCache               bool
	Failed                  string     // the browser's net error, when it failed
	Form                    url.Values // the fields of a form it posted
	Body                    []byte     // the response body, when the recording kept it
	RedirectURL             string
	Timing                  Timing
}

// mainFrameDoc says whether a recorded request was a navigation of the
// page itself: by the type the recording gives, else by what the browser
// said it fetched (Sec-Fetch-Dest) or, for a recording without either, by
// a request for HTML that was answered with HTML or a redirect.
func (r Recorded) mainFrameDoc() bool {
	switch {
	case r.Frame != "":
		return r.Frame == "document"
	case r.Type != "":
		return strings.EqualFold(r.Type, "document")
	}
	if !strings.HasPrefix(strings.ToLower(r.RequestHdr.Get("Accept")), "text/html") {
		return false
	}
	return strings.Contains(r.MimeType, "html") || r.Status >= 300 && r.Status < 400 || r.Status >= 400 || r.Status == 0
}

// Replay groups a recording's requests into the loads fix401's own
// browser would have made of them, so that the judge and the findings read
// a recording exactly as they read a live run. A load starts at each
// navigation of the page, except one that continues the last: the target
// of its redirect, or the form an identity provider posted back to the app
// (a single sign-on is one load: app → provider → app). Other requests
// belong to the navigation before them. index numbers the loads from it.
func Replay(recs []Recorded, index int) []*Load {
	recs = slices.Clone(recs)
	slices.SortStableFunc(recs, func(a, b Recorded) int { return a.Started.Compare(b.Started) })
	var loads []*Load
	var cur *Load
	var doc *Request // the current load's latest document
	for i, rec := range recs {
		q := recordedRequest(rec, i)
		if q.Document {
			if cur != nil && doc != nil && continues(doc, q) {
				if doc.Status >= 300 && doc.Status < 400 {
					// A redirect hop: the browser keeps it inside the
					// request it led to, as CDP reports it.
					hop := *doc
					hop.Redirects = nil
					q.Redirects = append(slices.Clone(doc.Redirects), &hop)
					cur.Requests[slices.Index(cur.Requests, doc)] = q
				} else {
					cur.Requests = append(cur.Requests, q)
				}
				doc = q
				continue
			}
			cur = &Load{URL: q.URL, Started: q.Started, Index: index + len(loads)}
			loads = append(loads, cur)
			doc = q
		}
		if cur == nil {
			// Requests before the first navigation (a recording started
			// late): a load of their own, with no document.
			cur = &Load{URL: q.URL, Started: q.Started, Index: index + len(loads)}
			loads = append(loads, cur)
		}
		cur.Requests = append(cur.Requests, q)
	}
	for _, l := range loads {
		finishReplayed(l)
	}
	return loads
}

// passwordField: a form field that holds a password, by its name.
func passwordField(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "password") || strings.Contains(n, "passwd") ||
		slices.Contains([]string{"pass", "pwd", "pw", "passcode", "passwort", "mot_de_passe"}, n)
}

// continues says whether document q is part of the navigation whose latest
// document is prev: the target of its redirect, or a sign-in protocol's
// answer posted (or redirected) back from a provider's page.
func continues(prev, q *Request) bool {
	if prev.Status >= 300 && prev.Status < 400 {
		// Where it led, when the recording says where; else the next
		// navigation in the recording's order.
		to := prev.ResponseHdr.Get("Location")
		if to == "" {
			return true
		}
		base, err1 := url.Parse(prev.URL)
		loc, err2 := url.Parse(to)
		if err1 != nil || err2 != nil {
			return true
		}
		return stripFragment(base.ResolveReference(loc).String()) == stripFragment(q.URL)
	}
	if q.SSO != nil && q.SSO.Role == sso.Response {
		return true
	}
	return prev.SSO != nil && prev.SSO.Role == sso.Request && q.Method == http.MethodPost
}

func recordedRequest(rec Recorded, i int) *Request {
	q := &Request{
		ID: "har-" + strconv.Itoa(i), URL: rec.URL, Method: rec.Method, Type: rec.Type, Started: rec.Started,
		RequestHdr: rec.RequestHdr, Status: rec.Status, StatusText: rec.StatusText, ResponseHdr: rec.ResponseHdr,
		MimeType: rec.MimeType, Protocol: rec.Protocol, RemoteIP: rec.RemoteIP, FromCache: rec.FromCache,
		Failed: rec.Failed, Timing: rec.Timing, arrived: rec.Started, done: true, settled: true,
	}
	if q.RequestHdr == nil {
		q.RequestHdr = http.Header{}
	}
	if q.ResponseHdr == nil {
		q.ResponseHdr = http.Header{}
	}
	if q.Method == "" {
		q.Method = http.MethodGet
	}
	q.Document = rec.mainFrameDoc()
	if q.Type == "" {
		q.Type = "Other"
		if q.Document {
			q.Type = "Document"
		}
	}
	if q.Document {
		q.SSO = sso.Classify(q.URL, rec.Form)
		for k, vs := range rec.Form {
			if passwordField(k) && slices.ContainsFunc(vs, func(v string) bool { return v != "" }) {
				q.pwPosted = true
			}
			for _, v := range vs {
				if redact.IsSensitiveParam(k) && len(v) >= 8 && !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
					q.posted = append(q.posted, v)
				}
			}
		}
		if len(rec.Body) > 0 {
			q.Body = rec.Body
			if len(q.Body) > maxBody {
				q.Body = q.Body[:maxBody]
			}
		}
	}
	q.Size = int64(len(rec.Body))
	return q
}

// finishReplayed gives a replayed load what the live browser reads off
// the page: its status from the document (see settle), and its title,
// headings, text and password field from the HTML the page showed, when
// the recording kept it.
func finishReplayed(l *Load) {
	var last *Request
	end := l.Started
	for _, q := range l.Requests {
		if q.Document {
			last = q
		}
		if t := q.Started.Add(time.Duration(recordedMS(q.Timing) * float64(time.Millisecond))); t.After(end) {
			end = t
		}
	}
	if last != nil {
		l.FinalURL = last.URL
	}
	q := l.settle()
	l.Duration = end.Sub(l.Started)
	if q == nil || last == nil {
		return
	}
	if last.Status == 0 && last.Failed != "" {
		l.NetError = last.Failed
	}
	if l.NetError != "" || len(last.Body) == 0 || !strings.Contains(last.MimeType, "html") {
		return
	}
	p := judge.FromHTML(string(last.Body))
	l.Title, l.Headings, l.Text, l.HasPassword = p.Title, p.Headings, p.Text, p.HasPasswordField
	l.domRead = true
}

// recordedMS is a request's whole time from its HAR-style phases.
func recordedMS(t Timing) float64 {
	total := 0.0
	for _, v := range []float64{t.Blocked, t.DNS, t.Connect, t.Send, t.Wait, t.Receive} {
		if v > 0 {
			total += v
		}
	}
	return total
}

// AttachSignIn gives replayed loads the sign-in attempts a network log of
// the same session holds (chrome://net-export, read by netlog), each to
// the load that requested its URL, as a live load gets its own.
func AttachSignIn(loads []*Load, as []netlog.Attempt) {
	for _, l := range loads {
		urls := map[string]bool{}
		for _, q := range l.Requests {
			for _, h := range q.Hops() {
				urls[h.URL] = true
			}
		}
		l.SignInLog = true
		for _, a := range as {
			if urls[a.URL] {
				l.SignIn = append(l.SignIn, a)
			}
		}
	}
}
