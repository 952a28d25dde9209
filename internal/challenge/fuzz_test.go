package challenge

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bytes, split into field lines at "\x00", through
// Parse and Describe. The properties are the ones the CLI depends on when it
// prints or serializes whatever a server sent.
func FuzzParse(f *testing.F) {
	for _, c := range loadCorpus(f) {
		f.Add(strings.Join(c.Headers, "\x00"))
	}
	f.Fuzz(func(t *testing.T, in string) {
		r := Parse(strings.Split(in, "\x00")...)
		if r.Valid != (r.Error == nil) {
			t.Fatalf("Valid = %v but Error = %v", r.Valid, deref(r.Error))
		}
		if r.Challenges == nil || r.Warnings == nil {
			t.Fatal("nil Challenges or Warnings")
		}
		for i, c := range r.Challenges {
			if c.Params == nil {
				t.Fatalf("challenge %d has nil Params", i)
			}
			if c.Scheme == "" {
				t.Fatalf("challenge %d has an empty scheme", i)
			}
			for n := range c.Params {
				if n == "" || n != strings.ToLower(n) {
					t.Fatalf("challenge %d has parameter name %q", i, n)
				}
			}
			if c.Token68 != nil && len(c.Params) > 0 {
				t.Fatalf("challenge %d has both token68 and params", i)
			}
		}
		// Whatever was read, valid or partial, must be expressible again
		// in RFC 9110 syntax and read back identically.
		if len(r.Challenges) > 0 {
			again := Parse(serialize(r.Challenges))
			if !again.Valid || !reflect.DeepEqual(again.Challenges, r.Challenges) {
				t.Fatalf("round trip of %q: %+v", serialize(r.Challenges), again)
			}
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatalf("json.Marshal: %v", err)
		}
		_ = Describe(r)
		_, _ = r.BearerError()
		_ = SplitHeaderLines(in)
	})
}

// serialize writes challenges back as one field value, every parameter
// value as a quoted-string.
func serialize(cs []Challenge) string {
	parts := make([]string, 0, len(cs))
	for _, c := range cs {
		s := c.Scheme
		if c.Token68 != nil {
			s += " " + *c.Token68
		}
		// In the order read, so that reading it again gives the same.
		for i, n := range c.Order {
			sep := ", "
			if i == 0 {
				sep = " "
			}
			v := strings.ReplaceAll(c.Params[n], `\`, `\\`)
			v = strings.ReplaceAll(v, `"`, `\"`)
			s += sep + n + `="` + v + `"`
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}
