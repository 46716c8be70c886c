// Package tfplan reads what `terraform show -json` prints: a saved plan
// (`terraform show -json PLANFILE`) or the current state (`terraform show
// -json`). Each resource instance becomes a tfinst.Instance that package
// tfmap maps into the model with the same mappers, and the same keys, as
// the HCL reader: a configuration read as HCL and as its plan gives the
// same groups, rules and members.
//
// A plan shows the values every resource will have after apply, except
// those only apply computes. Where such a value is configured, the
// configuration section says which resources its expression references;
// the reader turns a reference to an id into tfinst.Ref, so that a rule
// whose group is created by the same plan is tied to the group's key:
//
//   - a reference through a module input (var.vpc_id) is followed to the
//     module call's expression, and one to a module output to the
//     output's expression;
//   - a reference without an instance key to a resource with count or
//     for_each (aws_security_group.ng[each.key].id is shown as
//     "aws_security_group.ng" and "each.key") names the instance with the
//     referring instance's key when both have the same keys; a list whose
//     unknown elements are as many as the instances referenced gets them
//     in key order (the for expression over a for_each resource);
//   - anything else the expression depends on (a local value, a
//     conditional on a variable, a value the plan knows) may be what the
//     value is, so the value stays unknown, with the reason.
//
// An attribute that the configuration does not set is the provider's to
// compute; it is left out when the plan does not know it, as the HCL
// reader leaves it out. So is one the provider rejects next to an
// attribute that is set (source_security_group_id of a rule with self or
// CIDR blocks: terraform-aws-eks sets it to null through a conditional,
// and the plan shows it unknown). An existing group's refreshed ingress
// and egress, which list the rules of rule resources too, are left out
// when the configuration does not set them. Plan JSON does not show
// dynamic blocks in the configuration, so a block they make over an
// unknown value is left out too. A set whose elements are not all known
// is wholly unknown in a plan; when its expression references ids only,
// the reader rebuilds it from the references (literal ids written next to
// them are not shown in plan JSON and are then missed).
//
// State, and the resources a plan does not change, hold real ids
// (sg-0123…). Groups are still keyed by their resource address, like HCL
// input; their real ids become aliases (so that --role nodes=sg-0123… and
// query endpoints by id work), and an id that another resource holds
// becomes a reference to the resource that has it, so that a rule whose
// security_group_id is "sg-0123…" belongs to the group with that id. An id
// of a resource outside the file stays the id: a group named but not
// declared. In state, a group's ingress and egress list every rule AWS
// has, those of aws_security_group_rule resources included; rules that
// such a resource declares are kept once, from the resource.
//
// Plan JSON has no source lines. Locations name the file, the line of the
// resource's object in it (useful when the file is pretty-printed, as
// `terraform show -json plan | jq .` does; a one-line file gives no line)
// and the resource address.
//
// Each file is one configuration; several files are read apart, their
// keys prefixed with the file's path. The HCL reader does not know of
// this one: a configuration given both as HCL and as its plan is counted
// twice, so give one of them.
package tfplan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/source/input"
	"github.com/clusterwall/clusterwall/internal/source/jsonpos"
	"github.com/clusterwall/clusterwall/internal/source/tfmap"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// Detect reports whether a JSON object with these top-level keys is
// Terraform plan or state JSON.
func Detect(keys map[string]bool) bool {
	if !keys["format_version"] {
		return false
	}
	for _, k := range []string{"planned_values", "values", "resource_changes", "prior_state", "terraform_version"} {
		if keys[k] {
			return true
		}
	}
	return false
}

// Read reads plan and state files. Each file is one configuration; when
// several are read together their keys are prefixed with the file's path
// ("envs/prod.json:aws_security_group.node"), as the HCL reader prefixes
// the keys of several root modules.
func Read(files []input.File) (*model.Estate, error) {
	e := model.NewEstate()
	for _, f := range files {
		prefix := ""
		if len(files) > 1 {
			prefix = f.Path + ":"
		}
		fe, err := readFile(f, prefix)
		if err != nil {
			return nil, err
		}
		e.Merge(fe)
	}
	return e, nil
}

// document is one file: a plan or a state, and where its parts are.
type document struct {
	file  string
	doc   *jsonpos.Doc
	lines bool // the file has more than one line, so lines say something
	plan  *tfjson.Plan
	state *tfjson.State
	notes []string // what users should know about the file as a whole
}

func readFile(f input.File, prefix string) (*model.Estate, error) {
	d, err := decode(f)
	if err != nil {
		return nil, err
	}
	r := newReader(d, prefix)
	if err := r.collect(); err != nil {
		return nil, err
	}
	r.build()
	r.linkIDs()
	e, err := tfmap.Build(r.out, prefix)
	if err != nil {
		return nil, err
	}
	r.finish(e)
	return e, nil
}

// Sections of a plan that the reader uses; others (output_changes,
// resource_drift, checks) are not decoded.
var planSections = []string{"format_version", "terraform_version", "variables", "planned_values",
	"resource_changes", "deferred_changes", "prior_state", "configuration"}

