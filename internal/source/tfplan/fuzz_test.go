package tfplan

import (
	"os"
	"testing"

	"github.com/clusterwall/clusterwall/internal/source/input"
)

// FuzzRead feeds arbitrary documents to the reader: it must return an
// estate or an error, never panic.
func FuzzRead(f *testing.F) {
	for _, seed := range []string{
		`{"format_version":"1.0","terraform_version":"1.9.8","values":{"root_module":{"resources":[{"address":"aws_security_group.a","mode":"managed","type":"aws_security_group","name":"a","values":{"id":"sg-0123456789abcdef0","ingress":[{"protocol":"tcp","from_port":22,"to_port":22,"cidr_blocks":["0.0.0.0/0"],"security_groups":["sg-0123456789abcdef0"],"self":false}]}},{"address":"aws_security_group_rule.r[0]","mode":"managed","type":"aws_security_group_rule","name":"r","index":0,"values":{"type":"egress","protocol":"-1","from_port":0,"to_port":0,"security_group_id":"sg-0123456789abcdef0","cidr_blocks":["0.0.0.0/0"]}}]}}}`,
		`{"format_version":"1.2","planned_values":{"root_module":{"resources":[{"address":"aws_security_group.a","mode":"managed","type":"aws_security_group","name":"a","values":{}}],"child_modules":[{"address":"module.m[\"k\"]","resources":[{"address":"module.m[\"k\"].aws_security_group_rule.r","mode":"managed","type":"aws_security_group_rule","name":"r","values":{"type":"ingress","protocol":"tcp","from_port":1,"to_port":2,"cidr_blocks":[null]}}]}]}},"resource_changes":[{"address":"aws_security_group.a","mode":"managed","type":"aws_security_group","name":"a","change":{"actions":["create"],"after":{},"after_unknown":{"id":true,"ingress":true},"after_sensitive":{"ingress":[]}}},{"address":"module.m[\"k\"].aws_security_group_rule.r","module_address":"module.m[\"k\"]","mode":"managed","type":"aws_security_group_rule","name":"r","change":{"actions":["create"],"after":{},"after_unknown":{"security_group_id":true,"cidr_blocks":[true]},"after_sensitive":{}}}],"configuration":{"root_module":{"resources":[{"address":"aws_security_group.a","mode":"managed","type":"aws_security_group","name":"a","expressions":{"ingress":{"references":["aws_security_group.a.id"]}}}],"module_calls":{"m":{"source":"./m","for_each_expression":{"references":["var.x"]},"expressions":{"sg":{"references":["aws_security_group.a.id","aws_security_group.a"]}},"module":{"resources":[{"address":"aws_security_group_rule.r","mode":"managed","type":"aws_security_group_rule","name":"r","expressions":{"security_group_id":{"references":["var.sg"]},"cidr_blocks":{"references":["module.n[0].out","each.value.x","local.y","data.aws_vpc.v.cidr_block"]}}}]}}}}}}`,
		`{"format_version":"1.2","deferred_changes":[{"reason":"instance_count_unknown","resource_change":{"address":"aws_security_group_rule.p","mode":"managed","type":"aws_security_group_rule","name":"p","change":{"actions":["create"],"after":{"security_group_id":"sg-1"},"after_unknown":{}}}}],"prior_state":{"format_version":"1.0","values":{"root_module":{"resources":[{"address":"data.aws_vpc.v","mode":"data","type":"aws_vpc","name":"v","values":{"id":"vpc-1","cidr_block":"10.0.0.0/16"}}]}}}}`,
		`{"format_version":"1.2","planned_values":{"root_module":{"child_modules":[{"address":"module.a[0]","resources":[{"address":"module.a[0].aws_security_group_rule.r","type":"aws_security_group_rule","name":"r","values":{"self":true}}]}]}},"resource_changes":[{"address":"module.a[0].aws_security_group_rule.r","module_address":"module.a[0]","type":"aws_security_group_rule","name":"r","change":{"after_unknown":{"security_group_id":true,"source_security_group_id":true}}}],"configuration":{"root_module":{"module_calls":{"a":{"count_expression":{"constant_value":1},"expressions":{"x":{"references":["module.b.o","module.a[0].o","each.value.id"]}},"module":{"outputs":{"o":{"expression":{"references":["var.x"]}}},"resources":[{"address":"aws_security_group_rule.r","type":"aws_security_group_rule","name":"r","expressions":{"security_group_id":{"references":["var.x"]},"source_security_group_id":{"references":["module.a.o"]}}}]}},"b":{"module":{"outputs":{"o":{"expression":{"references":["module.a[0].o"]}}}}}}}}}`,
		`{"format_version":"0.1","terraform_version":"0.12.31","values":{}}`,
		`{"format_version":"9.9","values":{}}`,
	} {
		f.Add([]byte(seed))
	}
	if data, err := os.ReadFile("testdata/data-cidr/plan.json"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		_, _ = Read([]input.File{{Path: "plan.json", Data: doc}})
	})
}
