package check

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"path/filepath"
	"strings"
)

// JUnit XML in the strict Apache Ant schema (schemas/junit.xsd): Jenkins,
// GitLab and most CI systems read it, and unlike the loose dialects it can
// be validated. The schema asks for a few things other emitters leave out:
// <properties>, <system-out> and <system-err> must be present, a
// <testsuite> under <testsuites> needs id and package, timestamps have no
// zone, and <failure> and <error> need a type.

type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Package    string          `xml:"package,attr"`
	ID         int             `xml:"id,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Hostname   string          `xml:"hostname,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
	SystemOut  junitText       `xml:"system-out"`
	SystemErr  junitText       `xml:"system-err"`
}

// junitText is multi-line text kept readable in the file: CDATA rather
// than a &#xA; for every newline.
type junitText struct {
	Text string `xml:",cdata"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",cdata"`
}

// JUnit renders the summary as one <testsuite> named after the config file,
// one <testcase> per check named after the check. A check that fails has a
// <failure> whose message is the diagnosis summary; a check that could not
// finish has an <error>. hostname may be empty ("localhost", as the schema
// says).
func (s *Summary) JUnit(hostname string) ([]byte, error) {
	if hostname == "" {
		hostname = "localhost"
	}
	name := filepath.Base(s.Config)
	// Jenkins splits classname at its last dot into package and class:
	// "fix401.checks" groups the checks of checks.yaml under fix401.
	class := "fix401." + strings.TrimSuffix(name, filepath.Ext(name))
	suite := junitSuite{
		Name: name, Package: "fix401", ID: 0,
		Timestamp: s.StartedAt.UTC().Format("2006-01-02T15:04:05"),
		Hostname:  hostname,
		Tests:     len(s.Checks), Failures: s.Failed, Errors: s.Errors, Skipped: s.Skipped,
		Time: secs(s.DurationMS),
		Properties: []junitProperty{
			{"config", s.Config},
			{"shard", s.Shard.String()},
			{"fix401.version", s.Version},
		},
		Cases: []junitCase{},
	}
	if s.Browser != "" {
		suite.Properties = append(suite.Properties, junitProperty{"browser", s.Browser})
	}
	var out strings.Builder
	for _, r := range s.Checks {
		c := junitCase{Name: r.Name, Classname: class, Time: secs(r.DurationMS)}
		fmt.Fprintf(&out, "%s %s %s\n", r.Result, r.Name, r.URL)
		switch r.Result {
		case Fail:
			msg := r.Summary
			if msg == "" {
				msg = r.Reason
			}
			if len(r.Findings) > 0 {
				// Finding ids are stable: CI can group failures by them.
				msg += " [findings: " + strings.Join(r.Findings, ", ") + "]"
			}
			c.Failure = &junitProblem{Message: msg, Type: failureType(r), Text: xmlSafe(details(r))}
		case Error:
			c.Error = &junitProblem{Message: r.Error, Type: "error", Text: xmlSafe(details(r))}
		case Skipped:
			c.Skipped = &junitSkipped{Message: r.Error}
		}
		suite.Cases = append(suite.Cases, c)
	}
	if s.Stopped != "" {
		fmt.Fprintf(&out, "stopped early: %s\n", s.Stopped)
	}
	suite.SystemOut = junitText{xmlSafe(out.String())}

	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(junitSuites{Suites: []junitSuite{suite}}); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// failureType names what kind of expectation failed, so CI can group them.
func failureType(r Result) string {
	return "fix401." + strings.ReplaceAll(strings.Fields(r.Expect)[0], "_", "-")
}

// details is the failure's body: everything needed to act on it without
// opening the report.
func details(r Result) string {
	var b strings.Builder
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	line("url", r.URL)
	line("expected", r.Expect)
	line("reason", r.Reason)
	line("outcome", string(r.Outcome))
	line("status", statusText(r.Status))
	line("kind", r.Kind)
	line("fixed by", r.FixedBy)
	line("summary", r.Summary)
	line("findings", strings.Join(r.Findings, ", "))
	if r.Report != nil {
		for _, s := range r.Report.Diagnosis.NextSteps {
			line("next", s)
		}
	}
	for _, n := range r.Notes {
		line("note", n)
	}
	if r.ReportDir != "" {
		line("report", filepath.Join(r.ReportDir, "report.html"))
	}
	return b.String()
}

// xmlSafe drops the characters XML 1.0 cannot carry at all (control
// characters from a page title, say). Attributes are escaped by
// encoding/xml; CDATA is written as is, so it needs this.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r == 0xFFFE, r == 0xFFFF, r >= 0xD800 && r <= 0xDFFF:
			return -1
		}
		return r
	}, s)
}

func secs(ms int64) string {
	return fmt.Sprintf("%.3f", float64(ms)/1000)
}
