package runtime

import (
	"encoding/base64"
	"errors"
	"strconv"
	"time"
)

// CEL's timestamp range: years 1 through 9999.
var (
	minTimestamp = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTimestamp = time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
)

var (
	errInt       = errors.New("want an integer")
	errUint      = errors.New("want a non-negative integer")
	errRange     = errors.New("integer out of range")
	errTimestamp = errors.New("want an RFC 3339 timestamp such as \"2026-11-22T10:00:00Z\"")
	errTSRange   = errors.New("timestamp out of range (years 1 to 9999)")
	errDuration  = errors.New("want a duration such as \"90s\" or \"1h30m\"")
	errBytes     = errors.New("want base64 (standard alphabet, padded)")
)

// ParseInt parses a JSON number literal as an int: integer syntax only, in range.
func ParseInt(lit string) (int64, error) {
	for i := 0; i < len(lit); i++ {
		if c := lit[i]; !(c >= '0' && c <= '9' || c == '-' && i == 0) {
			return 0, errInt
		}
	}
	n, err := strconv.ParseInt(lit, 10, 64)
	if err != nil {
		return 0, errRange
	}
	return n, nil
}

// ParseUint parses a JSON number literal as a uint: non-negative integer syntax, in range.
func ParseUint(lit string) (uint64, error) {
	for i := 0; i < len(lit); i++ {
		if c := lit[i]; c < '0' || c > '9' {
			return 0, errUint
		}
	}
	n, err := strconv.ParseUint(lit, 10, 64)
	if err != nil {
		return 0, errRange
	}
	return n, nil
}

// ParseDouble parses a JSON number literal as a double.
func ParseDouble(lit string) (float64, error) {
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil {
		// Only overflow reaches here for a valid JSON number.
		return 0, errors.New("number out of range")
	}
	return f, nil
}

// ParseTimestamp parses an RFC 3339 timestamp within CEL's range.
func ParseTimestamp(s string) (time.Time, error) {
	t, ok := parseRFC3339(s)
	if !ok {
		return time.Time{}, errTimestamp
	}
	if t.Before(minTimestamp) || t.After(maxTimestamp) {
		return time.Time{}, errTSRange
	}
	return t.UTC(), nil
}

// ParseDuration parses a duration as CEL's duration() does ("90s", "1h30m", "-1.5h").
func ParseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, errDuration
	}
	return d, nil
}

// ParseBytes decodes standard, padded base64.
func ParseBytes(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, errBytes
	}
	return b, nil
}
