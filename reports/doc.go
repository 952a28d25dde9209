// Package reports holds the report model, which mirrors
// ../shared/report.schema.json, and one writer per output format. Every
// format renders from the same Report value, so they can never disagree.
package reports
