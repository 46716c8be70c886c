package cloudformation

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// kind is what an evaluated template value is.
type kind uint8

const (
	kNull    kind = iota
	kStr          // a string of literal text and symbols (see part)
	kList         // a list of values
	kMap          // a mapping, evaluated field by field when read
	kUnknown      // a value the input does not decide; why says what is missing
	kMaybe        // one of two values, by a condition the input does not decide
	kNoValue      // AWS::NoValue: the property is absent
)

// symKind says what a symbol inside a string stands for.
type symKind uint8

const (
	symRes    symKind = iota // Ref or Fn::GetAtt of a resource: its physical ID or attribute
	symParam                 // a parameter without a Default
	symPseudo                // a pseudo parameter: AWS::StackName, AWS::Region, …
	symImport                // Fn::ImportValue of an export no template of the input makes
	symOpaque                // anything else the input does not decide
)

// sym is a value known only by name: a resource's ID, a parameter given
// at deploy time, an imported export. The mapper turns symbols that name
// security groups into group keys; anywhere else they are unknown.
type sym struct {
	kind symKind
	t    *template
	name string // logical ID, parameter name, pseudo parameter, export name
	attr string // Fn::GetAtt attribute, "" for Ref
	why  string
}

// part is a piece of a string: literal text or a symbol.
type part struct {
	lit string
	sym *sym
}

// val is an evaluated value. Strings keep their symbolic parts so that
// Fn::Join, Fn::Split and Fn::Select over references stay exact.
type val struct {
	k     kind
	parts []part
	list  []val
	node  *yaml.Node // where the value comes from
	t     *template  // kMap: the template its fields evaluate in
	why   string     // kUnknown
	cond  string     // kMaybe: the condition's name
	cwhy  string     // kMaybe: why the condition is undecided
	alts  []val      // kMaybe: the values when the condition is true, false
}

func str(s string, n *yaml.Node) val { return val{k: kStr, parts: []part{{lit: s}}, node: n} }

func unknown(n *yaml.Node, format string, args ...any) val {
	return val{k: kUnknown, node: n, why: fmt.Sprintf(format, args...)}
}

func symVal(s *sym, n *yaml.Node) val { return val{k: kStr, parts: []part{{sym: s}}, node: n} }

// known returns the text of a string made only of literal parts.
func (v val) known() (string, bool) {
	if v.k != kStr {
		return "", false
	}
	var b strings.Builder
	for _, p := range v.parts {
		if p.sym != nil {
			return "", false
		}
		b.WriteString(p.lit)
	}
	return b.String(), true
}

// single returns the symbol a string consists of, or nil.
func (v val) single() *sym {
	if v.k != kStr {
		return nil
	}
	var s *sym
	for _, p := range v.parts {
		switch {
		case p.sym != nil && s == nil:
			s = p.sym
		case p.sym != nil || p.lit != "":
			return nil
		}
	}
	return s
}

// placeholder prints a symbol as Fn::Sub would write it.
func (s *sym) placeholder() string {
	switch {
	case s.kind == symImport:
		return "${ImportValue:" + s.name + "}"
	case s.attr != "":
		return "${" + s.name + "." + s.attr + "}"
	}
	return "${" + s.name + "}"
}

// render prints a value for people: literal text, with ${Name} where a
// part is not known.
func (v val) render() string {
	switch v.k {
	case kStr:
		var b strings.Builder
		for _, p := range v.parts {
			if p.sym != nil {
				b.WriteString(p.sym.placeholder())
			} else {
				b.WriteString(p.lit)
			}
		}
		return b.String()
	case kList:
		var xs []string
		for _, e := range v.list {
			xs = append(xs, e.render())
		}
		return strings.Join(xs, ",")
	case kMaybe:
		return "${If:" + v.cond + "}"
	}
	return "${unknown}"
}

