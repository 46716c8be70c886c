package terraform

import (
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/hashicorp/go-cty-funcs/cidr"
	"github.com/hashicorp/go-cty-funcs/collection"
	"github.com/hashicorp/go-cty-funcs/encoding"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"github.com/clusterwall/clusterwall/internal/source/tfinst"
)

// functions returns Terraform's built-in functions under their Terraform
// names. Most come from cty's stdlib and go-cty-funcs; the few that differ
// from those (length of a string, lookup without a default, replace with
// a /regex/) are written here. Functions that read files, the clock or
// random sources, and names clusterwall does not know, return an unknown
// value that says so: the configuration is not wrong, only not decidable
// here.
func functions(extra []string) map[string]function.Function {
	fs := map[string]function.Function{
		// numeric
		"abs": stdlib.AbsoluteFunc, "ceil": stdlib.CeilFunc, "floor": stdlib.FloorFunc,
		"log": stdlib.LogFunc, "max": stdlib.MaxFunc, "min": stdlib.MinFunc,
		"parseint": stdlib.ParseIntFunc, "pow": stdlib.PowFunc, "signum": stdlib.SignumFunc,
		"sum": sumFunc,
		// string
		"chomp": stdlib.ChompFunc, "format": stdlib.FormatFunc, "formatlist": stdlib.FormatListFunc,
		"indent": stdlib.IndentFunc, "join": stdlib.JoinFunc, "lower": stdlib.LowerFunc,
		"regex": stdlib.RegexFunc, "regexall": stdlib.RegexAllFunc, "replace": replaceFunc,
		"split": stdlib.SplitFunc, "strrev": stdlib.ReverseFunc, "substr": stdlib.SubstrFunc,
		"title": stdlib.TitleFunc, "trim": stdlib.TrimFunc, "trimprefix": stdlib.TrimPrefixFunc,
		"trimsuffix": stdlib.TrimSuffixFunc, "trimspace": stdlib.TrimSpaceFunc, "upper": stdlib.UpperFunc,
		"startswith": stringTest(strings.HasPrefix), "endswith": stringTest(strings.HasSuffix),
		"strcontains": stringTest(strings.Contains),
		// collections
		"alltrue": boolsFunc(true), "anytrue": boolsFunc(false),
		"chunklist": stdlib.ChunklistFunc, "coalesce": collection.CoalesceFunc,
		"coalescelist": stdlib.CoalesceListFunc, "compact": stdlib.CompactFunc, "concat": stdlib.ConcatFunc,
		"contains": stdlib.ContainsFunc, "distinct": stdlib.DistinctFunc, "element": stdlib.ElementFunc,
		"flatten": stdlib.FlattenFunc, "index": indexFunc, "keys": stdlib.KeysFunc, "length": lengthFunc,
		"lookup": lookupFunc, "merge": stdlib.MergeFunc, "one": oneFunc, "range": stdlib.RangeFunc,
		"reverse": stdlib.ReverseListFunc, "setintersection": stdlib.SetIntersectionFunc,
		"setproduct": stdlib.SetProductFunc, "setsubtract": stdlib.SetSubtractFunc,
		"setunion": stdlib.SetUnionFunc, "slice": stdlib.SliceFunc, "sort": stdlib.SortFunc,
		"values": stdlib.ValuesFunc, "zipmap": stdlib.ZipmapFunc,
		// encoding
		"base64decode": encoding.Base64DecodeFunc, "base64encode": encoding.Base64EncodeFunc,
		"csvdecode": stdlib.CSVDecodeFunc, "jsondecode": stdlib.JSONDecodeFunc,
		"jsonencode": stdlib.JSONEncodeFunc, "urlencode": encoding.URLEncodeFunc,
		// date and time
		"formatdate": stdlib.FormatDateFunc, "timeadd": stdlib.TimeAddFunc,
		// network
		"cidrhost": cidr.HostFunc, "cidrnetmask": cidr.NetmaskFunc, "cidrsubnet": cidr.SubnetFunc,
		"cidrsubnets": cidr.SubnetsFunc,
		// types
		"can": tryfunc.CanFunc, "try": tryfunc.TryFunc,
		"tobool": stdlib.MakeToFunc(cty.Bool), "tonumber": stdlib.MakeToFunc(cty.Number),
		"tostring": stdlib.MakeToFunc(cty.String), "tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"toset": stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)), "tomap": stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		"nonsensitive": identityFunc, "sensitive": identityFunc, "ephemeralasnull": identityFunc,
		"issensitive": constFunc(cty.False),
	}
	// Functions whose result the configuration alone does not decide.
	for _, name := range []string{
		"abspath", "basename", "dirname", "pathexpand", "file", "fileexists", "fileset", "filebase64",
		"filebase64sha256", "filebase64sha512", "filemd5", "filesha1", "filesha256", "filesha512",
		"templatefile", "templatestring", "timestamp", "plantimestamp", "timecmp", "uuid", "uuidv5",
		"bcrypt", "md5", "sha1", "sha256", "sha512", "base64sha256", "base64sha512", "base64gzip",
		"textencodebase64", "textdecodebase64", "yamldecode", "yamlencode", "rsadecrypt",
		"transpose", "matchkeys", "type", "cidrcontains",
	} {
		fs[name] = notEvaluated(name, "is not evaluated by clusterwall")
	}
	for _, name := range extra {
		if _, ok := fs[name]; !ok {
			fs[name] = notEvaluated(name, "is not known to clusterwall")
		}
	}
	return fs
}

