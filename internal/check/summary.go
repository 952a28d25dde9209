package check

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// SummarySchema names the JSON summary's format.
const SummarySchema = "fix401.check/v1"

// Summary is a whole run: what `--json` prints and what JUnit and the
// metrics are made from.
type Summary struct {
	Schema     string    `json:"schema"`
	Config     string    `json:"config"`
	Shard      Shard     `json:"shard"`
	Total      int       `json:"total"` // checks in the config, every shard
	Version    string    `json:"version"`
	Browser    string    `json:"browser,omitempty"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	DurationMS int64     `json:"duration_ms"`
	Stopped    string    `json:"stopped,omitempty"` // why the run ended early
	Passed     int       `json:"passed"`
	Failed     int       `json:"failed"`
	Errors     int       `json:"errors"`
	Skipped    int       `json:"skipped"` // never started: the run ended first
	Checks     []Result  `json:"checks"`
}

// NewSummary counts the results.
func NewSummary(cfg *Config, shard Shard, results []Result, started, finished time.Time) *Summary {
	s := &Summary{
		Schema: SummarySchema, Config: cfg.File, Shard: shard, Total: len(cfg.Checks),
		StartedAt: started.UTC(), FinishedAt: finished.UTC(), DurationMS: finished.Sub(started).Milliseconds(),
		Checks: results,
	}
	if s.Checks == nil {
		s.Checks = []Result{}
	}
	for _, r := range results {
		switch r.Result {
		case Pass:
			s.Passed++
		case Fail:
			s.Failed++
		case Skipped:
			s.Skipped++
		default:
			s.Errors++
		}
	}
	return s
}

// OK reports whether every check of the run passed.
func (s *Summary) OK() bool { return s.Failed == 0 && s.Errors == 0 && s.Skipped == 0 }

// JSON renders the summary, indented, with a trailing newline.
func (s *Summary) JSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func statusText(code int) string {
	if code == 0 {
		return ""
	}
	return fmt.Sprint(code)
}
