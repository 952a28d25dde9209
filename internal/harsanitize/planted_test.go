package harsanitize

import (
	"encoding/json"
	"os"
	"path/filepath"
)

// planted are the secrets testdata/har/planted.har carries, by what they
// are (testdata/har/planted-secrets.json, which analyze's tests read too);
// none may be in a sanitized copy, in any of the forms plantedForms gives.
// The JWTs are there whole (their header and claims stay; the whole token
// and its signature must not).
var planted = func() map[string]string {
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "har", "planted-secrets.json"))
	if err != nil {
		panic(err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(data, &m); err != nil {
		panic(err)
	}
	return m
}()
