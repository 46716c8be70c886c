package tfinst

import (
	"fmt"
	"math/big"
	"slices"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// The helpers below read evaluated values the way mappers need them: they
// never panic on marked, null or unknown values, and they convert as
// Terraform's providers do ("443" is a number, 443 a string).

// Absent reports whether a value is missing or null.
func Absent(v cty.Value) bool {
	if v == cty.NilVal {
		return true
	}
	u, _ := v.Unmark()
	return u.IsKnown() && u.IsNull()
}

// Known reports whether a value is known at its top level (it may still
// hold unknown elements).
func Known(v cty.Value) bool {
	if v == cty.NilVal {
		return true
	}
	u, _ := v.Unmark()
	return u.IsKnown()
}

// WhollyKnown reports whether a value and everything inside it is known.
func WhollyKnown(v cty.Value) bool {
	if v == cty.NilVal {
		return true
	}
	u, _ := v.UnmarkDeep()
	return u.IsWhollyKnown()
}

// Get returns an attribute of an object, or an element of a map by key.
// It returns cty.NilVal when the value has no such attribute, and the
// unknown value itself (with its marks) when the value is unknown.
func Get(v cty.Value, name string) cty.Value {
	if v == cty.NilVal {
		return cty.NilVal
	}
	u, marks := v.Unmark()
	if !u.IsKnown() {
		return v
	}
	if u.IsNull() {
		return cty.NilVal
	}
	t := u.Type()
	switch {
	case t.IsObjectType():
		if t.HasAttribute(name) {
			return u.GetAttr(name).WithMarks(marks)
		}
	case t.IsMapType():
		k := cty.StringVal(name)
		if u.HasIndex(k).True() {
			return u.Index(k).WithMarks(marks)
		}
	}
	return cty.NilVal
}

// String reads a known, non-null primitive as a string.
func String(v cty.Value) (string, bool) {
	if v == cty.NilVal {
		return "", false
	}
	u, _ := v.UnmarkDeep()
	if !u.IsKnown() || u.IsNull() || !u.Type().IsPrimitiveType() {
		return "", false
	}
	s, err := convert.Convert(u, cty.String)
	if err != nil || !s.IsKnown() || s.IsNull() {
		return "", false
	}
	return s.AsString(), true
}

// Bool reads a known, non-null bool ("true" counts).
func Bool(v cty.Value) (b, ok bool) {
	if v == cty.NilVal {
		return false, false
	}
	u, _ := v.UnmarkDeep()
	if !u.IsKnown() || u.IsNull() || !u.Type().IsPrimitiveType() {
		return false, false
	}
	c, err := convert.Convert(u, cty.Bool)
	if err != nil || !c.IsKnown() || c.IsNull() {
		return false, false
	}
	return c.True(), true
}

// Int reads a known, non-null whole number ("443" counts).
func Int(v cty.Value) (int64, bool) {
	if v == cty.NilVal {
		return 0, false
	}
	u, _ := v.UnmarkDeep()
	if !u.IsKnown() || u.IsNull() || !u.Type().IsPrimitiveType() {
		return 0, false
	}
	c, err := convert.Convert(u, cty.Number)
	if err != nil || !c.IsKnown() || c.IsNull() {
		return 0, false
	}
	i, acc := c.AsBigFloat().Int64()
	if acc != big.Exact {
		return 0, false
	}
	return i, true
}

// List returns the elements of a list, tuple or set in order; known is
// false when the collection itself is unknown. Elements keep their marks.
// A null or missing value is an empty, known list.
func List(v cty.Value) (elems []cty.Value, known bool) {
	if v == cty.NilVal {
		return nil, true
	}
	u, marks := v.Unmark()
	if !u.IsKnown() {
		return nil, false
	}
	if u.IsNull() {
		return nil, true
	}
	t := u.Type()
	if !(t.IsListType() || t.IsTupleType() || t.IsSetType()) {
		return []cty.Value{v}, true
	}
	for it := u.ElementIterator(); it.Next(); {
		_, e := it.Element()
		elems = append(elems, e.WithMarks(marks))
	}
	return elems, true
}

// Map returns the elements of a map or object, and its keys in sorted
// order; known is false when the value is unknown.
func Map(v cty.Value) (elems map[string]cty.Value, keys []string, known bool) {
	if v == cty.NilVal {
		return nil, nil, true
	}
	u, marks := v.Unmark()
	if !u.IsKnown() {
		return nil, nil, false
	}
	if u.IsNull() {
		return nil, nil, true
	}
	t := u.Type()
	if !(t.IsMapType() || t.IsObjectType()) {
		return nil, nil, true
	}
	elems = map[string]cty.Value{}
	for it := u.ElementIterator(); it.Next(); {
		k, e := it.Element()
		ks, ok := String(k)
		if !ok {
			continue
		}
		elems[ks] = e.WithMarks(marks)
		keys = append(keys, ks)
	}
	slices.Sort(keys)
	return elems, keys, true
}

// StringMap reads a map of strings (tags); entries whose key or value is
// not a known string (or is computed from a reference) are left out, and
// known is false when the map is unknown.
func StringMap(v cty.Value) (map[string]string, bool) {
	elems, keys, known := Map(v)
	if len(keys) == 0 {
		return nil, known
	}
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		if s, ok := String(elems[k]); ok && !ContainsRef(k) && !ContainsRef(s) {
			out[k] = s
		}
	}
	return out, known
}

// Blocks returns the nested blocks of a type (a list of objects).
func Blocks(v cty.Value, name string) []cty.Value {
	elems, _ := List(Get(v, name))
	return elems
}

// Block returns the first nested block of a type (vpc_config[0]), or
// cty.NilVal when there is none.
func Block(v cty.Value, name string) cty.Value {
	if elems := Blocks(v, name); len(elems) > 0 {
		return elems[0]
	}
	return cty.NilVal
}

// Describe prints a value for an error message: null, a quoted string
// (references as ${ADDRESS.ATTR}), or the name of its type.
func Describe(v cty.Value) string {
	if Absent(v) {
		return "null"
	}
	if s, ok := String(v); ok {
		return fmt.Sprintf("%q", Printable(s))
	}
	return v.Type().FriendlyName()
}
