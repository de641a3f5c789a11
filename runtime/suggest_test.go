package runtime

import "testing"

func TestSuggest(t *testing.T) {
	for _, c := range []struct {
		name       string
		candidates []string
		want       string
	}{
		{"orgg", []string{"org", "libraries"}, "org"},         // a typo
		{"organization", []string{"org", "libraries"}, "org"}, // the long form of a short name
		{"perms", []string{"name", "permissions", "scopes"}, "permissions"},
		{"lib", []string{"library", "libraries"}, ""},          // ambiguous
		{"xyz", []string{"org", "libraries"}, ""},              // nothing close
		{"or", []string{"organization"}, ""},                   // too short to abbreviate
		{"scope", []string{"scopes", "scope_types"}, "scopes"}, // the typo wins
	} {
		if got := Suggest(c.name, c.candidates); got != c.want {
			t.Errorf("Suggest(%q, %q) = %q, want %q", c.name, c.candidates, got, c.want)
		}
	}
}
