package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/fix401/fix401/internal/lab"
	"github.com/fix401/fix401/internal/testhar"
	"github.com/fix401/fix401/reports"
)

// analyzeHAR runs `fix401 analyze` on a HAR and returns its exit code and
// the report it wrote, checked against the report schema.
func analyzeHAR(t *testing.T, har string) (int, *reports.Report, string, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "report")
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"analyze", "--out", out, har},
		&IO{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr, Getenv: func(string) string { return "" }})
	data, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatalf("exit %d, no report.json: %v\n%s%s", code, err, stdout.String(), stderr.String())
	}
	schema, err := reports.CompileSchema()
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err == nil {
		err = schema.Validate(inst)
	}
	if err != nil {
		t.Fatalf("report.json does not follow the schema: %v", err)
	}
	var rep reports.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"report.html", "report.md", "contact.md", "network.har"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("the report folder has no %s", f)
		}
	}
	return code, &rep, stdout.String() + stderr.String(), out
}

// leaks returns the report files that hold any of the secrets, in plain
// or URL-encoded form.
func leaks(t *testing.T, dir string, secrets ...string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, _ := os.ReadFile(p)
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) || bytes.Contains(data, []byte(url.QueryEscape(s))) {
				out = append(out, filepath.Base(p)+": "+s[:8]+"…")
			}
		}
		return nil
	})
	return out
}

func findingIDs(r *reports.Report) []string {
	var ids []string
	for _, f := range r.Diagnosis.Findings {
		ids = append(ids, f.ID)
	}
	return ids
}

