package reports

import (
	"bytes"
	_ "embed"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Schema is report.schema.json, the contract every report.json follows.
// It ships inside the binary (`fix401 help report-schema` prints it) and
// the tests validate every report they write against it.
//
//go:embed report.schema.json
var Schema []byte

// CompileSchema compiles Schema for validating reports (the tests of every
// package that writes one use it).
func CompileSchema() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	const id = "report.schema.json"
	if err := c.AddResource(id, doc); err != nil {
		return nil, err
	}
	return c.Compile(id)
}
