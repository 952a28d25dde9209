package check

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

// The CLI scripts (testdata/script/check*.txtar) run in a scratch folder
// and cannot reach testdata/, so they carry copies of the lab configs. This
// keeps the copies identical to the files people read and run by hand.
func TestScriptConfigsMatchTestdata(t *testing.T) {
	configs, _ := filepath.Glob("../../testdata/checks*.yaml")
	scripts, _ := filepath.Glob("../../testdata/script/check*.txtar")
	if len(configs) == 0 || len(scripts) == 0 {
		t.Fatalf("configs %q, scripts %q", configs, scripts)
	}
	copies := map[string][]string{}
	for _, s := range scripts {
		a, err := txtar.ParseFile(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range a.Files {
			copies[f.Name] = append(copies[f.Name], s)
			for _, c := range configs {
				if filepath.Base(c) != f.Name {
					continue
				}
				want, err := os.ReadFile(c)
				if err != nil {
					t.Fatal(err)
				}
				if string(f.Data) != string(want) {
					t.Errorf("%s: %s differs from %s: copy the file into the script", s, f.Name, c)
				}
			}
		}
	}
	for _, c := range configs {
		if len(copies[filepath.Base(c)]) == 0 {
			t.Errorf("%s is run by no script in testdata/script", c)
		}
	}
}

// The lab configs are valid with the environment the scripts give them.
func TestTestdataConfigsParse(t *testing.T) {
	configs, _ := filepath.Glob("../../testdata/checks*.yaml")
	for _, c := range configs {
		if _, err := Load(c, env("LAB", "http://127.0.0.1:8401", "LAB_PASSWORD", "wonderland")); err != nil {
			t.Errorf("%v", err)
		}
	}
}
