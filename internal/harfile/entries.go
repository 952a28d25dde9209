package harfile

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/fix401/fix401/internal/browser"
)

// maxBody is how much of a page's HTML a recording keeps for the judge:
// enough for any sign-in or error page, and a 200 MB recording of scripts
// and images keeps none of theirs.
const maxBody = 256 << 10

// entry is the part of a HAR entry a diagnosis reads.
type entry struct {
	StartedDateTime string `json:"startedDateTime"`
	Time            number `json:"time"`
	Request         *struct {
		Method      string      `json:"method"`
		URL         string      `json:"url"`
		HTTPVersion string      `json:"httpVersion"`
		Headers     []nameValue `json:"headers"`
		PostData    *struct {
			MimeType string      `json:"mimeType"`
			Params   []nameValue `json:"params"`
			Text     string      `json:"text"`
		} `json:"postData"`
	} `json:"request"`
	Response *struct {
		Status      number      `json:"status"`
		StatusText  string      `json:"statusText"`
		HTTPVersion string      `json:"httpVersion"`
		Headers     []nameValue `json:"headers"`
		Content     struct {
			MimeType string `json:"mimeType"`
			// Text stays raw until it is known to be a page: most of a
			// large recording is scripts and images, never unquoted.
			Text     json.RawMessage `json:"text"`
			Encoding string          `json:"encoding"`
		} `json:"content"`
		RedirectURL string `json:"redirectURL"`
		FailureText string `json:"_failureText"` // Playwright
		Error       string `json:"_error"`       // Chrome puts it on the entry; some tools here
	} `json:"response"`
	Timings struct {
		Blocked, DNS, Connect, SSL, Send, Wait, Receive number
	} `json:"timings"`
	ServerIPAddress string          `json:"serverIPAddress"`
	ResourceType    string          `json:"_resourceType"` // Chrome, Edge
	FromCache       json.RawMessage `json:"_fromCache"`    // Chrome: "memory" or "disk"; some tools: true
	Error           string          `json:"_error"`        // Chrome: the net error of a failed request
}

type nameValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Recording is a HAR read for a diagnosis.
type Recording struct {
	Summary
	Requests []browser.Recorded
}

// Read reads a HAR from r, keeping of each entry what a diagnosis needs
// (and of page bodies only HTML, cut at maxBody). Errors are as Walk's.
func Read(r io.Reader) (*Recording, error) {
	rec := &Recording{}
	sum, err := Walk(r, Visitor{Decode: func(i int, dec *json.Decoder) error {
		var e entry
		if err := dec.Decode(&e); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				return formatErr("not a HAR: entry %d of log.entries: %s", i, strings.TrimPrefix(err.Error(), "json: "))
			}
			return err // a syntax error or a cut: Walk says which
		}
		q, err := recorded(i, &e)
		if err != nil {
			return err
		}
		rec.Requests = append(rec.Requests, q)
		return nil
	}})
	rec.Summary = sum
	if err != nil {
		return nil, err
	}
	return rec, nil
}

