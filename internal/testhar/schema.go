package testhar

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

// The HAR 1.2 schema, with its licence and source, in the repository's
// testdata: a missing folder is a broken checkout, not a reason to skip.
// npmDir is where `make deps` installs the upstream validator's packages.
// Both are set once, from the repository's root (tests run in parallel).
var (
	schemaDir, npmDir string
	dirsOnce          sync.Once
)

var harSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
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

// ValidateHAR checks data against the HAR 1.2 schema in Go, then with the
// upstream node validator when it is installed.
func ValidateHAR(t testing.TB, data []byte) {
	t.Helper()
	dirsOnce.Do(func() {
		root := RepoRoot(t)
		schemaDir = filepath.Join(root, "testdata", "har-schema")
		npmDir = filepath.Join(root, ".cache", "npm", "node_modules")
	})
	sch, err := harSchema()
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

func validateNode(t testing.TB, data []byte) {
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
func notRun(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("validate-har.js not run: %s", why)
	}
	t.Logf("validate-har.js not run: %s (the Go schema check ran; CI does not skip this)", why)
}
