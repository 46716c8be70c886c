package tfinst

import (
	"slices"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// References. An attribute that the provider computes and that names
// another object (an id, an arn, the cluster security group of an EKS
// cluster) evaluates to a sentinel string that encodes the instance's
// address and the attribute, so that it survives locals, conditionals,
// collection functions and module boundaries; a mapper decodes it back
// into the key of a group, VPC or prefix list.
//
// The sentinel is "\x00ref\x00ADDRESS\x00ATTR\x00". Addresses print
// instance keys quoted, so they hold no NUL byte.

const refPrefix = "\x00ref\x00"

// Ref encodes a reference to an attribute of a resource instance.
func Ref(address, attr string) string {
	return refPrefix + address + "\x00" + attr + "\x00"
}

// RefVal is Ref as a cty string.
func RefVal(address, attr string) cty.Value { return cty.StringVal(Ref(address, attr)) }

// ParseRef decodes a string that is exactly one reference.
func ParseRef(s string) (address, attr string, ok bool) {
	rest, found := strings.CutPrefix(s, refPrefix)
	if !found || !strings.HasSuffix(rest, "\x00") || strings.Count(rest, "\x00") != 2 {
		return "", "", false
	}
	address, attr, _ = strings.Cut(strings.TrimSuffix(rest, "\x00"), "\x00")
	if address == "" || attr == "" {
		return "", "", false
	}
	return address, attr, true
}

// ContainsRef reports whether a string holds a reference, maybe inside a
// longer string ("${aws_security_group.x.id}-suffix").
func ContainsRef(s string) bool { return strings.Contains(s, refPrefix) }

// RefsIn lists "ADDRESS.ATTR" for every reference inside a string.
func RefsIn(s string) []string {
	var out []string
	for {
		i := strings.Index(s, refPrefix)
		if i < 0 {
			return out
		}
		s = s[i+len(refPrefix):]
		parts := strings.SplitN(s, "\x00", 3)
		if len(parts) < 3 {
			return out
		}
		out = append(out, parts[0]+"."+parts[1])
		s = parts[2]
	}
}

// Printable replaces the references inside a string by
// "${ADDRESS.ATTR}", for messages.
func Printable(s string) string {
	if !ContainsRef(s) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, refPrefix)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		s = s[i+len(refPrefix):]
		parts := strings.SplitN(s, "\x00", 3)
		if len(parts) < 3 {
			b.WriteString(strings.ReplaceAll(s, "\x00", ""))
			return b.String()
		}
		b.WriteString("${" + parts[0] + "." + parts[1] + "}")
		s = parts[2]
	}
}

// Why is a cty mark on an unknown value that says why it is unknown, in a
// sentence users can act on.
type Why string

// Unknown is an unknown value of any type that says why.
func Unknown(why string) cty.Value { return cty.DynamicVal.Mark(Why(why)) }

// Reason collects the Why marks on a value and inside it, in a stable
// order; "" when there is none.
func Reason(v cty.Value) string {
	if v == cty.NilVal {
		return ""
	}
	var whys []string
	add := func(ms cty.ValueMarks) {
		for m := range ms {
			if w, ok := m.(Why); ok && !slices.Contains(whys, string(w)) {
				whys = append(whys, string(w))
			}
		}
	}
	_, pvm := v.UnmarkDeepWithPaths()
	for _, p := range pvm {
		add(p.Marks)
	}
	slices.Sort(whys)
	if len(whys) > 3 {
		whys = append(whys[:3], "…")
	}
	return strings.Join(whys, "; ")
}

// ReasonOr is Reason, or def when the value says nothing.
func ReasonOr(v cty.Value, def string) string {
	if r := Reason(v); r != "" {
		return r
	}
	return def
}
