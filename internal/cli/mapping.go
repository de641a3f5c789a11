package cli

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/permc/permc/runtime/cond/pgsql"
)

// parseMapping reads the tables and columns of resource types from YAML (or JSON,
// which is YAML): a map from resource type to {table, columns}, columns mapping each
// attribute (and "id") to its column:
//
//	library:
//	  table: libraries
//	  columns: {id: id, org: org_name, public: is_public, tags: tags}
//
// # Errors
//
// Malformed YAML, unknown keys, a missing or empty table name or column name.
func parseMapping(data []byte) (map[string]*pgsql.Table, error) {
	var raw map[string]struct {
		Table   string            `yaml:"table"`
		Columns map[string]string `yaml:"columns"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("column mapping: %v", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	out := make(map[string]*pgsql.Table, len(raw))
	names := make([]string, 0, len(raw))
	for name := range raw {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		r := raw[name]
		if r.Table == "" {
			return nil, fmt.Errorf("column mapping: resource type %q: missing table", name)
		}
		for attr, col := range r.Columns {
			if col == "" {
				return nil, fmt.Errorf("column mapping: resource type %q: attribute %q has an empty column name", name, attr)
			}
		}
		out[name] = &pgsql.Table{Name: r.Table, Columns: r.Columns}
	}
	return out, nil
}
