package urlfix

import (
	"slices"
	"strings"
	"testing"
)

func urls(cs []Candidate) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.URL)
	}
	return out
}

func TestCandidates(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string // first candidates, in order
	}{
		{" https://intranet.example/reports/q3). ", []string{"https://intranet.example/reports/q3"}},
		{"https://intranet.example/reports/q3%20", []string{"https://intranet.example/reports/q3"}},
		{"https://https://intranet.example/a", []string{"https://intranet.example/a"}},
		{`https://intranet.example\reports\q3`, []string{"https://intranet.example/reports/q3"}},
		{"https://intranet.example/reports//q3", []string{"https://intranet.example/reports/q3"}},
		// Browsers lower-case hosts themselves: host case alone is no candidate.
		{"https://Intranet.Example/a", []string{"https://www.intranet.example/a"}},
		{"http://intranet.example/a", []string{"https://intranet.example/a", "http://www.intranet.example/a"}},
		{"https://intranet.example/Reports/Q3", []string{"https://intranet.example/reports/q3", "https://www.intranet.example/Reports/Q3"}},
		{"https://www.intranet.example/a", []string{"https://intranet.example/a"}},
		{"http://127.0.0.1:8401/s/basic/", []string{"https://127.0.0.1:8401/s/basic/"}},
		{"https://intranet.example/q?id=5).", []string{"https://intranet.example/q?id=5"}},
	} {
		got := urls(Candidates(tt.in))
		if len(got) < len(tt.want) || !slices.Equal(got[:len(tt.want)], tt.want) {
			t.Errorf("Candidates(%q) = %q, want prefix %q", tt.in, got, tt.want)
		}
		if slices.Contains(got, tt.in) {
			t.Errorf("Candidates(%q) proposes the input itself", tt.in)
		}
	}
	if got := Candidates("https://intranet.example/fine"); len(got) != 1 || got[0].Why != "added www." {
		t.Errorf("clean URL: %+v", got)
	}
}

func TestParents(t *testing.T) {
	got := Parents("https://a.example/s/url-typo/reports/q3?x=1")
	want := []string{"https://a.example/s/url-typo/reports/", "https://a.example/s/url-typo/", "https://a.example/s/", "https://a.example/"}
	if !slices.Equal(got, want) {
		t.Errorf("Parents = %q", got)
	}
}

func TestNormalizeRefusesWhatNoSiteAnswers(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"http://[fe80::1%25eth0]/", "an IPv6 zone (%eth0) is not allowed"},
		{"http://127.0.0.1/" + strings.Repeat("a", MaxURL), "fix401 takes URLs of up to 32 KiB"},
	} {
		if _, err := Normalize(tt.in); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Normalize(%.40q…) = %v, want %q", tt.in, err, tt.want)
		}
	}
}

// A URL that fails to parse may still carry a password: no message quotes
// it, however the authority is mistyped.
func TestMessagesNeverQuoteAPassword(t *testing.T) {
	for _, raw := range []string{
		"http://alice:SP SECRET2@127.0.0.1:18081/",
		"http:/alice:SECRET2@127.0.0.1:18081/",
		`http:\\alice:SECRET2@127.0.0.1:18081/`,
		"http://alice:SECRET2@127.0.0.1:bad/",
		"http://alice:SECRET2@[fe80::1%25eth0]/",
		"http://alice:SECRET2@/x",
	} {
		_, err := Normalize(raw)
		if err == nil {
			continue
		}
		if strings.Contains(err.Error(), "SECRET2") {
			t.Errorf("Normalize(%q): %v", raw, err)
		}
	}
}