// TestAnalyzeRecordings: HARs that Playwright's recordHar and Chromium
// DevTools' own export recorded of the lab's pages, analyzed as a support
// desk gets them: the same verdicts, challenges and findings as a live run.
func TestAnalyzeRecordings(t *testing.T) {
	ln, err := lab.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- lab.Serve(ctx, ln, lab.New()) }()
	t.Cleanup(func() { cancel(); <-done })
	base := "http://" + ln.Addr().String()
	// A single-page app whose stored token its API no longer takes: the
	// request carries it and meets the challenge again.
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	exp := time.Now().Add(-2 * time.Hour).Unix()
	jwt := enc(`{"alg":"RS256","typ":"JWT"}`) + "." + enc(fmt.Sprintf(`{"sub":"alice","iat":%d,"exp":%d}`, exp-3600, exp)) + ".c2lnbmF0dXJlLXZhbHVlLTk4NzY"
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><title>Reports</title><h1>Reports</h1><p id=s>loading</p>
<script>fetch("/api/me", {headers: {Authorization: "Bearer %s"}}).then(r => document.getElementById("s").textContent = r.status)</script>`, jwt)
	})
	mux.HandleFunc("/api/me", func(w http.ResponseWriter, r *http.Request) {
		// As careless servers do: the refused token quoted back.
		w.Header().Set("WWW-Authenticate", `Bearer realm="api", error="invalid_token", error_description="The access token `+strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")+` expired"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	spa := httptest.NewServer(mux)
	t.Cleanup(spa.Close)

	cases := []struct {
		name       string
		record     func(t *testing.T) string
		code       int
		kind       string
		scheme     string
		finding    string
		recordedBy string
		iis        string
	}{
		{"Playwright: a healthy page", func(t *testing.T) string {
			return testhar.Playwright(t, testhar.Options{URLs: []string{base + "/s/healthy/"}})
		}, 0, "none", "", "", "Playwright", ""},
		{"Playwright: Basic, no credentials", func(t *testing.T) string {
			return testhar.Playwright(t, testhar.Options{URLs: []string{base + "/s/basic/"}})
		}, 11, "http_401", "Basic", "", "Playwright", ""},
		{"Playwright: an app's token refused by its API", func(t *testing.T) string {
			return testhar.Playwright(t, testhar.Options{URLs: []string{spa.URL + "/"}})
		}, 11, "subresource_401", "Bearer", "credentials_rejected token_expired", "Playwright", ""},
		{"DevTools: an app's token refused by its API", func(t *testing.T) string {
			return testhar.DevTools(t, testhar.Options{URLs: []string{spa.URL + "/"}})
		}, 11, "subresource_401", "Bearer", "credentials_rejected token_expired", "WebInspector", ""},
		{"Playwright: 401 without a challenge", func(t *testing.T) string {
			return testhar.Playwright(t, testhar.Options{URLs: []string{base + "/s/no-challenge/"}})
		}, 11, "http_401", "", "no_challenge", "Playwright", ""},
		{"Playwright: a soft 401 page, read from its body", func(t *testing.T) string {
			return testhar.Playwright(t, testhar.Options{URLs: []string{base + "/s/soft-en/"}})
		}, 11, "soft_401", "", "", "Playwright", ""},
		{"Playwright: bodies omitted, the soft 401 cannot be seen", func(t *testing.T) string {
			return testhar.Playwright(t, testhar.Options{URLs: []string{base + "/s/soft-en/"}, Content: "omit"})
		}, 0, "none", "", "", "Playwright", ""},
		{"Playwright: 403 is another failure", func(t *testing.T) string {
			return testhar.Playwright(t, testhar.Options{URLs: []string{base + "/s/forbidden/"}})
		}, 12, "forbidden_403", "", "", "Playwright", ""},
		{"Playwright: the page's API refused", func(t *testing.T) string {
			return testhar.Playwright(t, testhar.Options{URLs: []string{base + "/s/subresource/"}})
		}, 11, "subresource_401", "Bearer", "", "Playwright", ""},
		{"Playwright: Digest", func(t *testing.T) string {
			return testhar.Playwright(t, testhar.Options{URLs: []string{base + "/s/digest/"}})
		}, 11, "http_401", "Digest", "", "Playwright", ""},
		{"Playwright: IIS refuses the address (401.503)", func(t *testing.T) string {
			return testhar.Playwright(t, testhar.Options{URLs: []string{base + "/s/ip-blocked/"}})
		}, 11, "http_401", "Negotiate", "", "Playwright", "401.503"},
		{"Playwright: an application pool restarting, Retry-After", func(t *testing.T) string {
			return testhar.Playwright(t, testhar.Options{URLs: []string{base + "/s/recycle/"}})
		}, 11, "http_401", "", "rate_limited", "Playwright", ""},
		{"Playwright: a proxy asks (407)", func(t *testing.T) string {
			return testhar.Playwright(t, testhar.Options{URLs: []string{base + "/s/proxy/"}})
		}, 11, "proxy_407", "", "proxy_auth_required", "Playwright", ""},
		{"DevTools: Basic, with sensitive data", func(t *testing.T) string {
			return testhar.DevTools(t, testhar.Options{URLs: []string{base + "/s/basic/"}})
		}, 11, "http_401", "Basic", "", "WebInspector", ""},
		{"DevTools: a soft 401, sanitized export", func(t *testing.T) string {
			return testhar.DevTools(t, testhar.Options{URLs: []string{base + "/s/soft-en/"}, Sanitized: true})
		}, 11, "soft_401", "", "", "WebInspector", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, rep, stdout, dir := analyzeHAR(t, c.record(t))
			if l := leaks(t, dir, jwt, jwt[strings.LastIndex(jwt, ".")+1:]); len(l) > 0 {
				t.Errorf("the report folder holds the token: %v", l)
			}
			if code != c.code || rep.Diagnosis.Kind != c.kind {
				t.Fatalf("exit %d kind %s, want %d %s; findings %v\n%s", code, rep.Diagnosis.Kind, c.code, c.kind, findingIDs(rep), stdout)
			}
			if c.iis != "" && (rep.Diagnosis.IISSubstatus == nil || *rep.Diagnosis.IISSubstatus != c.iis) {
				t.Errorf("IIS sub-status %v, want %s", rep.Diagnosis.IISSubstatus, c.iis)
			}
			if !strings.HasPrefix(rep.Environment.RecordedBy, c.recordedBy) {
				t.Errorf("recorded_by %q", rep.Environment.RecordedBy)
			}
			if c.scheme != "" && (len(rep.Diagnosis.Challenges) == 0 || rep.Diagnosis.Challenges[0].Scheme != c.scheme) {
				t.Errorf("challenges %+v, want %s", rep.Diagnosis.Challenges, c.scheme)
			}
			for _, f := range strings.Fields(c.finding) {
				if !slices.Contains(findingIDs(rep), f) {
					t.Errorf("findings %v, want %s", findingIDs(rep), f)
				}
			}
			if c.code != 0 && (len(rep.Diagnosis.NextSteps) == 0 || !strings.HasPrefix(rep.Diagnosis.NextSteps[0], "Try first: ")) && c.code == 11 {
				t.Errorf("next steps %q: the first should say what to try first", rep.Diagnosis.NextSteps)
			}
		})
	}
}

// TestAnalyzeLeaksNoPlantedSecret: analyze of the HAR with a secret planted
// in every place one hides (testdata/har/planted.har, the values in
// planted-secrets.json), with debug logs and --json: no value reaches the
// report folder, stdout or stderr, in plain, URL-, HTML- or base64-encoded
// form.
func TestAnalyzeLeaksNoPlantedSecret(t *testing.T) {
	data, err := os.ReadFile("../../testdata/har/planted-secrets.json")
	if err != nil {
		t.Fatal(err)
	}
	planted := map[string]string{}
	if err := json.Unmarshal(data, &planted); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "report")
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"analyze", "--json", "--log-level", "debug", "--out", out, "../../testdata/har/planted.har"},
		&IO{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr, Getenv: func(string) string { return "" }})
	if code != ExitUnresolved {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	outputs := map[string][]byte{"stdout": stdout.Bytes(), "stderr": stderr.Bytes()}
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			outputs[filepath.Base(p)], _ = os.ReadFile(p)
		}
		return err
	})
	if len(outputs) < 7 {
		t.Fatalf("outputs %d: the report folder is not whole", len(outputs))
	}
	for name, v := range planted {
		forms := []string{v, url.QueryEscape(v), url.PathEscape(v), strings.ReplaceAll(v, "&", "&amp;")}
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
			b := enc.EncodeToString([]byte(v))
			forms = append(forms, b, strings.TrimRight(b, "="))
		}
		for where, got := range outputs {
			for _, f := range forms {
				if bytes.Contains(got, []byte(f)) {
					t.Errorf("%s: %s (%q) is in %s", name, v, f, where)
				}
			}
		}
	}
}

// TestSanitizedHARsOpenInDevTools: what `fix401 har sanitize` writes of
// HARs from Playwright, from DevTools itself and of the planted fixture
// opens in Chromium DevTools (its "Import HAR file"), every entry there.
func TestSanitizedHARsOpenInDevTools(t *testing.T) {
	ln, err := lab.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- lab.Serve(ctx, ln, lab.New()) }()
	t.Cleanup(func() { cancel(); <-done })
	base := "http://" + ln.Addr().String()
	urls := []string{base + "/s/basic/", base + "/s/soft-en/", base + "/s/subresource/"}
	for name, in := range map[string]string{
		"Playwright": testhar.Playwright(t, testhar.Options{URLs: urls}),
		"DevTools":   testhar.DevTools(t, testhar.Options{URLs: urls}),
		"planted":    "../../testdata/har/planted.har",
	} {
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "sanitized.har")
			var stderr bytes.Buffer
			if code := Run(context.Background(), []string{"har", "sanitize", in, "-o", out},
				&IO{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &stderr, Getenv: func(string) string { return "" }}); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			var h struct {
				Log struct {
					Entries []json.RawMessage `json:"entries"`
				} `json:"log"`
			}
			if err := json.Unmarshal(data, &h); err != nil {
				t.Fatal(err)
			}
			imp := testhar.ImportIntoDevTools(t, data)
			if len(imp.Errors) > 0 || len(imp.Requests) != len(h.Log.Entries) {
				t.Fatalf("DevTools: %d requests of %d entries, errors %q", len(imp.Requests), len(h.Log.Entries), imp.Errors)
			}
		})
	}
}
