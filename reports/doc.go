// Package reports holds the report model, which mirrors
// report.schema.json (embedded as Schema), and one writer per output format. Every
// format renders from the same Report value, so they can never disagree.
package reports
