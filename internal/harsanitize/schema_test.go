package harsanitize

import (
	"bytes"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The HAR 1.2 schema the repository keeps (internal/har validates
// fix401's own HAR against it the same way): in Go, then with the upstream
// node validator (ajv) when `make deps` has installed it.
var (
	schemaDir = filepath.Join("..", "..", "testdata", "har-schema")
	npmDir    = filepath.Join("..", "..", ".cache", "npm", "node_modules")
)

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
	c.AssertFormat() // ajv-formats asserts formats; so must we
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
		if err := c.AddResource(fileURL(f), doc); err != nil {
			return nil, err
		}
	}
	return c.Compile(fileURL(filepath.Join(dir, "har.json")))
})

func fileURL(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// validate checks data against the HAR 1.2 schema.
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
	f := filepath.Join(t.TempDir(), "sanitized.har")
	if err := os.WriteFile(f, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join(dir, "validate-har.js"), dir, f)
	cmd.Env = append(os.Environ(), "NODE_PATH="+mods)
	if out, err := cmd.CombinedOutput(); err != nil {
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

// TestSanitizedHARValidates: the sanitized fixture is a valid HAR 1.2 by
// the schema, in Go and with ajv. (The fixture is not quite: like Chrome,
// it writes "" for an unknown server address, which the copy drops.)
func TestSanitizedHARValidates(t *testing.T) {
	_, out, _ := sanitizePlanted(t)
	validate(t, out)
}
