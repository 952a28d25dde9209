package reports

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Validate checks a report.json against the embedded schema, the one
// other packages' tests use through reports.CompileSchema.
func validate(t *testing.T, data []byte) {
	t.Helper()
	sch, err := CompileSchema()
	if err != nil {
		t.Fatalf("compiling the report schema: %v", err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(v); err != nil {
		t.Fatalf("report does not match the schema: %v\n%s", err, data)
	}
}

func sample() *Report {
	status := 401
	return &Report{
		Schema: SchemaID, Tool: Tool{Name: "fix401", Version: "test"},
		Target:    Target{URL: "http://127.0.0.1/s/basic/"},
		StartedAt: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC), Outcome: Unresolved,
		Steps: []Step{{ID: "reproduce", Result: Failing, DurationMS: 12,
			Load: &Load{Kind: "http_401", Status: &status, Screenshot: new("screenshots/00-reproduce-1.png")}}},
		Diagnosis: Diagnosis{Kind: "http_401", Status: &status, Summary: "s", NextSteps: []string{"a"},
			Challenges: []Challenge{{Scheme: "Basic", Params: map[string]string{"realm": "x"}}}},
	}
}

func TestReportMatchesSchema(t *testing.T) {
	data, err := JSON(sample())
	if err != nil {
		t.Fatal(err)
	}
	validate(t, data)
}

func TestWriteDir(t *testing.T) {
	dir := t.TempDir()
	r := sample()
	if err := WriteDir(dir, r, map[string][]byte{"screenshots/00-reproduce-1.png": []byte("png")}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	validate(t, data)
	var back Report
	if err := json.Unmarshal(data, &back); err != nil || back.Artifacts.JSON != "report.json" {
		t.Fatalf("round trip: %v %+v", err, back.Artifacts)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name()[0] == '.' {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

// TestWriteDirTakesBackWhatItWrote: a write that fails half-way (a full
// disk; here a folder where report.json goes) leaves nothing that would
// mislead, no report.html pointing at a report.json that is not there.
func TestWriteDirTakesBackWhatItWrote(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "report.json"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "report.json", "x"), []byte("x"), 0o644) // a rename cannot replace it
	err := WriteDir(dir, sample(), map[string][]byte{"screenshots/00-reproduce-1.png": []byte("png")})
	if err == nil {
		t.Fatal("WriteDir succeeded")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "report.json" {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}
