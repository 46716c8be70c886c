package tfplan

import (
	"fmt"
	"testing"

	"github.com/clusterwall/clusterwall/internal/source/input"
)

// BenchmarkReadLargePlan reads a plan of 1,000 groups made with for_each
// and 8,000 rules that name them by each.key: references to resources with
// many instances must not cost the square of their number.
func BenchmarkReadLargePlan(b *testing.B) {
	t := &testing.T{}
	var rs []res
	for g := range 1000 {
		k := fmt.Sprintf("g%04d", g)
		rs = append(rs, group("", "g", k))
		for r := range 8 {
			rs = append(rs, rule("", fmt.Sprintf("r%d", r), k))
		}
	}
	resources := []any{resource("aws_security_group", "g", groupConfig, "for_each_expression", refs("var.groups"))}
	for r := range 8 {
		resources = append(resources, resource("aws_security_group_rule", fmt.Sprintf("r%d", r),
			ruleConfig(refs("aws_security_group.g", "each.key"), "source_security_group_id", refs("aws_security_group.g", "each.key")),
			"for_each_expression", refs("var.groups")))
	}
	data := planJSON(t, rs, map[string]any{"resources": resources})
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		e, err := Read([]input.File{{Path: "plan.json", Data: data}})
		if err != nil || len(e.Groups) != 1000 {
			b.Fatalf("%v, %d groups", err, len(e.Groups))
		}
	}
}
