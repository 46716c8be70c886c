package cloudformation

import (
	"encoding/base64"
	"fmt"
	"math/big"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Limits that keep hostile templates (alias bombs, deep nesting) from
// exhausting time or memory.
const (
	maxDepth = 64
	maxSteps = 200_000 // real templates take a few thousand
)

// isShortTag reports a YAML short-form intrinsic tag such as !Ref.
func isShortTag(tag string) bool {
	return len(tag) > 1 && tag[0] == '!' && tag[1] != '!'
}

// intrinsic recognises an intrinsic function call: a short tag (!Sub x)
// or a mapping with the one key Ref or Fn::Name. It returns the function
// and the node of its argument.
func intrinsic(n *yaml.Node) (string, *yaml.Node, bool) {
	if n == nil {
		return "", nil, false
	}
	if isShortTag(n.Tag) {
		name := n.Tag[1:]
		arg := *n
		arg.Tag = ""
		if n.Kind == yaml.ScalarNode {
			arg.Tag = "!!str"
		}
		switch name {
		case "Ref", "Condition":
			return name, &arg, true
		}
		return "Fn::" + name, &arg, true
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 {
		if k := deref(n.Content[0]); k != nil && k.Kind == yaml.ScalarNode && (k.Value == "Ref" || strings.HasPrefix(k.Value, "Fn::")) {
			return k.Value, n.Content[1], true
		}
	}
	return "", nil, false
}

// scalar returns the text of a plain (untagged or string) scalar node.
func scalar(n *yaml.Node) (string, bool) {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || isShortTag(n.Tag) {
		return "", false
	}
	return n.Value, true
}

func seq(n *yaml.Node) ([]*yaml.Node, bool) {
	n = deref(n)
	if n == nil || n.Kind != yaml.SequenceNode || isShortTag(n.Tag) {
		return nil, false
	}
	return n.Content, true
}

// eval evaluates a template value.
func (r *reader) eval(t *template, n *yaml.Node, depth int) (val, error) {
	orig := n
	n = deref(n)
	if n == nil {
		return val{}, t.errorf(orig, "YAML alias that refers to itself")
	}
	r.steps++
	if r.steps > maxSteps {
		return val{}, t.errorf(n, "the template is too large to evaluate (over %d values, after expanding YAML aliases)", maxSteps)
	}
	if depth > maxDepth {
		return val{}, t.errorf(n, "intrinsic functions nested more than %d deep", maxDepth)
	}
	if fn, arg, ok := intrinsic(n); ok {
		return r.call(t, fn, arg, n, depth+1)
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return val{k: kNull, node: n}, nil
		}
		return str(n.Value, n), nil
	case yaml.SequenceNode:
		out := val{k: kList, node: n}
		for _, e := range n.Content {
			v, err := r.eval(t, e, depth+1)
			if err != nil {
				return val{}, err
			}
			if v.k != kNoValue {
				out.list = append(out.list, v)
			}
		}
		return out, nil
	case yaml.MappingNode:
		return val{k: kMap, node: n, t: t}, nil
	}
	return val{k: kNull, node: n}, nil
}

// field evaluates one key of a mapping value; ok is false when the key is
// absent or AWS::NoValue.
func (r *reader) field(m val, key string) (val, bool, error) {
	if m.k != kMap {
		return val{}, false, nil
	}
	n := mapGet(m.node, key)
	if n == nil {
		return val{}, false, nil
	}
	v, err := r.eval(m.t, n, 1)
	if err != nil || v.k == kNoValue {
		return val{}, false, err
	}
	return v, true, nil
}

// call evaluates one intrinsic function.
func (r *reader) call(t *template, fn string, arg, at *yaml.Node, depth int) (val, error) {
	if depth > maxDepth {
		return val{}, t.errorf(at, "intrinsic functions nested more than %d deep", maxDepth)
	}
	switch fn {
	case "Ref":
		name, ok := scalar(arg)
		if !ok {
			return val{}, t.errorf(at, "Ref: expected the name of a parameter or resource")
		}
		return r.ref(t, name, at, depth)
	case "Fn::GetAtt":
		return r.getAttCall(t, arg, at, depth)
	case "Fn::Sub":
		return r.subCall(t, arg, at, depth)
	case "Fn::Join":
		args, ok := seq(arg)
		if !ok || len(args) != 2 {
			return val{}, t.errorf(at, "Fn::Join: expected [delimiter, [values…]]")
		}
		delim, ok := scalar(args[0])
		if !ok {
			return val{}, t.errorf(args[0], "Fn::Join: the delimiter must be a plain string")
		}
		list, err := r.eval(t, args[1], depth)
		if err != nil {
			return val{}, err
		}
		return lift(list, func(l val) (val, error) { return join(t, delim, l, at) })
	case "Fn::Select":
		args, ok := seq(arg)
		if !ok || len(args) != 2 {
			return val{}, t.errorf(at, "Fn::Select: expected [index, list]")
		}
		idx, err := r.eval(t, args[0], depth)
		if err != nil {
			return val{}, err
		}
		list, err := r.eval(t, args[1], depth)
		if err != nil {
			return val{}, err
		}
		return lift(idx, func(i val) (val, error) {
			return lift(list, func(l val) (val, error) { return selectVal(t, i, l, at) })
		})
	case "Fn::Split":
		args, ok := seq(arg)
		if !ok || len(args) != 2 {
			return val{}, t.errorf(at, "Fn::Split: expected [delimiter, string]")
		}
		delim, ok := scalar(args[0])
		if !ok || delim == "" {
			return val{}, t.errorf(args[0], "Fn::Split: the delimiter must be a non-empty plain string")
		}
		src, err := r.eval(t, args[1], depth)
		if err != nil {
			return val{}, err
		}
		return lift(src, func(s val) (val, error) { return split(t, delim, s, at) })
	case "Fn::If":
		args, ok := seq(arg)
		if !ok || len(args) != 3 {
			return val{}, t.errorf(at, "Fn::If: expected [condition, value if true, value if false]")
		}
		name, ok := scalar(args[0])
		if !ok {
			return val{}, t.errorf(args[0], "Fn::If: the first argument must name a condition")
		}
		c, err := r.condNamed(t, name, args[0], depth)
		if err != nil {
			return val{}, err
		}
		switch c.v {
		case yes:
			return r.eval(t, args[1], depth)
		case no:
			return r.eval(t, args[2], depth)
		}
		a, err := r.eval(t, args[1], depth)
		if err != nil {
			return val{}, err
		}
		b, err := r.eval(t, args[2], depth)
		if err != nil {
			return val{}, err
		}
		return maybe(name, c.why, a, b, at), nil
	case "Fn::FindInMap":
		return r.findInMap(t, arg, at, depth)
	case "Fn::ImportValue":
		name, err := r.eval(t, arg, depth)
		if err != nil {
			return val{}, err
		}
		return lift(name, func(n val) (val, error) { return r.importValue(t, n, at, depth) })
	case "Fn::GetAZs":
		return unknown(at, "Fn::GetAZs: the availability zones of the region are known only at deploy time"), nil
	case "Fn::Base64":
		v, err := r.eval(t, arg, depth)
		if err != nil {
			return val{}, err
		}
		if s, ok := v.known(); ok {
			return str(base64.StdEncoding.EncodeToString([]byte(s)), at), nil
		}
		return unknown(at, "Fn::Base64 of a value that %s", v.whyUnknown()), nil
	case "Fn::Cidr":
		return r.cidr(t, arg, at, depth)
	case "Fn::Length":
		v, err := r.eval(t, arg, depth)
		if err != nil {
			return val{}, err
		}
		if v.k == kList {
			return str(strconv.Itoa(len(v.list)), at), nil
		}
		return unknown(at, "Fn::Length of a list the input does not decide"), nil
	case "Fn::ToJsonString", "Fn::Transform", "Fn::GetParam":
		return unknown(at, "%s is evaluated only at deploy time", fn), nil
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition":
		c, err := r.condCall(t, fn, arg, at, depth)
		if err != nil {
			return val{}, err
		}
		switch c.v {
		case yes:
			return str("true", at), nil
		case no:
			return str("false", at), nil
		}
		return unknown(at, "%s", c.why), nil
	}
	return val{}, t.errorf(at, "unknown intrinsic function %s", fn)
}

// lift applies f to a value, or to each branch of an undecided one.
func lift(v val, f func(val) (val, error)) (val, error) {
	if v.k != kMaybe {
		return f(v)
	}
	a, err := lift(v.alts[0], f)
	if err != nil {
		return val{}, err
	}
	b, err := lift(v.alts[1], f)
	if err != nil {
		return val{}, err
	}
	return maybe(v.cond, v.cwhy, a, b, v.node), nil
}

var pseudoParams = map[string]bool{
	"AWS::AccountId": true, "AWS::NotificationARNs": true, "AWS::Partition": true, "AWS::Region": true,
	"AWS::StackId": true, "AWS::StackName": true, "AWS::URLSuffix": true,
}

func (r *reader) ref(t *template, name string, at *yaml.Node, depth int) (val, error) {
	if p := t.params[name]; p != nil {
		return r.paramValue(t, p, at)
	}
	if name == "AWS::NoValue" {
		return val{k: kNoValue, node: at}, nil
	}
	if pseudoParams[name] {
		return symVal(&sym{kind: symPseudo, t: t, name: name}, at), nil
	}
	res := t.resources[name]
	if res == nil {
		// CloudFormation refuses the template ("Unresolved resource
		// dependencies"): a misspelt name is an input error, not an
		// unknown value.
		return val{}, t.errorf(at, "Ref %s: the template declares no parameter or resource %s", name, name)
	}
	if res.typ == typeEKSCluster {
		// Ref of an EKS cluster is its name.
		if n := mapGet(res.props, "Name"); n != nil {
			v, err := r.eval(t, n, depth+1)
			if err != nil {
				return val{}, err
			}
			if v.k == kStr {
				return v, nil
			}
		}
	}
	return symVal(&sym{kind: symRes, t: t, name: name}, at), nil
}

// paramValue is a parameter's Default, a list for list types, or a
// symbol when the template leaves the value to deploy time.
func (r *reader) paramValue(t *template, p *param, at *yaml.Node) (val, error) {
	if strings.HasPrefix(p.typ, "AWS::SSM::Parameter::Value") {
		return unknown(at, "parameter %s is read from SSM Parameter Store when the stack is deployed", p.name), nil
	}
	isList := p.typ == "CommaDelimitedList" || strings.HasPrefix(p.typ, "List<")
	def := deref(p.def)
	if def == nil {
		if isList {
			return unknown(at, "list parameter %s has no Default; its values are given when the stack is created", p.name), nil
		}
		return symVal(&sym{kind: symParam, t: t, name: p.name}, at), nil
	}
	if def.Kind == yaml.SequenceNode {
		out := val{k: kList, node: def}
		for _, e := range def.Content {
			s, _ := scalar(e)
			out.list = append(out.list, str(s, e))
		}
		return out, nil
	}
	s, ok := scalar(def)
	if !ok {
		return val{}, t.errorf(def, "parameter %s: Default must be a plain value", p.name)
	}
	if isList {
		out := val{k: kList, node: def}
		if s == "" {
			return out, nil
		}
		for _, e := range strings.Split(s, ",") {
			out.list = append(out.list, str(strings.TrimSpace(e), def))
		}
		return out, nil
	}
	return str(s, def), nil
}

func (r *reader) getAttCall(t *template, arg, at *yaml.Node, depth int) (val, error) {
	var id, attr string
	if s, ok := scalar(arg); ok {
		var found bool
		id, attr, found = strings.Cut(s, ".")
		if !found || id == "" || attr == "" {
			return val{}, t.errorf(at, "Fn::GetAtt: expected LogicalID.Attribute or [LogicalID, Attribute]")
		}
		return r.getAtt(t, id, attr, at, depth)
	}
	args, ok := seq(arg)
	if !ok || len(args) != 2 {
		return val{}, t.errorf(at, "Fn::GetAtt: expected LogicalID.Attribute or [LogicalID, Attribute]")
	}
	id, ok = scalar(args[0])
	if !ok {
		return val{}, t.errorf(args[0], "Fn::GetAtt: the logical ID must be a plain string")
	}
	a, err := r.eval(t, args[1], depth)
	if err != nil {
		return val{}, err
	}
	attr, ok = a.known()
	if !ok {
		return unknown(at, "Fn::GetAtt %s: the attribute name %s", id, a.whyUnknown()), nil
	}
	return r.getAtt(t, id, attr, at, depth)
}

// attrProps are attributes whose value is one of the resource's own
// properties.
var attrProps = map[string]string{
	typeVPC + ".CidrBlock":                 "CidrBlock",
	typeSubnet + ".CidrBlock":              "CidrBlock",
	typeSubnet + ".VpcId":                  "VpcId",
	typeSecurityGroup + ".VpcId":           "VpcId",
	typeNodegroup + ".NodegroupName":       "NodegroupName",
	typeNodegroup + ".ClusterName":         "ClusterName",
	typeLoadBalancerV2 + ".SecurityGroups": "SecurityGroups",
}

// attrSelf are attributes that are the resource's own ID, as Ref gives.
var attrSelf = map[string]bool{
	typeSecurityGroup + ".GroupId":           true,
	typeLaunchTemplate + ".LaunchTemplateId": true,
	typePrefixList + ".PrefixListId":         true,
	typeVPC + ".VpcId":                       true,
	typeSubnet + ".SubnetId":                 true,
}

func (r *reader) getAtt(t *template, id, attr string, at *yaml.Node, depth int) (val, error) {
	res := t.resources[id]
	if res == nil {
		return val{}, t.errorf(at, "Fn::GetAtt %s.%s: the template declares no resource %s", id, attr, id)
	}
	key := res.typ + "." + attr
	if attrSelf[key] {
		return symVal(&sym{kind: symRes, t: t, name: id}, at), nil
	}
	if prop, ok := attrProps[key]; ok {
		if n := mapGet(res.props, prop); n != nil {
			return r.eval(t, n, depth+1)
		}
	}
	return symVal(&sym{kind: symRes, t: t, name: id, attr: attr}, at), nil
}

func (r *reader) subCall(t *template, arg, at *yaml.Node, depth int) (val, error) {
	var text string
	var vars *yaml.Node
	if s, ok := scalar(arg); ok {
		text = s
	} else if args, ok := seq(arg); ok && (len(args) == 1 || len(args) == 2) {
		s, ok := scalar(args[0])
		if !ok {
			return val{}, t.errorf(args[0], "Fn::Sub: the first argument must be a plain string")
		}
		text = s
		if len(args) == 2 {
			vars = deref(args[1])
			if vars == nil || vars.Kind != yaml.MappingNode {
				return val{}, t.errorf(args[1], "Fn::Sub: the second argument must be a mapping of variables")
			}
		}
	} else {
		return val{}, t.errorf(at, "Fn::Sub: expected a string, or [string, {variables}]")
	}
	out := val{k: kStr, node: at}
	for {
		i := strings.Index(text, "${")
		if i < 0 {
			out.parts = appendParts(out.parts, part{lit: text})
			break
		}
		out.parts = appendParts(out.parts, part{lit: text[:i]})
		rest := text[i+2:]
		j := strings.IndexByte(rest, '}')
		if j < 0 {
			out.parts = appendParts(out.parts, part{lit: text[i:]})
			break
		}
		name := strings.TrimSpace(rest[:j])
		text = rest[j+1:]
		if strings.HasPrefix(name, "!") {
			out.parts = appendParts(out.parts, part{lit: "${" + rest[1:j] + "}"})
			continue
		}
		var v val
		var err error
		if vn := mapGet(vars, name); vn != nil {
			v, err = r.eval(t, vn, depth)
		} else if res, attr, ok := strings.Cut(name, "."); ok && !strings.HasPrefix(name, "AWS::") {
			v, err = r.getAtt(t, res, attr, at, depth)
		} else {
			v, err = r.ref(t, name, at, depth)
		}
		if err != nil {
			return val{}, err
		}
		out.parts = appendParts(out.parts, v.asParts()...)
	}
	return out, nil
}

func join(t *template, delim string, l val, at *yaml.Node) (val, error) {
	switch l.k {
	case kList:
	case kUnknown:
		return unknown(at, "Fn::Join of a list that %s", l.whyUnknown()), nil
	default:
		return val{}, t.errorf(at, "Fn::Join: the second argument must be a list")
	}
	if len(l.list) == 1 && l.list[0].k == kStr {
		return l.list[0], nil
	}
	out := val{k: kStr, node: at}
	for i, e := range l.list {
		if i > 0 {
			out.parts = appendParts(out.parts, part{lit: delim})
		}
		switch e.k {
		case kStr, kNull:
			out.parts = appendParts(out.parts, e.parts...)
		case kMaybe, kUnknown:
			out.parts = appendParts(out.parts, e.asParts()...)
		default:
			return val{}, t.errorf(e.node, "Fn::Join: the list must hold strings")
		}
	}
	return out, nil
}

func selectVal(t *template, idx, l val, at *yaml.Node) (val, error) {
	s, ok := idx.known()
	if !ok {
		return unknown(at, "Fn::Select with an index that %s", idx.whyUnknown()), nil
	}
	i, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || i < 0 {
		return val{}, t.errorf(idx.node, "Fn::Select: the index must be a whole number, found %q", s)
	}
	switch l.k {
	case kList:
	case kUnknown:
		return unknown(at, "Fn::Select from a list that %s", l.whyUnknown()), nil
	case kStr:
		if l.single() != nil {
			return unknown(at, "Fn::Select from a list that %s", l.whyUnknown()), nil
		}
		return val{}, t.errorf(at, "Fn::Select: the second argument must be a list")
	default:
		return val{}, t.errorf(at, "Fn::Select: the second argument must be a list")
	}
	if i >= len(l.list) {
		return val{}, t.errorf(idx.node, "Fn::Select: index %d is out of range of a list of %d", i, len(l.list))
	}
	return l.list[i], nil
}

func split(t *template, delim string, s val, at *yaml.Node) (val, error) {
	switch s.k {
	case kStr:
	case kUnknown:
		return unknown(at, "Fn::Split of a value that %s", s.whyUnknown()), nil
	default:
		return val{}, t.errorf(at, "Fn::Split: the second argument must be a string")
	}
	if sy := s.single(); sy != nil && sy.kind != symRes {
		// A whole unknown string: how many pieces it has is unknown too.
		return unknown(at, "Fn::Split of a value that %s", sy.reason()), nil
	}
	out := val{k: kList, node: at}
	cur := val{k: kStr, node: at}
	for _, p := range s.parts {
		if p.sym != nil {
			cur.parts = appendParts(cur.parts, p)
			continue
		}
		pieces := strings.Split(p.lit, delim)
		for i, piece := range pieces {
			if i > 0 {
				out.list = append(out.list, cur)
				cur = val{k: kStr, node: at}
			}
			cur.parts = appendParts(cur.parts, part{lit: piece})
		}
	}
	if cur.parts == nil {
		cur.parts = []part{{lit: ""}}
	}
	out.list = append(out.list, cur)
	for i := range out.list {
		if out.list[i].parts == nil {
			out.list[i].parts = []part{{lit: ""}}
		}
	}
	return out, nil
}

func (r *reader) findInMap(t *template, arg, at *yaml.Node, depth int) (val, error) {
	args, ok := seq(arg)
	if !ok || len(args) < 3 || len(args) > 4 {
		return val{}, t.errorf(at, "Fn::FindInMap: expected [MapName, TopLevelKey, SecondLevelKey]")
	}
	var keys []string
	for _, a := range args[:3] {
		v, err := r.eval(t, a, depth)
		if err != nil {
			return val{}, err
		}
		s, ok := v.known()
		if !ok {
			return unknown(at, "Fn::FindInMap with a key that %s", v.whyUnknown()), nil
		}
		keys = append(keys, s)
	}
	n := mapGet(mapGet(mapGet(t.mappings, keys[0]), keys[1]), keys[2])
	if n == nil {
		if len(args) == 4 {
			if d := mapGet(args[3], "DefaultValue"); d != nil {
				return r.eval(t, d, depth)
			}
		}
		return unknown(at, "Fn::FindInMap: Mappings has no %s/%s/%s", keys[0], keys[1], keys[2]), nil
	}
	return r.eval(t, n, depth)
}

func (r *reader) cidr(t *template, arg, at *yaml.Node, depth int) (val, error) {
	args, ok := seq(arg)
	if !ok || len(args) != 3 {
		return val{}, t.errorf(at, "Fn::Cidr: expected [ipBlock, count, cidrBits]")
	}
	var ss []string
	for _, a := range args {
		v, err := r.eval(t, a, depth)
		if err != nil {
			return val{}, err
		}
		s, ok := v.known()
		if !ok {
			return unknown(at, "Fn::Cidr of a value that %s", v.whyUnknown()), nil
		}
		ss = append(ss, strings.TrimSpace(s))
	}
	block, err := netip.ParsePrefix(ss[0])
	if err != nil {
		return val{}, t.errorf(args[0], "Fn::Cidr: %q is not a CIDR block", ss[0])
	}
	count, err1 := strconv.Atoi(ss[1])
	bits, err2 := strconv.Atoi(ss[2])
	total := block.Addr().BitLen()
	if err1 != nil || err2 != nil || count < 1 || count > 256 || bits < 1 || total-bits < block.Bits() {
		return val{}, t.errorf(at, "Fn::Cidr: expected a count of 1-256 and cidrBits that fit in %s", block)
	}
	size := total - bits
	if size-block.Bits() < 63 && count > 1<<(size-block.Bits()) {
		return val{}, t.errorf(at, "Fn::Cidr: %s holds fewer than %d subnets of /%d", block, count, size)
	}
	out := val{k: kList, node: at}
	base := new(big.Int).SetBytes(block.Masked().Addr().AsSlice())
	step := new(big.Int).Lsh(big.NewInt(1), uint(bits))
	for i := 0; i < count; i++ {
		n := new(big.Int).Add(base, new(big.Int).Mul(step, big.NewInt(int64(i))))
		b := n.FillBytes(make([]byte, total/8))
		a, _ := netip.AddrFromSlice(b)
		out.list = append(out.list, str(netip.PrefixFrom(a, size).String(), at))
	}
	return out, nil
}

// Conditions are three-valued: the input may not decide them.
const (
	undecided int8 = iota
	yes
	no
)

type condResult struct {
	v   int8
	why string // when undecided
}

func (r *reader) condNamed(t *template, name string, at *yaml.Node, depth int) (condResult, error) {
	if c, ok := t.condMemo[name]; ok {
		return c, nil
	}
	n, ok := t.conditions[name]
	if !ok {
		return condResult{}, t.errorf(at, "condition %q is not in the Conditions section", name)
	}
	if t.condBusy[name] {
		return condResult{}, t.errorf(n, "condition %s depends on itself", name)
	}
	t.condBusy[name] = true
	c, err := r.condExpr(t, n, depth+1)
	t.condBusy[name] = false
	if err != nil {
		return condResult{}, err
	}
	t.condMemo[name] = c
	return c, nil
}

func (r *reader) condExpr(t *template, n *yaml.Node, depth int) (condResult, error) {
	orig := n
	n = deref(n)
	if n == nil {
		return condResult{}, t.errorf(orig, "YAML alias that refers to itself")
	}
	if depth > maxDepth {
		return condResult{}, t.errorf(n, "conditions nested more than %d deep", maxDepth)
	}
	r.steps++
	if r.steps > maxSteps {
		return condResult{}, t.errorf(n, "the template is too large to evaluate")
	}
	if fn, arg, ok := intrinsic(n); ok {
		return r.condCall(t, fn, arg, n, depth)
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 {
		if k := deref(n.Content[0]); k != nil && k.Value == "Condition" {
			return r.condCall(t, "Condition", n.Content[1], n, depth)
		}
	}
	return condResult{}, t.errorf(n, "expected a condition: Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition")
}

func (r *reader) condCall(t *template, fn string, arg, at *yaml.Node, depth int) (condResult, error) {
	switch fn {
	case "Condition":
		name, ok := scalar(arg)
		if !ok {
			return condResult{}, t.errorf(at, "Condition: expected the name of a condition")
		}
		return r.condNamed(t, name, at, depth)
	case "Fn::Equals":
		args, ok := seq(arg)
		if !ok || len(args) != 2 {
			return condResult{}, t.errorf(at, "Fn::Equals: expected [value, value]")
		}
		a, err := r.eval(t, args[0], depth)
		if err != nil {
			return condResult{}, err
		}
		b, err := r.eval(t, args[1], depth)
		if err != nil {
			return condResult{}, err
		}
		return equals(a, b), nil
	case "Fn::Not":
		args, ok := seq(arg)
		if !ok || len(args) != 1 {
			return condResult{}, t.errorf(at, "Fn::Not: expected [condition]")
		}
		c, err := r.condExpr(t, args[0], depth+1)
		if err != nil {
			return condResult{}, err
		}
		switch c.v {
		case yes:
			c.v = no
		case no:
			c.v = yes
		}
		return c, nil
	case "Fn::And", "Fn::Or":
		args, ok := seq(arg)
		if !ok || len(args) == 0 {
			return condResult{}, t.errorf(at, "%s: expected a list of conditions", fn)
		}
		short, other := no, yes // And: one false decides
		if fn == "Fn::Or" {
			short, other = yes, no
		}
		out := condResult{v: other}
		for _, a := range args {
			c, err := r.condExpr(t, a, depth+1)
			if err != nil {
				return condResult{}, err
			}
			switch c.v {
			case short:
				return c, nil
			case undecided:
				out = c
			}
		}
		return out, nil
	}
	return condResult{}, t.errorf(at, "%s cannot be used as a condition: expected Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition", fn)
}

func equals(a, b val) condResult {
	if sameVal(a, b) {
		return condResult{v: yes}
	}
	if as, ok := a.known(); ok {
		if bs, ok := b.known(); ok {
			if as == bs {
				return condResult{v: yes}
			}
			return condResult{v: no}
		}
	}
	if a.k == kList && b.k == kList {
		if len(a.list) != len(b.list) {
			return condResult{v: no}
		}
		out := condResult{v: yes}
		for i := range a.list {
			switch c := equals(a.list[i], b.list[i]); c.v {
			case no:
				return c
			case undecided:
				out = c
			}
		}
		return out
	}
	why := a.whyUnknown()
	if why == "" {
		why = b.whyUnknown()
	}
	if why == "" {
		why = "the values compared are not plain strings"
	}
	return condResult{v: undecided, why: why}
}

// importValue resolves Fn::ImportValue against the exports of the other
// templates of the input.
func (r *reader) importValue(t *template, name val, at *yaml.Node, depth int) (val, error) {
	s, ok := name.known()
	if !ok {
		if name.k == kStr {
			return symVal(&sym{kind: symImport, name: name.render(),
				why: fmt.Sprintf("Fn::ImportValue: the export name %s is not known (%s)", name.render(), name.whyUnknown())}, at), nil
		}
		return unknown(at, "Fn::ImportValue of a name that %s", name.whyUnknown()), nil
	}
	exp, err := r.findExport(s)
	if err != nil {
		return val{}, err
	}
	if exp == nil {
		return symVal(&sym{kind: symImport, name: s}, at), nil
	}
	if depth > maxDepth/2 {
		return val{}, t.errorf(at, "Fn::ImportValue %s: exports import each other in a loop", s)
	}
	return r.eval(exp.t, exp.value, depth+8)
}

type export struct {
	t     *template
	re    *regexp.Regexp
	value *yaml.Node
}

// findExport finds the one export of the input whose name matches. An
// export name made with ${AWS::StackName} matches any stack name, as long
// as all imports from that template agree on it.
func (r *reader) findExport(name string) (*export, error) {
	if r.exports == nil {
		r.exports = []*export{}
		for _, t := range r.templates {
			for _, o := range t.outputs {
				if o.exportName == nil || o.value == nil {
					continue
				}
				v, err := r.eval(t, o.exportName, 0)
				if err != nil {
					return nil, err
				}
				if v.k != kStr {
					continue
				}
				pat := "^"
				okPat := true
				for _, p := range v.parts {
					switch {
					case p.sym == nil:
						pat += regexp.QuoteMeta(p.lit)
					case p.sym.kind == symPseudo && p.sym.name == "AWS::StackName":
						pat += "(.+)"
					default:
						okPat = false
					}
				}
				if okPat {
					r.exports = append(r.exports, &export{t: t, re: regexp.MustCompile(pat + "$"), value: o.value})
				}
			}
		}
	}
	var found *export
	var stack string
	for _, e := range r.exports {
		m := e.re.FindStringSubmatch(name)
		if m == nil {
			continue
		}
		s := ""
		for _, g := range m[1:] {
			if s != "" && g != s {
				m = nil
				break
			}
			s = g
		}
		if m == nil || s != "" && e.t.stackName != "" && e.t.stackName != s {
			continue
		}
		if found != nil {
			return nil, nil // several templates export it: do not pick one
		}
		found, stack = e, s
	}
	if found != nil && stack != "" && found.t.stackName == "" {
		found.t.stackName = stack
		r.notes = append(r.notes, fmt.Sprintf("%s: its stack is taken to be %s, the stack whose exports other templates of the input import", found.t.file, stack))
	}
	return found, nil
}
