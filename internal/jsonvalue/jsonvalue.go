// Package jsonvalue holds what mend's readers of JSON documents (profiles,
// catalogues, agreements, parameter files, the example service's request
// bodies) share: a document is exactly one JSON value. It imports nothing
// from mend.
package jsonvalue

import (
	"encoding/json"
)

// Trailing reports whether anything but JSON white space (space, tab,
// carriage return, newline) follows the value dec has just decoded from b;
// dec must have read b from its start. [json.Decoder.More] does not answer
// this: it reports no more data before a stray ']' or '}', and a second
// decode fails in ways that look like the end of input.
func Trailing(dec *json.Decoder, b []byte) bool {
	off := dec.InputOffset()
	if off < 0 || off > int64(len(b)) {
		return true
	}
	for _, c := range b[off:] {
		switch c {
		case ' ', '\t', '\r', '\n':
		default:
			return true
		}
	}
	return false
}
