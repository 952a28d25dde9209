package check

import (
	"fmt"
	"strconv"
	"strings"
)

// Shard is one part of a config split over several runs (pods of a
// Kubernetes Indexed Job, CI matrix jobs): the checks at positions i with
// i % Count == Index. Positions are the config's order, so every shard of
// the same file agrees on who runs what, and a check keeps its shard when
// checks are appended at the end.
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// All is the shard that runs everything.
var All = Shard{Index: 0, Count: 1}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// ParseShard reads INDEX/COUNT (0-based index).
func ParseShard(v string) (Shard, error) {
	i, c, ok := strings.Cut(strings.TrimSpace(v), "/")
	if !ok {
		return Shard{}, fmt.Errorf("shard %q: want INDEX/COUNT, e.g. 0/3", v)
	}
	return newShard(i, c, v)
}

func newShard(index, count, orig string) (Shard, error) {
	c, err := strconv.Atoi(strings.TrimSpace(count))
	if err != nil || c < 1 {
		return Shard{}, fmt.Errorf("shard %q: COUNT must be a whole number of at least 1", orig)
	}
	i, err := strconv.Atoi(strings.TrimSpace(index))
	if err != nil || i < 0 || i >= c {
		return Shard{}, fmt.Errorf("shard %q: INDEX must be a whole number from 0 to %d", orig, c-1)
	}
	return Shard{Index: i, Count: c}, nil
}

// ShardFromEnv reads the shard a Kubernetes Indexed Job gives its pod:
// JOB_COMPLETION_INDEX is set by Kubernetes itself, JOB_COMPLETIONS must be
// set in the pod template to the Job's completions (Kubernetes does not
// pass it on). Without JOB_COMPLETION_INDEX the run is not sharded.
func ShardFromEnv(getenv func(string) string) (Shard, error) {
	index, count := getenv("JOB_COMPLETION_INDEX"), getenv("JOB_COMPLETIONS")
	switch {
	case index == "" && count == "":
		return All, nil
	case index == "":
		return Shard{}, fmt.Errorf("JOB_COMPLETIONS=%s is set but JOB_COMPLETION_INDEX is not: run in an Indexed Job or give --shard", count)
	case count == "":
		if index == "0" {
			return All, nil // a one-pod Indexed Job
		}
		return Shard{}, fmt.Errorf("JOB_COMPLETION_INDEX=%s is set but JOB_COMPLETIONS is not: set it to the Job's completions in the pod template", index)
	}
	s, err := newShard(index, count, index+"/"+count)
	if err != nil {
		return Shard{}, fmt.Errorf("JOB_COMPLETION_INDEX/JOB_COMPLETIONS: %w", err)
	}
	return s, nil
}

// Select returns the checks of this shard, in order.
func (s Shard) Select(checks []Check) []Check {
	if s.Count <= 1 {
		return checks
	}
	var out []Check
	for i, c := range checks {
		if i%s.Count == s.Index {
			out = append(out, c)
		}
	}
	return out
}
