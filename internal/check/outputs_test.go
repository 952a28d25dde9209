package check

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/fix401/fix401/reports"
)

// tool finds an external validator. It is skipped only on a developer's
// machine: in CI (CI set) a missing validator fails loudly, so the outputs
// are never shipped unvalidated.
func tool(t *testing.T, name, debianPackage string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is missing: install the Debian package %s", name, debianPackage)
	}
	t.Skipf("%s is missing (Debian package %s); CI does not skip this", name, debianPackage)
	return ""
}

// schemaPath is the strict Ant JUnit schema of the design, copied with its
// licence and source into testdata so the test needs nothing outside the
// repository.
func schemaPath(t *testing.T) string {
	p := filepath.Join("testdata", "junit.xsd")
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// sampleSummary has one check of every verdict, with text that XML and
// the Prometheus format must escape, and a URL with a secret in it.
func sampleSummary() *Summary {
	started := time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)
	cfg := &Config{File: "deploy/checks.yaml"}
	pass := baseResult(&Check{Name: "home", URL: "https://intranet.example/", Expect: Expect{Kind: ExpectHealthy}})
	pass.Result, pass.Outcome, pass.Status, pass.Kind, pass.DurationMS = Pass, reports.Healthy, 200, "none", 612
	pass.CertExpires = time.Date(2027, 1, 31, 12, 0, 0, 0, time.UTC)

	fail := baseResult(&Check{Name: "reports", URL: `https://intranet.example/q3?id=7&access_token=eyJsecret`, Expect: Expect{Kind: ExpectFixedBy, Step: "relogin"}})
	fail.Result, fail.Outcome, fail.Status, fail.Kind, fail.FixedBy, fail.DurationMS = Fail, reports.Fixed, 401, "http_401", "clear-cookies", 2480
	fail.Reason = "expected fixed_by relogin, got fixed by clear-cookies (http_401, 401)"
	fail.Summary = `The server answered 401 with Basic realm="Q3 <reports> & more" ]]> and a bell` + "\a"
	fail.Findings = []string{"credentials_rejected", "intermittent"}
	fail.ReportDir = "out/reports"
	fail.Notes = []string{"credentials are not used yet: user, password_env checked but not sent"}

	stopped := baseResult(&Check{Name: "slow", URL: "http://slow.example:8080/", Expect: Expect{Kind: ExpectAuthRequired}})
	stopped.Result, stopped.Error, stopped.Reason, stopped.DurationMS = Error, "the run took longer than --max-time", "the run took longer than --max-time", 30000

	s := NewSummary(cfg, Shard{1, 3}, []Result{pass, fail, stopped}, started, started.Add(32*time.Second+500*time.Millisecond))
	s.Version, s.Browser, s.Stopped = "v1.2.3", "Chrome/156.0.8078.79", "the run took longer than --max-time"
	cfg.Checks = make([]Check, 8)
	s.Total = 8
	return s
}

func TestJUnitValidAgainstStrictSchema(t *testing.T) {
	xmllint := tool(t, "xmllint", "libxml2-utils")
	s := sampleSummary()
	path := filepath.Join(t.TempDir(), "junit.xml")
	if err := s.WriteJUnit(path, ""); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xmllint, "--noout", "--schema", schemaPath(t), path).CombinedOutput()
	if err != nil {
		data, _ := os.ReadFile(path)
		t.Fatalf("xmllint: %v\n%s\n%s", err, out, data)
	}

	// What CI systems read: counts, names, the failure's message.
	var doc struct {
		Suites []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Errors   int    `xml:"errors,attr"`
			Host     string `xml:"hostname,attr"`
			Time     string `xml:"timestamp,attr"`
			Cases    []struct {
				Name    string `xml:"name,attr"`
				Class   string `xml:"classname,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
				Error *struct {
					Message string `xml:"message,attr"`
				} `xml:"error"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	data, _ := os.ReadFile(path)
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Suites) != 1 {
		t.Fatalf("%d suites, want 1", len(doc.Suites))
	}
	su := doc.Suites[0]
	if su.Name != "checks.yaml" || su.Tests != 3 || su.Failures != 1 || su.Errors != 1 || su.Host != "localhost" || su.Time != "2026-03-14T09:26:53" {
		t.Errorf("suite = %+v", su)
	}
	c := su.Cases
	if len(c) != 3 || c[0].Name != "home" || c[0].Failure != nil || c[0].Error != nil || c[0].Class != "fix401.checks" {
		t.Fatalf("cases = %+v", c)
	}
	if c[1].Failure == nil || !strings.HasPrefix(c[1].Failure.Message, `The server answered 401 with Basic realm="Q3 <reports> & more" ]]>`) ||
		!strings.HasSuffix(c[1].Failure.Message, "[findings: credentials_rejected, intermittent]") {
		t.Errorf("failure = %+v", c[1].Failure)
	}
	if strings.Contains(string(data), "eyJsecret") {
		t.Error("the JUnit file contains the URL's token")
	}
	for _, want := range []string{"expected: fixed_by relogin", "findings: credentials_rejected, intermittent", "report: out/reports/report.html", "note: credentials are not used yet"} {
		if !strings.Contains(c[1].Failure.Text, want) {
			t.Errorf("failure text lacks %q:\n%s", want, c[1].Failure.Text)
		}
	}
	if c[2].Error == nil || c[2].Error.Message != "the run took longer than --max-time" {
		t.Errorf("error = %+v", c[2].Error)
	}
}

