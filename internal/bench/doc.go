// Package bench holds fix401's benchmarks (make bench). Each measures fix401
// against a bare reference in the same run, interleaved so that the machine's
// load hits both alike, and prints the ratio: a ratio survives a slower
// machine, a wall time does not.
package bench
