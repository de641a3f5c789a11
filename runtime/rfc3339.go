package runtime

import "time"

// parseRFC3339 reads a timestamp exactly as time.Parse(time.RFC3339, s) does
// (TestParseRFC3339 and FuzzParseRFC3339 hold the two to each other), and returns it
// in UTC. time.Parse would bring Go's whole layout parser into every Wasm module,
// about 70 KB.
//
// time.Parse tries a strict RFC 3339 reader first and then its general layout
// parser, which accepts more: a one-digit hour, a comma before the fraction of a
// second, zone offsets up to +24:60. What either accepts is accepted here, which is
// what the general parser accepts, read the way it reads
// "2006-01-02T15:04:05Z07:00".
func parseRFC3339(s string) (time.Time, bool) {
	digit := func(i int) bool { return i < len(s) && s[i] >= '0' && s[i] <= '9' }
	num2 := func(i int) int { return int(s[i]-'0')*10 + int(s[i+1]-'0') }
	// The date: four digits, "-", two, "-", two, "T".
	if len(s) < 11 || !digit(0) || !digit(1) || !digit(2) || !digit(3) || s[4] != '-' ||
		!digit(5) || !digit(6) || s[7] != '-' || !digit(8) || !digit(9) || s[10] != 'T' {
		return time.Time{}, false
	}
	year := int(s[0]-'0')*1000 + int(s[1]-'0')*100 + num2(2)
	month, day := num2(5), num2(8)
	if month < 1 || month > 12 {
		return time.Time{}, false
	}
	// The hour has one digit or two.
	i := 11
	if !digit(i) {
		return time.Time{}, false
	}
	hour := int(s[i] - '0')
	if i++; digit(i) {
		hour = hour*10 + int(s[i]-'0')
		i++
	}
	// ":", two digits, ":", two digits.
	if hour > 23 || len(s) < i+6 || s[i] != ':' || !digit(i+1) || !digit(i+2) || s[i+3] != ':' || !digit(i+4) || !digit(i+5) {
		return time.Time{}, false
	}
	min, sec := num2(i+1), num2(i+4)
	if min > 59 || sec > 59 {
		return time.Time{}, false
	}
	i += 6
	// A fraction of a second: "." or ",", then any number of digits, of which nine
	// count.
	nsec := 0
	if i+1 < len(s) && (s[i] == '.' || s[i] == ',') && digit(i+1) {
		n := 0
		for i++; digit(i); i++ {
			if n < 9 {
				nsec = nsec*10 + int(s[i]-'0')
				n++
			}
		}
		for ; n < 9; n++ {
			nsec *= 10
		}
	}
	// The zone: "Z", or a sign, two digits, ":", two digits.
	offset := 0
	switch rest := s[i:]; {
	case rest == "Z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && digit(i+1) && digit(i+2) && rest[3] == ':' && digit(i+4) && digit(i+5):
		hh, mm := num2(i+1), num2(i+4)
		if hh > 24 || mm > 60 {
			return time.Time{}, false
		}
		offset = (hh*60 + mm) * 60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	if day < 1 || day > daysIn(month, year) {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, min, sec, nsec, time.UTC)
	return t.Add(-time.Duration(offset) * time.Second), true
}

// daysIn is the number of days of a month of a year, in the proleptic Gregorian
// calendar.
func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
