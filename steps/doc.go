// Package steps holds the remedies fix401 walks through, one file each, and
// the ordered list that says in which order they run. A step is data in,
// data out: it gets an Env to act on the browser, and returns what it did
// and saw. "Still failing" is a result, not an error.
package steps
