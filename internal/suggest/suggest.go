// Package suggest finds the near miss a person most likely meant, for
// "did you mean …?" hints on step ids, config keys and enumerated values.
package suggest

import "strings"

// Closest returns the entry of known within two edits of got (ignoring
// case), the nearest first, or "" when none is that close or got is one.
func Closest(got string, known []string) string {
	best, bestD := "", 3
	g := strings.ToLower(got)
	for _, k := range known {
		if d := distance(g, k); d < bestD {
			best, bestD = k, d
		}
	}
	if best == got {
		return ""
	}
	return best
}

// Hint is Closest as " (did you mean x?)", or "".
func Hint(got string, known []string) string {
	if c := Closest(got, known); c != "" {
		return " (did you mean " + c + "?)"
	}
	return ""
}

// distance is the Levenshtein distance, enough for typo hints.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
