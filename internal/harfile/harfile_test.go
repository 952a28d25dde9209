package harfile

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// Every file that is not a readable HAR gets one line that says why.
func TestBadInputsSayWhy(t *testing.T) {
	entry := `{"startedDateTime":"2026-11-30T10:00:00.000Z","time":1,"request":{"method":"GET","url":"http://a.example/","httpVersion":"HTTP/1.1","headers":[],"queryString":[],"cookies":[],"headersSize":-1,"bodySize":0},"response":{"status":401,"statusText":"Unauthorized","httpVersion":"HTTP/1.1","headers":[],"cookies":[],"content":{"size":0,"mimeType":"text/html"},"redirectURL":"","headersSize":-1,"bodySize":0},"cache":{},"timings":{"send":0,"wait":1,"receive":0}}`
	good := `{"log":{"version":"1.2","creator":{"name":"t","version":"1"},"entries":[` + entry + `]}}`
	cases := []struct{ name, in, want string }{
		{"empty", "", "the file is empty"},
		{"not JSON", "GET / HTTP/1.1\r\n", "not JSON"},
		{"HTML", "<html><body>hi</body></html>", "not JSON"},
		{"JSON array", `[1,2]`, "not an object"},
		{"JSON without log", `{"foo":1}`, `no "log"`},
		{"log not object", `{"log":[]}`, `"log" is not an object`},
		{"HAR 1.1", `{"log":{"version":"1.1","creator":{"name":"t","version":"1"},"entries":[]}}`, `HAR version "1.1" is not supported`},
		{"no version", `{"log":{"creator":{"name":"t","version":"1"},"entries":[]}}`, "log.version is missing"},
		{"no creator", `{"log":{"version":"1.2","entries":[]}}`, "log.creator is missing"},
		{"no entries", `{"log":{"version":"1.2","creator":{"name":"t","version":"1"}}}`, "log.entries is missing"},
		{"entries not array", `{"log":{"version":"1.2","creator":{"name":"t","version":"1"},"entries":{}}}`, "log.entries is not an array"},
		{"truncated", good[:len(good)/2], "cut short"},
		{"truncated at end", good[:len(good)-2], "cut short"},
		{"entry without request", strings.Replace(good, `"request":`, `"req":`, 1), "entry 0 has no request"},
		{"entry without response", strings.Replace(good, `"response":`, `"resp":`, 1), "entry 0 has no response"},
		{"bad date", strings.Replace(good, `2026-11-30T10:00:00.000Z`, `yesterday`, 1), "startedDateTime"},
		{"status a word", strings.Replace(good, `"status":401`, `"status":"denied"`, 1), "entry 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(c.in))
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("Read(%q) = %v, want a FormatError", c.in, err)
			}
			if !strings.Contains(fe.Msg, c.want) || strings.Contains(fe.Msg, "\n") {
				t.Errorf("message %q, want one line with %q", fe.Msg, c.want)
			}
		})
	}
	// What tools write that the letter of HAR 1.2 does not: a byte order
	// mark, numbers as strings or with a fraction, a boolean _fromCache.
	for _, odd := range []string{"\xef\xbb\xbf" + good, strings.Replace(good, `"status":401`, `"status":401.0`, 1),
		strings.Replace(good, `"time":1`, `"time":"12.5"`, 1), strings.Replace(good, `"cache":{}`, `"_fromCache":true,"cache":{}`, 1)} {
		if rec, err := Read(strings.NewReader(odd)); err != nil || rec.Requests[0].Status != 401 {
			t.Errorf("%.60q…: %v", odd, err)
		}
	}
	// Fiddler's seven fractional digits, a zone without a colon, a
	// proxy's time without a zone.
	for _, at := range []string{"2026-11-30T10:00:00.1234567+01:00", "2026-11-30T10:00:00.123+0100", "2026-11-30T10:00:00.123"} {
		if _, err := Read(strings.NewReader(strings.Replace(good, "2026-11-30T10:00:00.000Z", at, 1))); err != nil {
			t.Errorf("startedDateTime %s: %v", at, err)
		}
	}
	rec, err := Read(strings.NewReader(good))
	if err != nil || rec.Entries != 1 || len(rec.Requests) != 1 || rec.Requests[0].Status != 401 || rec.Creator != "t 1" {
		t.Fatalf("good HAR: %+v, %v", rec, err)
	}
}

// Members of log come in any order: pages after entries is still a HAR.
func TestMembersInAnyOrder(t *testing.T) {
	in := `{"log":{"entries":[],"pages":[],"creator":{"name":"Fiddler","version":"5"},"version":"1.2","comment":"x"},"extra":true}`
	var names []string
	sum, err := Walk(strings.NewReader(in), Visitor{Member: func(name string, _ json.RawMessage) error {
		names = append(names, name)
		return nil
	}})
	if err != nil || sum.Creator != "Fiddler 5" || strings.Join(names, ",") != "pages,creator,version,comment" {
		t.Fatalf("Walk = %+v %v, members %v", sum, err, names)
	}
}