func recorded(i int, e *entry) (browser.Recorded, error) {
	switch {
	case e.Request == nil:
		return browser.Recorded{}, formatErr("not a HAR 1.2: entry %d has no request", i)
	case e.Response == nil:
		return browser.Recorded{}, formatErr("not a HAR 1.2: entry %d has no response", i)
	case e.Request.URL == "":
		return browser.Recorded{}, formatErr("not a HAR 1.2: entry %d has no request.url", i)
	}
	started, err := time.Parse(time.RFC3339Nano, e.StartedDateTime)
	if err != nil {
		// Some tools write the zone without a colon (+0100), some proxies
		// leave it out (read as UTC).
		for _, layout := range []string{"2006-01-02T15:04:05.999999999-0700", "2006-01-02T15:04:05.999999999"} {
			if started, err = time.Parse(layout, e.StartedDateTime); err == nil {
				break
			}
		}
	}
	if err != nil {
		return browser.Recorded{}, formatErr("not a HAR 1.2: entry %d has no readable startedDateTime (%q)", i, e.StartedDateTime)
	}
	q, p := e.Request, e.Response
	out := browser.Recorded{
		URL: q.URL, Method: strings.ToUpper(q.Method), Started: started,
		Duration:   time.Duration(float64(e.Time) * float64(time.Millisecond)),
		RequestHdr: header(q.Headers), ResponseHdr: header(p.Headers),
		Status: int(p.Status), StatusText: p.StatusText, MimeType: mime(p.Content.MimeType),
		Protocol: strings.ToLower(p.HTTPVersion), RemoteIP: strings.Trim(e.ServerIPAddress, "[]"),
		FromCache: fromCache(e.FromCache), RedirectURL: p.RedirectURL,
		Timing: browser.Timing{Blocked: float64(e.Timings.Blocked), DNS: float64(e.Timings.DNS), Connect: float64(e.Timings.Connect),
			SSL: float64(e.Timings.SSL), Send: float64(e.Timings.Send), Wait: float64(e.Timings.Wait), Receive: float64(e.Timings.Receive)},
		Type:  resourceType(e.ResourceType),
		Frame: strings.ToLower(header(q.Headers).Get("Sec-Fetch-Dest")),
	}
	if out.Status <= 0 {
		out.Status = 0 // Playwright and Firefox write -1 or 0 for no response
		for _, f := range []string{e.Error, p.Error, p.FailureText} {
			if f != "" {
				out.Failed = f
				break
			}
		}
		if out.Failed == "" {
			out.Failed = "net::ERR_FAILED"
		}
	}
	if pd := q.PostData; pd != nil && strings.HasPrefix(strings.ToLower(pd.MimeType), "application/x-www-form-urlencoded") {
		out.Form = url.Values{}
		if len(pd.Params) > 0 {
			for _, nv := range pd.Params {
				out.Form.Add(unescape(nv.Name), unescape(nv.Value))
			}
		} else if v, err := url.ParseQuery(pd.Text); err == nil {
			out.Form = v
		}
	}
	// Only a page's own HTML: a recording of a thousand XHRs answered
	// with HTML keeps none of theirs.
	page := (out.Type == "" || out.Type == "Document") && (out.Frame == "" || out.Frame == "document" || out.Frame == "iframe")
	var text string
	if page && strings.Contains(out.MimeType, "html") && len(p.Content.Text) > 0 && json.Unmarshal(p.Content.Text, &text) == nil && text != "" {
		body := []byte(text)
		if strings.EqualFold(p.Content.Encoding, "base64") {
			if b, err := base64.StdEncoding.DecodeString(text); err == nil {
				body = b
			}
		}
		if len(body) > maxBody {
			body = body[:maxBody]
		}
		out.Body = body
	}
	return out, nil
}

// unescape undoes the URL encoding some tools leave in postData.params
// (Chrome keeps the form's raw text there).
func unescape(s string) string {
	if v, err := url.QueryUnescape(s); err == nil {
		return v
	}
	return s
}

func header(nvs []nameValue) http.Header {
	h := http.Header{}
	for _, nv := range nvs {
		if strings.HasPrefix(nv.Name, ":") {
			continue // HTTP/2 pseudo-headers
		}
		h.Add(nv.Name, nv.Value)
	}
	return h
}

func mime(v string) string {
	m, _, _ := strings.Cut(v, ";")
	return strings.ToLower(strings.TrimSpace(m))
}

// resourceType names Chrome's HAR resource types as CDP does.
func resourceType(t string) string {
	switch strings.ToLower(t) {
	case "":
		return ""
	case "xhr":
		return "XHR"
	case "eventsource":
		return "EventSource"
	case "websocket":
		return "WebSocket"
	case "texttrack":
		return "TextTrack"
	case "cspviolationreport":
		return "CSPViolationReport"
	}
	return strings.ToUpper(t[:1]) + strings.ToLower(t[1:])
}

// number is a JSON number, or one written as a string ("12.5"), as some
// tools write them; null is 0.
type number float64

func (n *number) UnmarshalJSON(b []byte) error {
	v := strings.Trim(string(b), `"`)
	if v == "" || v == "null" {
		*n = 0
		return nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return &json.UnmarshalTypeError{Value: "value " + string(b), Type: reflect.TypeFor[float64]()}
	}
	*n = number(f)
	return nil
}

// fromCache reads Chrome's "memory"/"disk", or another tool's true.
func fromCache(raw json.RawMessage) bool {
	switch strings.TrimSpace(string(raw)) {
	case "", "null", "false", `""`:
		return false
	}
	return true
}
