package steps

import (
	"strings"
	"testing"
)

// TestEveryStepIsWhole: each step says what it is, how a person repeats
// it in every browser and how "fixed by" names it, in its own file.
func TestEveryStepIsWhole(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range All() {
		id := s.ID()
		if seen[id] {
			t.Errorf("%s twice in All", id)
		}
		seen[id] = true
		if s.Title() == "" || s.Help() == "" {
			t.Errorf("%s: no title or help", id)
		}
		if id == "reproduce" {
			if s.ByHand() != nil || s.FixedPhrase() != "" {
				t.Error("reproduce fixes nothing, so it has nothing to repeat")
			}
			continue
		}
		if s.FixedPhrase() == "" {
			t.Errorf("%s: no phrase for \"fixed by\"", id)
		}
		in := s.ByHand()
		if len(in) != len(Browsers) {
			t.Errorf("%s: %d browsers, want %d", id, len(in), len(Browsers))
		}
		for _, b := range Browsers {
			if len(in[b]) == 0 {
				t.Errorf("%s: nothing for %s", id, b)
			}
			for _, line := range in[b] {
				if strings.Count(line, "`")%2 != 0 {
					t.Errorf("%s/%s: unbalanced backticks in %q", id, b, line)
				}
			}
		}
	}
	for id, want := range map[string]string{"clear-cache": "Ctrl+Shift+Delete", "dns-flush": "ipconfig /flushdns"} {
		if !strings.Contains(strings.Join(ByID(id).ByHand()["Chrome"], " "), want) {
			t.Errorf("%s: Chrome steps do not mention %q", id, want)
		}
	}
}

// The allowlist steps name the site's own host, ready to copy.
func TestIntegratedAuthByHandNamesTheHost(t *testing.T) {
	m := IntegratedAuth{}.ByHandFor("http://intranet.corp.example:8080/reports/")
	all := ""
	for _, b := range Browsers {
		all += strings.Join(m[b], "\n") + "\n"
	}
	for _, want := range []string{"`http://intranet.corp.example:8080`", `AuthServerAllowlist "intranet.corp.example"`,
		`{"AuthServerAllowlist": "intranet.corp.example"}`, "--auth-server-allowlist=intranet.corp.example`"} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %s in:\n%s", want, all)
		}
	}
	if strings.Contains(all, `"host"`) {
		t.Errorf("a placeholder is left:\n%s", all)
	}
}

// A list a step found empty is an empty list in the report, never null
// (which a report shows as unknown).
func TestEvidenceMapKeepsEmptyLists(t *testing.T) {
	m := EvidenceMap(ClearEvidence{Origins: []string{"https://intranet.example"}})
	got, ok := m["cookies_removed"].([]string)
	if !ok || got == nil || len(got) != 0 {
		t.Errorf("cookies_removed = %#v, want an empty list", m["cookies_removed"])
	}
	if _, ok := EvidenceMap(IntegratedAuthEvidence{})["schemes"].([]string); !ok {
		t.Errorf("schemes = %#v, want a list", EvidenceMap(IntegratedAuthEvidence{})["schemes"])
	}
}
