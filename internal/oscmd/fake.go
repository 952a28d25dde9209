package oscmd

import (
	"context"
	"errors"
	"strings"
	"sync"
)

// Fake is a Runner for tests: it records the commands and answers from a table.
type Fake struct {
	mu      sync.Mutex
	Ran     []string
	Paths   map[string]bool                   // commands that exist
	Answers map[string]func() (string, error) // by command line
	Root    bool
	Inputs  map[string]string // stdin given to RunInput, by command line
}

// Run records argv and answers from the table (success when absent).
func (f *Fake) Run(ctx context.Context, argv []string) (string, error) {
	line := strings.Join(argv, " ")
	f.mu.Lock()
	f.Ran = append(f.Ran, line)
	ans := f.Answers[line]
	f.mu.Unlock()
	if ans != nil {
		return ans()
	}
	return "", nil
}

// RunInput is Run; the input is recorded in Inputs by command line (a
// test's own fake secrets only).
func (f *Fake) RunInput(ctx context.Context, argv []string, stdin string) (string, error) {
	f.mu.Lock()
	if f.Inputs == nil {
		f.Inputs = map[string]string{}
	}
	f.Inputs[strings.Join(argv, " ")] = stdin
	f.mu.Unlock()
	return f.Run(ctx, argv)
}

// LookPath finds only the commands in Paths.
func (f *Fake) LookPath(name string) (string, error) {
	if f.Paths[name] {
		return "/usr/bin/" + name, nil
	}
	return "", errors.New("not found")
}

// Privileged returns Root.
func (f *Fake) Privileged() bool { return f.Root }
