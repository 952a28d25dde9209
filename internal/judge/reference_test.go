package judge

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// referenceDir holds the exact default 401 pages of real servers, with
// their sources and licences. Tests run in the package directory.
var referenceDir = filepath.Join("..", "..", "testdata", "401-pages")

type referencePage struct {
	name    string
	body    string
	headers map[string][]string // nil when the source gives none
}

// referenceSource is the part of SOURCES.json (and of each .source.txt)
// the tests use.
type referenceSource struct {
	Kind            string   `json:"kind"`
	ResponseHeaders []string `json:"response_headers"`
	Signatures      []string `json:"signatures"`
	SHA256          string   `json:"sha256"`
}

// loadReferencePages reads every page SOURCES.json describes and checks
// it against its recorded sha256, so the tests are known to judge the
// exact bytes the servers sent and not a copy someone tidied up.
func loadReferencePages(t *testing.T) []referencePage {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(referenceDir, "SOURCES.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sources map[string]referenceSource
	if err := json.Unmarshal(raw, &sources); err != nil {
		t.Fatalf("SOURCES.json: %v", err)
	}
	var names []string
	for name, s := range sources {
		if s.SHA256 != "" { // entries without bytes are notes, not pages
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var pages []referencePage
	for _, name := range names {
		s := sources[name]
		body, err := os.ReadFile(filepath.Join(referenceDir, name))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(body)
		if got := hex.EncodeToString(sum[:]); got != s.SHA256 {
			t.Fatalf("%s: sha256 %s, SOURCES.json says %s", name, got, s.SHA256)
		}
		// The .source.txt next to each page must agree with SOURCES.json.
		if side, err := os.ReadFile(filepath.Join(referenceDir, name+".source.txt")); err == nil {
			var ss referenceSource
			if err := json.Unmarshal(side, &ss); err != nil {
				t.Fatalf("%s.source.txt: %v", name, err)
			}
			if ss.SHA256 != s.SHA256 {
				t.Fatalf("%s.source.txt disagrees with SOURCES.json on sha256", name)
			}
		}
		for _, sig := range s.Signatures {
			if !strings.Contains(strings.ReplaceAll(string(body), "\r\n", "\n"), sig) && !strings.Contains(string(body), sig) {
				// Some signatures quote a page with HTML entities unescaped
				// or across the CRLF line ends; only note them.
				t.Logf("%s: signature %q not found verbatim", name, sig)
			}
		}
		pages = append(pages, referencePage{name: name, body: string(body), headers: parseHeaders(s.ResponseHeaders)})
	}
	if len(pages) < 14 {
		t.Fatalf("only %d reference pages in SOURCES.json, expected at least 14", len(pages))
	}
	return pages
}

// parseHeaders turns SOURCES.json's "Name: value" lines into a header map,
// skipping the status line and notes such as "(no WWW-Authenticate)".
func parseHeaders(lines []string) map[string][]string {
	if len(lines) == 0 {
		return nil
	}
	h := map[string][]string{}
	for _, l := range lines {
		if strings.HasPrefix(l, "HTTP/") || strings.HasPrefix(l, "(") {
			continue
		}
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		// Notes after two spaces ("basic realm=...  (lowercase scheme)")
		// are commentary, not part of the value.
		value, _, _ = strings.Cut(strings.TrimSpace(value), "  (")
		h[strings.TrimSpace(name)] = append(h[strings.TrimSpace(name)], value)
	}
	return h
}

// wantIIS is the sub-status each IIS page must yield. The custerr page
// has none and must not get one; the IIS 6 fragment is cut before its
// "HTTP Error 401.2" footer and is recognised by its 401.2 sentence.
var wantIIS = map[string]string{
	"iis-401-custerr.html":             "",
	"iis-401.1-detailed-fragment.html": "401.1",
	"iis-401.2-detailed-fragment.html": "401.2",
	"iis-401.3-detailed-fragment.html": "401.3",
	"iis6-401.2-fragment.html":         "401.2",
}

func TestReferencePages(t *testing.T) {
	pages := loadReferencePages(t)
	seen := map[string]bool{}
	for _, rp := range pages {
		seen[rp.name] = true
		t.Run(rp.name, func(t *testing.T) {
			base := FromHTML(rp.body)
			base.URL = "http://127.0.0.1:18080/protected/"
			base.FinalURL = base.URL
			base.Header = rp.headers

			// Served with 200, the page is a soft 401: the wording of a
			// server's own 401 page is as clear a sign as it gets.
			p := base
			p.Status = 200
			v := Judge(p)
			if v.Kind != Soft401 || v.OK {
				t.Fatalf("status 200: got %s (%s), want soft_401; page: title %q headings %q text %q", v.Kind, v.Reason, p.Title, p.Headings, p.Text)
			}
			if v.Evidence == "" || !strings.Contains(v.Reason, v.Evidence) {
				t.Errorf("status 200: evidence %q not in reason %q", v.Evidence, v.Reason)
			}
			if want := wantIIS[rp.name]; v.IISSubstatus != want {
				t.Errorf("status 200: IIS sub-status %q, want %q", v.IISSubstatus, want)
			}

			// Served with its real status, it is an http_401.
			p = base
			p.Status = 401
			v = Judge(p)
			if v.Kind != HTTP401 || v.OK || !v.Kind.IsAuthFailure() {
				t.Fatalf("status 401: got %s (%s), want http_401", v.Kind, v.Reason)
			}
			want := wantIIS[rp.name]
			if v.IISSubstatus != want {
				t.Errorf("status 401: IIS sub-status %q, want %q", v.IISSubstatus, want)
			}
			if want != "" && !strings.Contains(v.Reason, "IIS "+want) {
				t.Errorf("status 401: reason %q does not name IIS %s", v.Reason, want)
			}
			if !strings.HasPrefix(rp.name, "iis") && v.IISSubstatus != "" {
				t.Errorf("status 401: non-IIS page got IIS sub-status %q", v.IISSubstatus)
			}
			// Express sends its 401 without a challenge, nginx, Apache,
			// Jetty and Tomcat with one; the reason must tell them apart
			// when the headers are known.
			_, hasChallenge := rp.headers["WWW-Authenticate"]
			saysMissing := strings.Contains(v.Reason, "without a WWW-Authenticate challenge")
			if rp.headers != nil && len(rp.headers) > 0 && saysMissing == hasChallenge {
				t.Errorf("status 401: reason %q, headers %v", v.Reason, rp.headers)
			}
		})
	}
	for name := range wantIIS {
		if !seen[name] {
			t.Errorf("IIS page %s is not in SOURCES.json any more", name)
		}
	}
}
