package harsanitize

import (
	"bytes"
	"io"
	"testing"
)

// BenchmarkSanitize sanitizes a generated ~50 MB HAR held in memory (see
// genHAR) and reports the rate (MB/s, from SetBytes) and the peak heap
// seen while it ran (peak-heap-MB). That peak includes the input held in
// memory and the garbage the collector lets pile up in proportion to it
// (GOGC=100); what the sanitizer itself needs is measured without them by
// TestSanitizeStreams, which reads from a pipe.
func BenchmarkSanitize(b *testing.B) {
	var in bytes.Buffer
	if _, err := genHAR(&in, 50<<20); err != nil {
		b.Fatal(err)
	}
	data := in.Bytes()
	b.SetBytes(int64(len(data)))
	peak := watchHeap(b)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Sanitize(bytes.NewReader(data), io.Discard, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(peak())/(1<<20), "peak-heap-MB")
}

// BenchmarkSanitizeTwoPasses is BenchmarkSanitize with Collect first, as
// a caller with a regular file does.
func BenchmarkSanitizeTwoPasses(b *testing.B) {
	var in bytes.Buffer
	if _, err := genHAR(&in, 50<<20); err != nil {
		b.Fatal(err)
	}
	data := in.Bytes()
	b.SetBytes(int64(len(data)))
	peak := watchHeap(b)
	b.ResetTimer()
	for b.Loop() {
		k, err := Collect(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Sanitize(bytes.NewReader(data), io.Discard, Options{Known: k}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(peak())/(1<<20), "peak-heap-MB")
}
