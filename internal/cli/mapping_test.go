package cli

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseMapping(t *testing.T) {
	m, err := parseMapping([]byte("library:\n  table: libraries\n  columns: {id: id, org: org_name}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%s %v", m["library"].Name, m["library"].Columns); got != "libraries map[id:id org:org_name]" {
		t.Errorf("got %s", got)
	}
	if _, err := parseMapping([]byte(`{"library": {"table": "l", "colums": {}}}`)); err == nil || !strings.Contains(err.Error(), "colums") {
		t.Errorf("unknown key: got %v", err)
	}
	if _, err := parseMapping([]byte(`{"library": {"columns": {}}}`)); err == nil || !strings.Contains(err.Error(), "missing table") {
		t.Errorf("missing table: got %v", err)
	}
}