// A run with no checks (an empty shard) is still a valid document.
func TestJUnitEmptyRunValid(t *testing.T) {
	xmllint := tool(t, "xmllint", "libxml2-utils")
	now := time.Now()
	s := NewSummary(&Config{File: "checks.yaml"}, Shard{5, 6}, nil, now, now)
	path := filepath.Join(t.TempDir(), "junit.xml")
	if err := s.WriteJUnit(path, "runner-7"); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(xmllint, "--noout", "--schema", schemaPath(t), path).CombinedOutput(); err != nil {
		t.Fatalf("xmllint: %v\n%s", err, out)
	}
}

func TestMetricsPromtool(t *testing.T) {
	promtool := tool(t, "promtool", "prometheus")
	dir := t.TempDir()
	path := filepath.Join(dir, "fix401.prom")
	if err := sampleSummary().WriteMetrics(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(data)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("promtool check metrics: %v\n%s\n%s", err, out, data)
	}
	// Only the file itself is left: the temporary file was renamed.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("files in the textfile directory: %v", entries)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v: node_exporter runs as another user and must read it", st.Mode().Perm())
	}
}

// The metrics say what the contract says, with the URL redacted.
func TestMetricsValues(t *testing.T) {
	data, err := sampleSummary().Metrics()
	if err != nil {
		t.Fatal(err)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("parsing our own output: %v\n%s", err, data)
	}
	type key struct{ metric, check, step, finding string }
	got := map[key]float64{}
	for name, mf := range families {
		for _, m := range mf.Metric {
			k := key{metric: name}
			for _, l := range m.Label {
				switch l.GetName() {
				case "check":
					k.check = l.GetValue()
				case "step":
					k.step = l.GetValue()
				case "finding":
					k.finding = l.GetValue()
				case "url":
					if strings.Contains(l.GetValue(), "eyJsecret") {
						t.Errorf("url label not redacted: %s", l.GetValue())
					}
				}
			}
			got[k] = m.GetGauge().GetValue()
		}
	}
	want := map[key]float64{
		{"fix401_check_success", "home", "", ""}:                             1,
		{"fix401_check_success", "reports", "", ""}:                          0,
		{"fix401_check_success", "slow", "", ""}:                             0,
		{"fix401_check_duration_seconds", "home", "", ""}:                    0.612,
		{"fix401_check_duration_seconds", "reports", "", ""}:                 2.48,
		{"fix401_check_duration_seconds", "slow", "", ""}:                    30,
		{"fix401_check_status_code", "home", "", ""}:                         200,
		{"fix401_check_status_code", "reports", "", ""}:                      401,
		{"fix401_check_status_code", "slow", "", ""}:                         0,
		{"fix401_check_fixed_by", "reports", "clear-cookies", ""}:            1,
		{"fix401_check_ssl_earliest_cert_expiry", "home", "", ""}:            float64(time.Date(2027, 1, 31, 12, 0, 0, 0, time.UTC).Unix()),
		{"fix401_check_failure_info", "reports", "", "credentials_rejected"}: 1,
		{"fix401_check_failure_info", "reports", "", "intermittent"}:         1,
		{"fix401_check_failure_info", "slow", "", ""}:                        1,
		{"fix401_run_timestamp_seconds", "", "", ""}:                         float64(time.Date(2026, 3, 14, 9, 27, 25, 500e6, time.UTC).UnixMilli()) / 1000,
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%v = %v (present %v), want %v", k, g, ok, v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d samples, want %d:\n%s", len(got), len(want), data)
	}
}

func TestSummaryJSONAndTable(t *testing.T) {
	s := sampleSummary()
	data, err := s.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back["schema"] != SummarySchema || back["passed"] != 1.0 || back["failed"] != 1.0 || back["errors"] != 1.0 {
		t.Errorf("summary JSON: %s", data)
	}
	if bytes.Contains(data, []byte("eyJsecret")) {
		t.Error("the JSON summary contains the URL's token")
	}
}

// TestJUnitSkippedValidAgainstStrictSchema: a check the run never started
// is <skipped> with the reason, counted in the suite, and still valid.
func TestJUnitSkippedValidAgainstStrictSchema(t *testing.T) {
	xmllint := tool(t, "xmllint", "libxml2-utils")
	started := time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)
	never := baseResult(&Check{Name: "later", URL: "http://later.example/", Expect: Expect{Kind: ExpectHealthy}})
	never.Result, never.Error, never.Reason = Skipped, "not started: the run took longer than --max-time", "not started: the run took longer than --max-time"
	s := NewSummary(&Config{File: "checks.yaml"}, Shard{0, 1}, []Result{never}, started, started.Add(time.Second))
	path := filepath.Join(t.TempDir(), "junit.xml")
	if err := s.WriteJUnit(path, ""); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(xmllint, "--noout", "--schema", schemaPath(t), path).CombinedOutput(); err != nil {
		t.Fatalf("xmllint: %v\n%s", err, out)
	}
	data, _ := os.ReadFile(path)
	for _, want := range []string{`skipped="1"`, `<skipped message="not started: the run took longer than --max-time"></skipped>`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("junit lacks %s:\n%s", want, data)
		}
	}
	if s.OK() {
		t.Error("a run with a check never started is OK")
	}
}
