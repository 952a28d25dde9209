package challenge

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

// corpusCase is one vector of testdata/corpus.json. Expectations follow RFC
// 9110 even where the cited browser is lenient; "note" says so.
type corpusCase struct {
	Name            string      `json:"name"`
	Source          string      `json:"source"`
	Note            string      `json:"note"`
	Headers         []string    `json:"headers"`
	Latin1          bool        `json:"latin1"` // headers and values hold raw ISO-8859-1 bytes, which JSON cannot carry
	Valid           bool        `json:"valid"`
	Challenges      []Challenge `json:"challenges"`
	WarningsContain []string    `json:"warnings_contain"`
	ErrorContains   string      `json:"error_contains"`
}

// latin1Bytes turns each code point below 256 into the single byte it names.
func latin1Bytes(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = append(b, byte(r))
	}
	return string(b)
}

func loadCorpus(t testing.TB) []corpusCase {
	t.Helper()
	data, err := os.ReadFile("testdata/corpus.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []corpusCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	for i := range cases {
		c := &cases[i]
		if c.Latin1 {
			for j := range c.Headers {
				c.Headers[j] = latin1Bytes(c.Headers[j])
			}
			for k := range c.Challenges {
				for n, v := range c.Challenges[k].Params {
					c.Challenges[k].Params[n] = latin1Bytes(v)
				}
			}
		}
		for k := range c.Challenges {
			if c.Challenges[k].Params == nil {
				c.Challenges[k].Params = map[string]string{}
			}
		}
		if c.Challenges == nil {
			c.Challenges = []Challenge{}
		}
	}
	return cases
}

func TestCorpus(t *testing.T) {
	cases := loadCorpus(t)
	if len(cases) < 60 {
		t.Fatalf("corpus has %d cases, want at least 60", len(cases))
	}
	seen := map[string]bool{}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			if c.Source == "" {
				t.Fatal("case without a source")
			}
			if seen[c.Name] {
				t.Fatal("duplicate case name")
			}
			seen[c.Name] = true
			r := Parse(c.Headers...)
			if r.Valid != c.Valid {
				t.Errorf("Valid = %v, want %v (error %v)", r.Valid, c.Valid, deref(r.Error))
			}
			if (r.Error == nil) != r.Valid {
				t.Errorf("Valid = %v but Error = %v", r.Valid, deref(r.Error))
			}
			if c.ErrorContains != "" && !strings.Contains(deref(r.Error), c.ErrorContains) {
				t.Errorf("error %q does not contain %q", deref(r.Error), c.ErrorContains)
			}
			// The corpus gives params as maps; their order is checked
			// here, against the order the names appear in the header.
			for i := range r.Challenges {
				ch := &r.Challenges[i]
				if len(ch.Order) != len(ch.Params) {
					t.Errorf("%s: order %q for params %v", ch.Scheme, ch.Order, ch.Params)
				}
				ch.Order = nil
			}
			if !reflect.DeepEqual(r.Challenges, c.Challenges) {
				got, _ := json.Marshal(r.Challenges)
				want, _ := json.Marshal(c.Challenges)
				t.Errorf("challenges\n got %s\nwant %s", got, want)
			}
			for _, w := range c.WarningsContain {
				if !containsSub(r.Warnings, w) {
					t.Errorf("no warning contains %q; warnings: %q", w, r.Warnings)
				}
			}
			if len(Describe(r)) == 0 {
				t.Error("Describe returned nothing")
			}
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func containsSub(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
