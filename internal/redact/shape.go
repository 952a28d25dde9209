package redact

// RandomLooking reports whether a value has the shape of a key or token
// whatever the name it goes by: at least 20 characters from a token
// alphabet, letters and digits mixed. It is the test URL applies to query
// values under innocent names, exported for `fix401 har sanitize`, which
// must judge values the same way.
func RandomLooking(v string) bool { return randomLooking(v) }

// OneTimeSegment reports whether a path segment looks like a one-time
// value (a provider's interaction id, a capability link's key) that Path
// would replace.
func OneTimeSegment(seg string) bool {
	return oneTime(seg) && (randomLooking(seg) || mixedCase(seg))
}
