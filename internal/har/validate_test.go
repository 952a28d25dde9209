package har

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The HAR 1.2 schema, with its licence and source, in the repository's
// testdata: a missing folder is a broken checkout, not a reason to skip.
var schemaDir = filepath.Join("..", "..", "testdata", "har-schema")

// npmDir is where `make deps` installs the upstream validator's packages.
var npmDir = filepath.Join("..", "..", ".cache", "npm", "node_modules")

var schema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	dir, err := filepath.Abs(schemaDir)
	if err != nil {
		return nil, err
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		return nil, &os.PathError{Op: "glob", Path: dir, Err: os.ErrNotExist}
	}
	c := jsonschema.NewCompiler()
	// Formats are annotations in draft-06 unless asserted; the upstream
	// validator (ajv-formats) asserts them, so must we.
	c.AssertFormat()
	for _, f := range files {
		r, err := os.Open(f)
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(r)
		r.Close()
		if err != nil {
			return nil, err
		}
		// Each file's $id is "<name>.json#": relative to where it is
		// added, so every $ref between them resolves in this folder.
		if err := c.AddResource(fileURL(f), doc); err != nil {
			return nil, err
		}
	}
	return c.Compile(fileURL(filepath.Join(dir, "har.json")))
})

func fileURL(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/… on Windows
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// validate checks data against the HAR 1.2 schema in Go, then with the
// upstream node validator when it is installed.
func validate(t *testing.T, data []byte) {
	t.Helper()
	sch, err := schema()
	if err != nil {
		t.Fatalf("loading the HAR schema from %s: %v", schemaDir, err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the HAR is not JSON: %v", err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("the HAR does not validate: %v", err)
	}
	validateNode(t, data)
}

func validateNode(t *testing.T, data []byte) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		notRun(t, "node is not on PATH: install the Debian package nodejs")
		return
	}
	mods, err := filepath.Abs(npmDir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(mods, "ajv")); err != nil {
		notRun(t, mods+" has no ajv: run make deps")
		return
	}
	dir, err := filepath.Abs(schemaDir)
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "network.har")
	if err := os.WriteFile(f, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join(dir, "validate-har.js"), dir, f)
	cmd.Env = append(os.Environ(), "NODE_PATH="+mods)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("validate-har.js: %v\n%s", err, out)
	}
}

// notRun says why the upstream validator did not run: a failure in CI,
// where make deps installs it, a note elsewhere (the Go check still ran).
func notRun(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("validate-har.js not run: %s", why)
	}
	t.Logf("validate-har.js not run: %s (the Go schema check ran; CI does not skip this)", why)
}

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