// notEvaluated accepts any arguments and returns an unknown value that
// says why.
func notEvaluated(name, why string) function.Function {
	return function.New(&function.Spec{
		VarParam: &function.Parameter{Name: "args", Type: cty.DynamicPseudoType,
			AllowUnknown: true, AllowNull: true, AllowMarked: true, AllowDynamicType: true},
		Type: func([]cty.Value) (cty.Type, error) { return cty.DynamicPseudoType, nil },
		Impl: func([]cty.Value, cty.Type) (cty.Value, error) {
			return tfinst.Unknown(fmt.Sprintf("function %s %s", name, why)), nil
		},
	})
}

var identityFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType,
		AllowUnknown: true, AllowNull: true, AllowMarked: true, AllowDynamicType: true}},
	Type: function.StaticReturnType(cty.DynamicPseudoType),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) { return args[0], nil },
})

func constFunc(v cty.Value) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType,
			AllowUnknown: true, AllowNull: true, AllowMarked: true, AllowDynamicType: true}},
		Type: function.StaticReturnType(v.Type()),
		Impl: func([]cty.Value, cty.Type) (cty.Value, error) { return v, nil },
	})
}

// lengthFunc counts the characters of a string or the elements of a
// collection.
var lengthFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowDynamicType: true, AllowUnknown: true}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v := args[0]
		switch t := v.Type(); {
		case t == cty.String:
			return stdlib.Strlen(v)
		case t == cty.DynamicPseudoType:
			return cty.UnknownVal(cty.Number), nil
		case t.IsObjectType():
			return cty.NumberIntVal(int64(len(t.AttributeTypes()))), nil
		case t.IsTupleType():
			return cty.NumberIntVal(int64(len(t.TupleElementTypes()))), nil
		case t.IsCollectionType():
			if !v.IsKnown() {
				return cty.UnknownVal(cty.Number), nil
			}
			return v.Length(), nil
		}
		return cty.NilVal, fmt.Errorf("argument must be a string, a collection type, or a structural type")
	},
})

// lookupFunc is Terraform's lookup, whose default is optional.
var lookupFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "inputMap", Type: cty.DynamicPseudoType, AllowUnknown: true},
		{Name: "key", Type: cty.String},
	},
	VarParam: &function.Parameter{Name: "default", Type: cty.DynamicPseudoType,
		AllowUnknown: true, AllowNull: true, AllowDynamicType: true},
	Type: function.StaticReturnType(cty.DynamicPseudoType),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if len(args) > 3 {
			return cty.NilVal, errors.New("lookup takes at most three arguments")
		}
		m, key := args[0], args[1].AsString()
		if !m.IsKnown() {
			return cty.DynamicVal, nil
		}
		if m.IsNull() {
			return cty.NilVal, errors.New("lookup on a null map")
		}
		t := m.Type()
		switch {
		case t.IsObjectType():
			if t.HasAttribute(key) {
				return m.GetAttr(key), nil
			}
		case t.IsMapType():
			k := cty.StringVal(key)
			if m.HasIndex(k).True() {
				return m.Index(k), nil
			}
		default:
			return cty.NilVal, fmt.Errorf("lookup needs a map or an object, not %s", t.FriendlyName())
		}
		if len(args) == 3 {
			return args[2], nil
		}
		return cty.NilVal, fmt.Errorf("lookup failed to find key %q", key)
	},
})