func decode(f input.File) (*document, error) {
	doc, err := jsonpos.Parse(f.Path, f.Data, nil)
	if err != nil {
		return nil, err
	}
	d := &document{file: f.Path, doc: doc, lines: bytes.Count(bytes.TrimSpace(f.Data), []byte{'\n'}) > 0}
	offsets, ok := topLevel(f.Data)
	if !ok {
		return nil, d.errorAt(0, "expected a JSON object: the output of terraform show -json")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(f.Data, &top); err != nil {
		return nil, d.errorAt(0, "expected a JSON object: the output of terraform show -json")
	}
	if err := d.checkVersion(top, offsets); err != nil {
		return nil, err
	}
	isPlan := false
	for _, k := range []string{"planned_values", "resource_changes", "prior_state", "configuration", "resource_drift"} {
		if _, ok := top[k]; ok {
			isPlan = true
		}
	}
	if !isPlan {
		s := &tfjson.State{}
		s.UseJSONNumber(true)
		if err := json.Unmarshal(f.Data, s); err != nil {
			return nil, d.decodeError("", 0, err)
		}
		d.state = s
		return d, nil
	}
	p := &tfjson.Plan{}
	for _, k := range planSections {
		raw, ok := top[k]
		if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			continue
		}
		var target any
		switch k {
		case "format_version":
			target = &p.FormatVersion
		case "terraform_version":
			target = &p.TerraformVersion
		case "variables":
			target = &p.Variables
		case "planned_values":
			target = &p.PlannedValues
		case "resource_changes":
			target = &p.ResourceChanges
		case "deferred_changes":
			target = &p.DeferredChanges
		case "prior_state":
			p.PriorState = &tfjson.State{}
			p.PriorState.UseJSONNumber(true)
			target = p.PriorState
		case "configuration":
			target = &p.Config
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(target); err != nil {
			base := offsets[k]
			if k == "configuration" {
				// The configuration's expressions decode themselves, and
				// their offsets count from each expression: name the
				// section.
				return nil, d.decodeError(k, base, stripOffset(err))
			}
			return nil, d.decodeError(k, base, err)
		}
	}
	d.plan = p
	var flag bool
	if json.Unmarshal(top["errored"], &flag) == nil && flag {
		d.notes = append(d.notes, fmt.Sprintf("%s: Terraform could not finish this plan (errored), so it may not hold every resource of the configuration", f.Path))
	}
	if json.Unmarshal(top["complete"], &flag) == nil && !flag && top["complete"] != nil {
		d.notes = append(d.notes, fmt.Sprintf("%s: the plan is not complete: Terraform deferred some changes to a later plan", f.Path))
	}
	return d, nil
}

// checkVersion accepts the format versions tfjson reads: 0.x and 1.x.
func (d *document) checkVersion(top map[string]json.RawMessage, offsets map[string]int64) error {
	raw, ok := top["format_version"]
	var v string
	if !ok || json.Unmarshal(raw, &v) != nil {
		return d.errorAt(offsets["format_version"], "format_version: expected a string such as \"1.2\"")
	}
	major, minor, _ := strings.Cut(v, ".")
	m, err1 := strconv.Atoi(major)
	_, err2 := strconv.Atoi(strings.SplitN(minor, ".", 2)[0])
	if err1 != nil || err2 != nil || minor == "" {
		return d.errorAt(offsets["format_version"], "format_version %q is not a version such as \"1.2\"", v)
	}
	if m > 1 || m < 0 || v == "0.0" {
		return d.errorAt(offsets["format_version"], "format_version %q is not supported: clusterwall reads the plan and state JSON format 0.1 to 1.x (Terraform 0.12 and later, OpenTofu); a newer format needs a newer clusterwall", v)
	}
	return nil
}

func (d *document) errorAt(off int64, format string, args ...any) error {
	loc := srcpos.Location{File: d.file}
	if d.lines {
		loc.Line, _ = d.doc.Position(off)
	}
	return srcpos.Errorf(loc, format, args...)
}

// decodeError reports a value of the wrong JSON type where it is: base is
// the offset of the section it was decoded from.
func (d *document) decodeError(section string, base int64, err error) error {
	var typ *json.UnmarshalTypeError
	where := section
	if errors.As(err, &typ) {
		if typ.Field != "" {
			where = strings.TrimPrefix(section+"."+typ.Field, ".")
		}
		msg := fmt.Sprintf("expected %s, found JSON %s", typ.Type, typ.Value)
		if where != "" {
			msg = where + ": " + msg
		}
		return d.errorAt(base+typ.Offset, "%s", msg)
	}
	msg := err.Error()
	if where != "" {
		msg = where + ": " + msg
	}
	return d.errorAt(base, "%s", msg)
}

// stripOffset makes a type error point at the start of its section.
func stripOffset(err error) error {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		c := *typ
		c.Offset = 0
		return &c
	}
	return err
}

// topLevel returns the offset of each top-level member's value, and false
// when the document is not an object.
func topLevel(data []byte) (map[string]int64, bool) {
	i := 0
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n') {
		i++
	}
	if bytes.HasPrefix(data[i:], []byte("\ufeff")) {
		i += 3
	}
	if i >= len(data) || data[i] != '{' {
		return nil, false
	}
	out := map[string]int64{}
	depth := 0
	var key string
	expectKey := true
	for ; i < len(data); i++ {
		switch c := data[i]; c {
		case '"':
			start := i
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
			if depth == 1 {
				if expectKey {
					if err := json.Unmarshal(data[start:min(i+1, len(data))], &key); err != nil {
						key = ""
					}
					expectKey = false
				} else if _, seen := out[key]; !seen {
					out[key] = int64(start)
				}
			}
		case ':':
			if depth == 1 {
				// The value starts after the colon and blanks.
				j := i + 1
				for j < len(data) && (data[j] == ' ' || data[j] == '\t' || data[j] == '\r' || data[j] == '\n') {
					j++
				}
				if _, seen := out[key]; !seen && (j >= len(data) || data[j] != '"') {
					out[key] = int64(j)
				}
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return out, true
			}
		case ',':
			if depth == 1 {
				expectKey = true
			}
		}
	}
	return out, true
}
