package tfinst

import (
	"fmt"
	"slices"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/clusterwall/clusterwall/internal/model"
)

// Mapper turns the resource instances of one provider into the model.
// Mappers are listed explicitly in package tfmap; each claims resource
// types by prefix ("aws_", "tencentcloud_").
type Mapper interface {
	// Prefixes are the resource type prefixes the mapper reads.
	Prefixes() []string
	// References lists, for a resource type, the attributes besides id
	// and arn that the provider computes and that name another object,
	// as paths ("vpc_config[0].cluster_security_group_id"). Evaluators
	// give them reference values (Ref).
	References(typ string) []string
	// IDAttribute names the configured attribute that a resource type's
	// id equals ("name" for aws_eks_cluster), or "": a reference to the
	// id then evaluates to that attribute's value when it is known.
	IDAttribute(typ string) string
	// Map adds what the instances say to c.Estate.
	Map(c *Context) error
}

// Context is one configuration being mapped: its instances and the estate
// that the mappers fill.
type Context struct {
	Estate *model.Estate
	// Instances are those of the types the running mapper claimed, in
	// configuration order.
	Instances []*Instance
	// All are every instance of the configuration, by address.
	All map[string]*Instance
	// Prefix is put before every address that becomes a key, so that
	// configurations read together (several root modules) keep apart.
	Prefix string
}

// Key is the estate key of an address of this configuration.
func (c *Context) Key(address string) string { return c.Prefix + address }

// Note records something users should know.
func (c *Context) Note(format string, args ...any) {
	c.Estate.Notes = append(c.Estate.Notes, fmt.Sprintf(format, args...))
}

// Expanded reports whether an instance stands for a known instance; it
// notes, saying what is left out, when count or for_each was not known.
func (c *Context) Expanded(in *Instance, what string) bool {
	if in.ExpansionUnknown == "" {
		return true
	}
	c.Note("%s: %s, so %s is left out", in.Address, in.ExpansionUnknown, what)
	return false
}

// Aliases are the other names users may type for an object made by an
// instance at an address: the address without the configuration's
// prefix, without its module path, and without a [0] that count = 1 adds.
func (c *Context) Aliases(address string) []string {
	var out []string
	add := func(a string) {
		if a != c.Key(address) && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	add(address)
	short := StripModule(address)
	add(short)
	if base, ok := strings.CutSuffix(short, "[0]"); ok {
		add(base)
	}
	return out
}

// Of returns the instances of one type.
func (c *Context) Of(typ string) []*Instance {
	var out []*Instance
	for _, in := range c.Instances {
		if in.Type == typ && in.Mode == Managed {
			out = append(out, in)
		}
	}
	return out
}

// RefKey decodes a value that names an object by its id (a security
// group, VPC, subnet, prefix list): the object's key in the estate, or
// why the value is not known. A reference to a computed attribute other
// than id keys as "ADDRESS.ATTR" (the cluster security group of an EKS
// cluster); a literal id ("sg-0123…") is its own key. Both are "" for an
// absent value.
func (c *Context) RefKey(v cty.Value) (key, why string) {
	if Absent(v) {
		return "", ""
	}
	if !WhollyKnown(v) {
		return "", ReasonOr(v, "the value is known only after apply")
	}
	s, ok := String(v)
	if !ok {
		return "", fmt.Sprintf("expected an id, found %s", v.Type().FriendlyName())
	}
	if addr, attr, ok := ParseRef(s); ok {
		if attr == "id" {
			return c.Key(addr), ""
		}
		return c.Key(addr + "." + attr), ""
	}
	if ContainsRef(s) {
		return "", fmt.Sprintf("%q is computed from %s at apply time", Printable(s), strings.Join(RefsIn(s), ", "))
	}
	return s, ""
}

// RefAddress returns the address of the instance a value refers to by id
// or another attribute, when it is a reference.
func RefAddress(v cty.Value) (address, attr string, ok bool) {
	s, known := String(v)
	if !known {
		return "", "", false
	}
	return ParseRef(s)
}
