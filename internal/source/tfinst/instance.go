// Package tfinst owns what the Terraform readers share: the resource
// instance that an evaluator (HCL configuration, plan JSON) produces and
// the mappers (aws_*, tencentcloud_*) consume, the encoding of references
// between resources as sentinel strings, the marks that say why a value is
// unknown, and the helpers mappers read values with. It knows no HCL
// syntax and no provider.
//
// What an evaluator hands to tfmap.Build, one Instance per resource
// instance of one configuration, in configuration order:
//
//   - Values is an object of the configured attributes. Nested blocks are
//     tuples (or lists) of objects, even single ones (vpc_config[0]), as in
//     plan JSON. Absent attributes are missing or null.
//   - An attribute that holds the id (or another computed attribute) of a
//     resource instance is Ref(address, attr): "aws_security_group.x.id"
//     becomes Ref("aws_security_group.x", "id"). The HCL evaluator makes
//     these for id, arn and what Mapper.References lists; a plan reader
//     makes them from the configuration's references where the planned
//     value is unknown. Mappers turn them into keys with Context.RefKey.
//   - Whatever is not known is an unknown value marked with a Why that
//     says what the user could do ("var.x has no value (give it with
//     --var …)", "data.aws_vpc.main is read at apply time"). Mappers read
//     the reason with Reason and put it in PeerUnknown, PortsUnknown,
//     RulesUnknown or GroupsUnknown; they never guess a value.
//   - Origin is the resource block with the (prefixed) address; Blocks
//     holds the lines of nested blocks and list elements ("ingress[1]"),
//     so that rules point at the block that made them. A plan reader may
//     leave Blocks empty: BlockOrigin falls back to the resource.
//   - ExpansionUnknown marks the one instance that stands for a resource
//     whose count or for_each is not known; UnknownBlocks marks nested
//     block types made by dynamic blocks over unknown values.
package tfinst

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// Mode tells managed resources from data sources.
type Mode uint8

const (
	Managed Mode = iota
	Data
)

// Instance is one instance of a resource (one element of its count or
// for_each, or the only one) with its configuration evaluated.
type Instance struct {
	Mode Mode
	Type string // aws_security_group
	Name string // the resource name: "node" in aws_security_group.node
	// Module is the module instance path, "" for the root module:
	// module.eks, module.ng["a"].module.lt.
	Module string
	// Key is the instance key: cty.NilVal without count and for_each, a
	// number with count, a string with for_each.
	Key cty.Value
	// Address is the full address: module.eks.aws_security_group.node[0].
	Address string
	// Values is an object of the configured attributes; nested blocks are
	// lists (tuples) of objects. Values that the configuration does not
	// decide are unknown, marked with a Why.
	Values cty.Value
	// ExpansionUnknown, when set, says why the instances of the resource
	// are not known (count or for_each depends on an unknown value). The
	// instance then stands for all of them, with count.index and each.*
	// unknown, and Address has no key.
	ExpansionUnknown string
	// UnknownBlocks maps the path of a nested block type ("ingress",
	// "mixed_instances_policy[0].launch_template") to why the set of such
	// blocks is not known (a dynamic block over an unknown value).
	UnknownBlocks map[string]string
	// Origin is where the resource block is, with the address.
	Origin srcpos.Location
	// Blocks maps the path of each nested block or list element
	// ("ingress[0]", "vpc_config[0]"), and of attributes that hold lists
	// ("ingress"), to where it is.
	Blocks map[string]srcpos.Location
}

// BlockOrigin returns where a nested block or list element is: its own
// line, else the line of the attribute that holds the list
// ("ingress[2]" → "ingress"), else the resource block. The address is the
// instance's.
func (in *Instance) BlockOrigin(path string) srcpos.Location {
	for p := path; p != ""; {
		if l, ok := in.Blocks[p]; ok {
			l.Address = in.Origin.Address
			return l
		}
		i := strings.LastIndexByte(p, '[')
		if i < 0 || !strings.HasSuffix(p, "]") {
			break
		}
		p = p[:i]
	}
	return in.Origin
}

// ResourceAddress is "TYPE.NAME" or "data.TYPE.NAME".
func ResourceAddress(mode Mode, typ, name string) string {
	if mode == Data {
		return "data." + typ + "." + name
	}
	return typ + "." + name
}

// Address joins a module path, a resource and an instance key.
func Address(module string, mode Mode, typ, name string, key cty.Value) string {
	s := ResourceAddress(mode, typ, name) + KeyString(key)
	if module != "" {
		s = module + "." + s
	}
	return s
}

// KeyString prints an instance key as Terraform does: [0], ["web"], or ""
// for cty.NilVal.
func KeyString(key cty.Value) string {
	if key == cty.NilVal || key.IsNull() || !key.IsKnown() {
		return ""
	}
	key, _ = key.Unmark()
	switch key.Type() {
	case cty.Number:
		bf := key.AsBigFloat()
		if i, acc := bf.Int64(); acc == big.Exact {
			return "[" + strconv.FormatInt(i, 10) + "]"
		}
		return "[" + bf.Text('f', -1) + "]"
	case cty.String:
		return "[" + strconv.Quote(key.AsString()) + "]"
	}
	return fmt.Sprintf("[%#v]", key)
}

// StripModule returns the address without its module path:
// module.eks.aws_security_group.node[0] → aws_security_group.node[0].
func StripModule(addr string) string {
	rest := addr
	for strings.HasPrefix(rest, "module.") {
		// module.NAME[KEY]. — the key may hold dots inside quotes.
		i := len("module.")
		for i < len(rest) && rest[i] != '.' && rest[i] != '[' {
			i++
		}
		if i < len(rest) && rest[i] == '[' {
			j, ok := skipKey(rest, i)
			if !ok {
				return addr
			}
			i = j
		}
		if i >= len(rest) || rest[i] != '.' {
			return addr
		}
		rest = rest[i+1:]
	}
	return rest
}

// skipKey returns the index after the [KEY] that starts at i.
func skipKey(s string, i int) (int, bool) {
	if i+1 < len(s) && s[i+1] == '"' {
		j := i + 2
		for j < len(s) {
			switch s[j] {
			case '\\':
				j += 2
				continue
			case '"':
				if j+1 < len(s) && s[j+1] == ']' {
					return j + 2, true
				}
				return 0, false
			}
			j++
		}
		return 0, false
	}
	j := strings.IndexByte(s[i:], ']')
	if j < 0 {
		return 0, false
	}
	return i + j + 1, true
}
