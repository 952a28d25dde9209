package cli

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fix401/fix401/internal/check"
)

// summaryPathKeys classifies every string field of check's --json
// summary: true for a path, which --json prints absolute. A field added to
// the summary must be added here, so that a new path cannot slip out
// relative.
var summaryPathKeys = map[string]bool{
	"schema": false, "config": true, "version": false, "browser": false, "stopped": false,
	"name": false, "url": false, "expect": false, "result": false, "outcome": false, "kind": false,
	"fixed_by": false, "reason": false, "summary": false, "error": false, "report_dir": true,
	"findings": false, "notes": false,
}

// stringFields calls fn with the JSON key and value of every string (or
// []string) field of the struct v, and of the structs it holds.
func stringFields(v reflect.Value, fn func(key string, f reflect.Value)) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			stringFields(v.Elem(), fn)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			stringFields(v.Index(i), fn)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			sf := v.Type().Field(i)
			key, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if !sf.IsExported() || key == "-" {
				continue
			}
			f := v.Field(i)
			switch {
			case f.Kind() == reflect.String, f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.String:
				fn(key, f)
			default:
				stringFields(f, fn)
			}
		}
	}
}

// TestCheckJSONPathsAreAbsolute: every path check --json prints is
// absolute, whatever --config and --out were given as; the table keeps
// them as given.
func TestCheckJSONPathsAreAbsolute(t *testing.T) {
	const rel = "c10o/nf"
	sum := &check.Summary{Checks: []check.Result{{}, {}}}
	// Every string field holds a relative path: the ones that are paths
	// must come out absolute.
	stringFields(reflect.ValueOf(sum), func(key string, f reflect.Value) {
		if _, known := summaryPathKeys[key]; !known {
			t.Errorf("check's summary has a field %q summaryPathKeys does not classify: is it a path?", key)
		}
		if f.Kind() == reflect.String {
			f.SetString(rel)
		}
	})
	want, err := filepath.Abs(rel)
	if err != nil {
		t.Fatal(err)
	}
	data, err := absSummary(sum).JSON()
	if err != nil {
		t.Fatal(err)
	}
	var shown check.Summary
	if err := json.Unmarshal(data, &shown); err != nil {
		t.Fatal(err)
	}
	paths := 0
	stringFields(reflect.ValueOf(&shown), func(key string, f reflect.Value) {
		if !summaryPathKeys[key] {
			return
		}
		paths++
		if got := f.String(); got != want {
			t.Errorf("%s = %q in --json, want %q", key, got, want)
		}
	})
	if paths != 3 {
		t.Errorf("%d paths seen, want 3 (config and two report folders)", paths)
	}
	if sum.Config != rel || sum.Checks[0].ReportDir != rel {
		t.Errorf("the summary itself changed: %q, %q", sum.Config, sum.Checks[0].ReportDir)
	}
	// A check with no report folder has none in --json either.
	if got := absSummary(&check.Summary{Checks: []check.Result{{}}}).Checks[0].ReportDir; got != "" {
		t.Errorf("no report folder became %q", got)
	}
}
