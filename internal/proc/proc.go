// Package proc answers whether a process is still there, for telling the
// leftovers of a killed run (a lock, a temporary profile) from a live one's.
package proc
