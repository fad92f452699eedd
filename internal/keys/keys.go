// Package keys checks the names mend uses as keys: profile, phase, exercise,
// step and scheduler keys, and snake-case names for rituals and tags. The
// checks run on every event, so they avoid regular expressions.
package keys

// Is reports whether s is a lower-case key: a letter, then letters and
// digits, in words joined by single '-' or '_' ("weekly-checkin",
// "phase_2"). It accepts exactly what the pattern
// ^[a-z][a-z0-9]*([_-][a-z0-9]+)*$ accepts, without a regular expression,
// because keys are checked on every event. Profiles, phases, exercises,
// steps and schedulers are named by keys; callers bound the length.
func Is(s string) bool {
	if s == "" || !isLower(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case isLower(c) || isDigit(c):
		case c == '-' || c == '_':
			// A separator joins two words: it is never last and never doubled.
			if i+1 == len(s) || !(isLower(s[i+1]) || isDigit(s[i+1])) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// IsSnake reports whether s is a lower-case snake-case name of at most
// maxLen bytes: a letter, then letters, digits and '_' (the pattern
// ^[a-z][a-z0-9_]{0,maxLen-1}$). Rituals and tags are such names.
func IsSnake(s string, maxLen int) bool {
	if s == "" || len(s) > maxLen || !isLower(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isLower(c) && !isDigit(c) && c != '_' {
			return false
		}
	}
	return true
}

func isLower(c byte) bool { return 'a' <= c && c <= 'z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
