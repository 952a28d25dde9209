package har

import (
	"encoding/json"
	"strings"
	"testing"
)

// decode reads a HAR back into the package's own types.
func decode(t *testing.T, data []byte) *file {
	t.Helper()
	var f file
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	return &f
}

// checkRules checks what the schema cannot say: HAR's rules on timings and
// ids, and the links between entries and pages.
func checkRules(t *testing.T, f *file) {
	t.Helper()
	ids := map[string]bool{}
	for _, p := range f.Log.Pages {
		if ids[p.ID] {
			t.Errorf("page id %s twice", p.ID)
		}
		ids[p.ID] = true
	}
	prev := ""
	for i, e := range f.Log.Entries {
		tm := e.Timings
		if tm.Send < 0 || tm.Wait < 0 || tm.Receive < 0 {
			t.Errorf("entry %d: send/wait/receive below 0: %+v", i, tm)
		}
		for _, v := range []float64{tm.Blocked, tm.DNS, tm.Connect, tm.SSL} {
			if v < 0 && v != -1 {
				t.Errorf("entry %d: optional timing %v is neither -1 nor >= 0", i, v)
			}
		}
		sum := max(tm.Blocked, 0) + max(tm.DNS, 0) + max(tm.Connect, 0) + tm.Send + tm.Wait + tm.Receive
		if d := sum - e.Time; d > 0.002 || d < -0.002 {
			t.Errorf("entry %d: time %v, phases add up to %v", i, e.Time, sum)
		}
		if !ids[e.Pageref] {
			t.Errorf("entry %d: pageref %q names no page", i, e.Pageref)
		}
		if e.ResourceType != "" && !devtoolsTypes[e.ResourceType] {
			t.Errorf("entry %d: _resourceType %q is not a DevTools resource type", i, e.ResourceType)
		}
		if e.StartedDateTime < prev {
			t.Errorf("entry %d starts before the one before it", i)
		}
		prev = e.StartedDateTime
	}
}

// devtoolsTypes are the resource type names DevTools' HAR importer knows
// (front_end/core/common/ResourceType.ts); others fall back to guessing.
var devtoolsTypes = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(`document stylesheet image media font script texttrack xhr fetch prefetch
		eventsource websocket webtransport wasm manifest signed-exchange ping csp-violation-report other preflight`) {
		m[n] = true
	}
	return m
}()