// identity is like render, but symbols of different templates never look
// alike: two values with the same identity are the same at deploy time.
func (v val) identity() string {
	if v.k != kStr {
		return "\x00" + v.render()
	}
	var b strings.Builder
	for _, p := range v.parts {
		if p.sym == nil {
			b.WriteString(p.lit)
			continue
		}
		b.WriteString("\x00")
		if p.sym.t != nil && p.sym.kind != symImport {
			b.WriteString(p.sym.t.file)
		}
		b.WriteString(p.sym.placeholder())
	}
	return b.String()
}

// whyUnknown says what the input does not decide about a value.
func (v val) whyUnknown() string {
	switch v.k {
	case kUnknown:
		return v.why
	case kMaybe:
		return fmt.Sprintf("depends on condition %s, which the input does not decide: %s", v.cond, v.cwhy)
	case kStr:
		for _, p := range v.parts {
			if p.sym != nil {
				return p.sym.reason()
			}
		}
	case kList:
		for _, e := range v.list {
			if w := e.whyUnknown(); w != "" {
				return w
			}
		}
	}
	return ""
}

func (s *sym) reason() string {
	if s.why != "" {
		return s.why
	}
	switch s.kind {
	case symRes:
		if s.attr != "" {
			return fmt.Sprintf("%s.%s is known only once the stack is deployed", s.name, s.attr)
		}
		return fmt.Sprintf("the ID of %s is known only once the stack is deployed", s.name)
	case symParam:
		return fmt.Sprintf("parameter %s has no Default; its value is given when the stack is created", s.name)
	case symPseudo:
		return fmt.Sprintf("%s is known only when the stack is deployed", s.name)
	case symImport:
		return fmt.Sprintf("Fn::ImportValue %s: no template of the input exports it", s.name)
	}
	return "not known from the template"
}

// appendParts adds parts, merging adjacent literal text.
func appendParts(ps []part, more ...part) []part {
	for _, p := range more {
		if p.sym == nil && p.lit == "" {
			continue
		}
		if p.sym == nil && len(ps) > 0 && ps[len(ps)-1].sym == nil {
			ps[len(ps)-1].lit += p.lit
			continue
		}
		ps = append(ps, p)
	}
	return ps
}

// asParts gives the parts a value contributes to a string it is spliced
// into: an unknown value becomes one opaque symbol.
func (v val) asParts() []part {
	switch v.k {
	case kStr:
		return v.parts
	case kNull, kNoValue:
		return nil
	}
	return []part{{sym: &sym{kind: symOpaque, name: "unknown", why: v.whyUnknown()}}}
}

// sameVal reports whether two values are certainly equal.
func sameVal(a, b val) bool {
	if a.k != b.k {
		return false
	}
	switch a.k {
	case kStr:
		return a.identity() == b.identity()
	case kList:
		if len(a.list) != len(b.list) {
			return false
		}
		for i := range a.list {
			if !sameVal(a.list[i], b.list[i]) {
				return false
			}
		}
		return true
	case kMap:
		return a.node == b.node && a.t == b.t
	case kNull, kNoValue:
		return true
	}
	return false
}

// variant is one way a value may turn out, with the undecided conditions
// it assumes.
type variant struct {
	v     val
	guard []string
}

// maxVariants bounds how many combinations of undecided conditions one
// value or rule is split into.
const maxVariants = 16

// expand splits a value over its undecided conditions.
func expand(v val) []variant {
	if v.k != kMaybe {
		return []variant{{v: v}}
	}
	var out []variant
	for i, alt := range v.alts {
		g := guardText(v.cond, i == 0, v.cwhy)
		for _, sub := range expand(alt) {
			out = append(out, variant{v: sub.v, guard: append([]string{g}, sub.guard...)})
		}
	}
	if len(out) > maxVariants {
		return []variant{{v: unknown(v.node, "%s", v.whyUnknown())}}
	}
	return out
}

// maybe makes a value that depends on an undecided condition, or the one
// value when both branches agree.
func maybe(cond, why string, a, b val, n *yaml.Node) val {
	if sameVal(a, b) {
		return a
	}
	return val{k: kMaybe, cond: cond, cwhy: why, alts: []val{a, b}, node: n}
}
