package check

import (
	"fmt"
	"reflect"
	"testing"
)

func TestParseShard(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Shard
		err  string
	}{
		{"0/1", Shard{0, 1}, ""},
		{"2/3", Shard{2, 3}, ""},
		{" 1/4 ", Shard{1, 4}, ""},
		{"3/3", Shard{}, `shard "3/3": INDEX must be a whole number from 0 to 2`},
		{"-1/3", Shard{}, `shard "-1/3": INDEX must be a whole number from 0 to 2`},
		{"1/0", Shard{}, `shard "1/0": COUNT must be a whole number of at least 1`},
		{"1", Shard{}, `shard "1": want INDEX/COUNT, e.g. 0/3`},
		{"a/b", Shard{}, `shard "a/b": COUNT must be a whole number of at least 1`},
	} {
		got, err := ParseShard(tt.in)
		if fmt.Sprint(err) != fmt.Sprint(nilIfEmpty(tt.err)) || got != tt.want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func TestShardFromEnv(t *testing.T) {
	for _, tt := range []struct {
		index, count string
		want         Shard
		err          string
	}{
		{"", "", All, ""},
		{"1", "3", Shard{1, 3}, ""},
		{"0", "", All, ""},
		{"2", "", Shard{}, "JOB_COMPLETION_INDEX=2 is set but JOB_COMPLETIONS is not: set it to the Job's completions in the pod template"},
		{"", "3", Shard{}, "JOB_COMPLETIONS=3 is set but JOB_COMPLETION_INDEX is not: run in an Indexed Job or give --shard"},
		{"5", "3", Shard{}, `JOB_COMPLETION_INDEX/JOB_COMPLETIONS: shard "5/3": INDEX must be a whole number from 0 to 2`},
	} {
		got, err := ShardFromEnv(env("JOB_COMPLETION_INDEX", tt.index, "JOB_COMPLETIONS", tt.count))
		if fmt.Sprint(err) != fmt.Sprint(nilIfEmpty(tt.err)) || got != tt.want {
			t.Errorf("ShardFromEnv(%q, %q) = %v, %v; want %v, %v", tt.index, tt.count, got, err, tt.want, tt.err)
		}
	}
}

// Every check runs in exactly one shard, and the split follows positions.
func TestShardSelect(t *testing.T) {
	var checks []Check
	for i := range 7 {
		checks = append(checks, Check{Name: fmt.Sprint("c", i)})
	}
	names := func(cs []Check) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Name)
		}
		return out
	}
	want := [][]string{{"c0", "c3", "c6"}, {"c1", "c4"}, {"c2", "c5"}}
	seen := map[string]int{}
	for i := range 3 {
		got := names(Shard{i, 3}.Select(checks))
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("shard %d/3 = %q, want %q", i, got, want[i])
		}
		for _, n := range got {
			seen[n]++
		}
	}
	for _, c := range checks {
		if seen[c.Name] != 1 {
			t.Errorf("%s runs in %d shards", c.Name, seen[c.Name])
		}
	}
	if got := All.Select(checks); len(got) != 7 {
		t.Errorf("0/1 selected %d checks", len(got))
	}
	if got := (Shard{9, 10}).Select(checks); len(got) != 0 {
		t.Errorf("9/10 of 7 checks selected %q", names(got))
	}
}
