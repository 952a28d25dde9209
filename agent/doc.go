// Package agent runs one diagnosis: plan the steps, reproduce the failure,
// walk the remedies (each followed by a judged load), confirm the fix and
// assemble the report. It owns no browser code and writes no files: the
// browser package acts, the reports package writes.
package agent
