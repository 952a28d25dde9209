// Package cli is fix401's command line: cobra commands, flags, input and
// output streams, logging setup and the mapping from outcomes and errors to
// exit codes. It is the only package that touches the process: os.Args,
// os.Stdout, os.Getenv, signals and os.Exit (through Main's return value).
package cli
