package harsanitize

import (
	"testing"

	"github.com/fix401/fix401/internal/testhar"
)

// TestSanitizedHARValidates: the sanitized fixture is a valid HAR 1.2 by
// the schema, in Go and with ajv. (The fixture is not quite: like Chrome,
// it writes "" for an unknown server address, which the copy drops.)
func TestSanitizedHARValidates(t *testing.T) {
	_, out, _ := sanitizePlanted(t)
	testhar.ValidateHAR(t, out)
}