// indexFunc finds the position of a value in a list.
var indexFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "list", Type: cty.DynamicPseudoType},
		{Name: "value", Type: cty.DynamicPseudoType},
	},
	Type: function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		l := args[0]
		if !(l.Type().IsListType() || l.Type().IsTupleType()) {
			return cty.NilVal, errors.New("argument must be a list or tuple")
		}
		if !l.IsWhollyKnown() {
			return cty.UnknownVal(cty.Number), nil
		}
		i := 0
		for it := l.ElementIterator(); it.Next(); i++ {
			_, e := it.Element()
			eq, err := stdlib.Equal(e, args[1])
			if err != nil {
				return cty.NilVal, err
			}
			if !eq.IsKnown() {
				return cty.UnknownVal(cty.Number), nil
			}
			if eq.True() {
				return cty.NumberIntVal(int64(i)), nil
			}
		}
		return cty.NilVal, errors.New("item not found")
	},
})

// oneFunc returns the one element of a list, or null when it is empty.
var oneFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "list", Type: cty.DynamicPseudoType}},
	Type:   function.StaticReturnType(cty.DynamicPseudoType),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		l := args[0]
		t := l.Type()
		if !(t.IsListType() || t.IsTupleType() || t.IsSetType()) {
			return cty.NilVal, errors.New("must be a list, set, or tuple value with either zero or one elements")
		}
		switch n := l.LengthInt(); n {
		case 0:
			return cty.NullVal(cty.DynamicPseudoType), nil
		case 1:
			it := l.ElementIterator()
			it.Next()
			_, e := it.Element()
			return e, nil
		default:
			return cty.NilVal, fmt.Errorf("must be a list, set, or tuple value with either zero or one elements, not %d", n)
		}
	},
})

// boolsFunc is alltrue (all) or anytrue.
func boolsFunc(all bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "list", Type: cty.List(cty.Bool)}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			l := args[0]
			if !l.IsWhollyKnown() {
				return cty.UnknownVal(cty.Bool), nil
			}
			for it := l.ElementIterator(); it.Next(); {
				_, e := it.Element()
				if e.IsNull() {
					if all {
						return cty.False, nil
					}
					continue
				}
				if e.True() != all {
					return cty.BoolVal(!all), nil
				}
			}
			return cty.BoolVal(all), nil
		},
	})
}

var sumFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "list", Type: cty.DynamicPseudoType}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		l, err := convert.Convert(args[0], cty.List(cty.Number))
		if err != nil {
			return cty.NilVal, fmt.Errorf("sum needs a list of numbers: %w", err)
		}
		if !l.IsWhollyKnown() {
			return cty.UnknownVal(cty.Number), nil
		}
		if l.IsNull() || l.LengthInt() == 0 {
			return cty.NilVal, errors.New("cannot sum an empty list")
		}
		total := new(big.Float)
		for it := l.ElementIterator(); it.Next(); {
			_, e := it.Element()
			if e.IsNull() {
				return cty.NilVal, errors.New("cannot sum a null")
			}
			total.Add(total, e.AsBigFloat())
		}
		return cty.NumberVal(total), nil
	},
})

func stringTest(f func(s, sub string) bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "str", Type: cty.String}, {Name: "substr", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.BoolVal(f(args[0].AsString(), args[1].AsString())), nil
		},
	})
}

// replaceFunc is Terraform's replace: a substring wrapped in slashes is a
// regular expression.
var replaceFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "str", Type: cty.String}, {Name: "substr", Type: cty.String}, {Name: "replace", Type: cty.String},
	},
	Type: function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		sub := args[1].AsString()
		if len(sub) > 1 && strings.HasPrefix(sub, "/") && strings.HasSuffix(sub, "/") {
			return stdlib.RegexReplace(args[0], cty.StringVal(sub[1:len(sub)-1]), args[2])
		}
		return stdlib.Replace(args[0], args[1], args[2])
	},
})
