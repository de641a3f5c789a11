package plan_test

import (
	"fmt"
	"testing"
)

// BenchmarkPlan plans library.edit for principals with 10 and 100 role assignments;
// BenchmarkCheck, one check of the same principal, is the baseline.
func BenchmarkPlan(b *testing.B) {
	_, p, _ := setup(b, librariesSpec, "../examples/contentlibraries/roles.json")
	for _, n := range []int{10, 100} {
		req := assignments(n)
		b.Run(fmt.Sprintf("assignments=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.PlanJSON(req, "library.edit"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCheck(b *testing.B) {
	ev, _, _ := setup(b, librariesSpec, "../examples/contentlibraries/roles.json")
	for _, n := range []int{10, 100} {
		req := assignments(n)
		check := append([]byte(`{"permission": "library.edit", "resource": {"type": "library", "id": "x", "attributes": {"org": "elsewhere"}}, `), req[1:]...)
		b.Run(fmt.Sprintf("assignments=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ev.Decide(check); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
