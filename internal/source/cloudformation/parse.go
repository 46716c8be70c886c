package cloudformation

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/clusterwall/clusterwall/internal/source/input"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// template is one parsed CloudFormation template.
type template struct {
	file       string
	params     map[string]*param
	paramOrder []string
	mappings   *yaml.Node
	conditions map[string]*yaml.Node
	resources  map[string]*resource
	order      []string // resource logical IDs in document order
	outputs    []*output
	transform  bool // the template names a Transform (macros may add resources)

	condMemo map[string]condResult
	condBusy map[string]bool
	// stackName is what other templates' imports show this template's
	// AWS::StackName to be, once an import has matched one of its exports.
	stackName string
	// prefix qualifies the template's logical IDs when another template
	// of the input uses the same ones.
	prefix string
}

type param struct {
	name string
	typ  string
	def  *yaml.Node // Default, or nil
	desc string
}

type resource struct {
	id    string
	typ   string
	key   *yaml.Node // the logical ID's key node: where the resource starts
	props *yaml.Node // Properties mapping, or nil
	cond  string     // the Condition attribute
}

type output struct {
	exportName *yaml.Node
	value      *yaml.Node
}

func (t *template) at(n *yaml.Node) srcpos.Location {
	if n == nil {
		return srcpos.Location{File: t.file}
	}
	return srcpos.Location{File: t.file, Line: n.Line, Column: n.Column}
}

func (t *template) errorf(n *yaml.Node, format string, args ...any) error {
	return srcpos.Errorf(t.at(n), format, args...)
}

// lineError turns a yaml.v3 error ("yaml: line 7: did not find expected
// key") into an input error at that line; yaml.v3 does not say the column.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func yamlError(file string, data []byte, err error) error {
	msg := err.Error()
	loc := srcpos.Location{File: file}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		loc.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
		loc.Line, loc.Column = refineLine(data, loc.Line, err.Error())
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	return srcpos.Errorf(loc, "invalid YAML: %s", msg)
}

// refineLine finds the line where a YAML syntax error is. yaml.v3 names
// the line where the enclosing structure starts (a mapping three lines
// up, for a key indented wrongly), and no column. The first prefix of the
// document, cut at a line end at or after that line, that fails with the
// same message ends at the line that breaks it; the column is that line's
// first character. When no prefix fails alike (a flow collection cut in
// the middle fails differently), the reported line stands.
func refineLine(data []byte, line int, msg string) (int, int) {
	starts := []int{0}
	for i, b := range data {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	const window = 60
	for l := max(line, 1); l <= len(starts) && l < line+window; l++ {
		end := len(data)
		if l < len(starts) {
			end = starts[l]
		}
		var doc yaml.Node
		err := yaml.Unmarshal(data[:end], &doc)
		if err == nil {
			continue
		}
		if m := yamlLine.FindStringSubmatch(err.Error()); m == nil || err.Error() != msg {
			break
		}
		text := data[starts[l-1]:end]
		col := 1 + len(text) - len(bytes.TrimLeft(text, " \t"))
		return l, col
	}
	return line, 0
}

// parseDocument reads a template's text into a yaml.Node tree. YAML and
// JSON both go through yaml.v3, which keeps every value's line and the
// short intrinsic tags; the few valid JSON documents yaml.v3 rejects or
// reads differently (the escapes \/ and surrogate pairs, tabs before
// the document, a key and its colon on different lines, Unicode line
// separators) are read by a position-keeping JSON decoder instead.
func parseDocument(file string, data []byte) (*yaml.Node, error) {
	isJSON := json.Valid(data)
	if isJSON && jsonQuirks(data) {
		return parseJSON(file, data)
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	err := dec.Decode(&doc)
	if err != nil && isJSON {
		return parseJSON(file, data)
	}
	if errors.Is(err, io.EOF) {
		return nil, srcpos.Errorf(srcpos.Location{File: file, Line: 1}, "empty document: expected a CloudFormation template")
	}
	if err != nil {
		return nil, yamlError(file, data, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, srcpos.Errorf(srcpos.Location{File: file, Line: 1}, "expected a CloudFormation template")
	}
	return doc.Content[0], nil
}

// jsonQuirks reports whether valid JSON holds something yaml.v3 reads
// differently from JSON: YAML 1.1 line breaks inside strings.
func jsonQuirks(data []byte) bool {
	return bytes.Contains(data, []byte("\u2028")) || bytes.Contains(data, []byte("\u2029")) || bytes.Contains(data, []byte("\u0085"))
}

// parseJSON builds the yaml.Node tree of a valid JSON document with the
// line and column of every value.
func parseJSON(file string, data []byte) (*yaml.Node, error) {
	p := &jsonParser{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	p.lines = []int{0}
	for i, b := range data {
		if b == '\n' {
			p.lines = append(p.lines, i+1)
		}
	}
	n, err := p.value(0)
	if err != nil {
		line, col := p.pos(p.dec.InputOffset())
		return nil, srcpos.Errorf(srcpos.Location{File: file, Line: line, Column: col}, "invalid JSON: %v", err)
	}
	return n, nil
}

type jsonParser struct {
	data  []byte
	dec   *json.Decoder
	lines []int
}

func (p *jsonParser) pos(off int64) (int, int) {
	lo, hi := 0, len(p.lines)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if int64(p.lines[mid]) <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo + 1, int(off) - p.lines[lo] + 1
}

// start finds where the next token begins: after white space and the
// separators the decoder has not consumed yet.
func (p *jsonParser) start() (int, int) {
	off := int(p.dec.InputOffset())
	for off < len(p.data) {
		switch p.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return p.pos(int64(off))
}

const maxJSONDepth = 10000

func (p *jsonParser) value(depth int) (*yaml.Node, error) {
	if depth > maxJSONDepth {
		return nil, errors.New("nested too deeply")
	}
	line, col := p.start()
	tok, err := p.dec.Token()
	if err != nil {
		return nil, err
	}
	n := &yaml.Node{Line: line, Column: col}
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			n.Kind, n.Tag, n.Style = yaml.MappingNode, "!!map", yaml.FlowStyle
			for p.dec.More() {
				kl, kc := p.start()
				kt, err := p.dec.Token()
				if err != nil {
					return nil, err
				}
				key, _ := kt.(string)
				k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key, Style: yaml.DoubleQuotedStyle, Line: kl, Column: kc}
				child, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, k, child)
			}
		case '[':
			n.Kind, n.Tag, n.Style = yaml.SequenceNode, "!!seq", yaml.FlowStyle
			for p.dec.More() {
				child, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, child)
			}
		}
		if _, err := p.dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
	case string:
		n.Kind, n.Tag, n.Value, n.Style = yaml.ScalarNode, "!!str", v, yaml.DoubleQuotedStyle
	case json.Number:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!int", v.String()
		if strings.ContainsAny(v.String(), ".eE") {
			n.Tag = "!!float"
		}
	case bool:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!bool", strconv.FormatBool(v)
	case nil:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!null", "null"
	}
	return n, nil
}

// mapGet returns the value of a key in a mapping node; when a key is
// given twice the last one counts, as JSON parsers do.
func mapGet(m *yaml.Node, key string) *yaml.Node {
	_, v := mapEntry(m, key)
	return v
}

func mapEntry(m *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	m = deref(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	var kn, vn *yaml.Node
	merged := false
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := deref(m.Content[i])
		switch {
		case k == nil || k.Kind != yaml.ScalarNode:
		case k.Tag == "!!merge":
			merged = true
		case k.Value == key:
			kn, vn = m.Content[i], m.Content[i+1]
		}
	}
	if vn == nil && merged {
		for _, kv := range pairs(m) {
			if deref(kv[0]).Value == key {
				return kv[0], kv[1]
			}
		}
	}
	return kn, vn
}

// deref follows YAML aliases to the node they name.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return nil
	}
	return n
}

// pairs lists a mapping's keys and values, in order, with merge keys
// ("<<") expanded and later keys overriding earlier ones. Each merged
// mapping is read once, so aliases cannot make it grow.
func pairs(m *yaml.Node) [][2]*yaml.Node {
	m = deref(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	var out [][2]*yaml.Node
	index := map[string]int{}
	visited := map[*yaml.Node]bool{}
	var add func(m *yaml.Node)
	add = func(m *yaml.Node) {
		if visited[m] {
			return
		}
		visited[m] = true
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := deref(m.Content[i]), m.Content[i+1]
			if k == nil {
				continue
			}
			if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
				switch dv := deref(v); {
				case dv == nil:
				case dv.Kind == yaml.MappingNode:
					add(dv)
				case dv.Kind == yaml.SequenceNode:
					for _, e := range dv.Content {
						if de := deref(e); de != nil && de.Kind == yaml.MappingNode {
							add(de)
						}
					}
				}
				continue
			}
			if j, ok := index[k.Value]; ok {
				out[j] = [2]*yaml.Node{m.Content[i], v}
				continue
			}
			index[k.Value] = len(out)
			out = append(out, [2]*yaml.Node{m.Content[i], v})
		}
	}
	add(m)
	return out
}

// parseTemplate reads a file into a template and checks its structure.
func parseTemplate(f input.File) (*template, error) {
	root, err := parseDocument(f.Path, f.Data)
	if err != nil {
		return nil, err
	}
	t := &template{file: f.Path, params: map[string]*param{}, conditions: map[string]*yaml.Node{},
		resources: map[string]*resource{}, condMemo: map[string]condResult{}, condBusy: map[string]bool{}}
	root = deref(root)
	if root == nil || root.Kind != yaml.MappingNode {
		return nil, t.errorf(root, "expected a CloudFormation template: a mapping with a Resources section")
	}
	for _, kv := range pairs(root) {
		k, v := kv[0], deref(kv[1])
		switch k.Value {
		case "Parameters":
			for _, pv := range pairs(v) {
				pn, body := pv[0], deref(pv[1])
				if body == nil || body.Kind != yaml.MappingNode {
					return nil, t.errorf(pv[1], "parameter %s: expected a mapping with Type and Default", pn.Value)
				}
				p := &param{name: pn.Value, def: mapGet(body, "Default")}
				if n := deref(mapGet(body, "Type")); n != nil && n.Kind == yaml.ScalarNode {
					p.typ = n.Value
				}
				if n := deref(mapGet(body, "Description")); n != nil && n.Kind == yaml.ScalarNode {
					p.desc = n.Value
				}
				if _, dup := t.params[p.name]; !dup {
					t.paramOrder = append(t.paramOrder, p.name)
				}
				t.params[p.name] = p
			}
		case "Mappings":
			t.mappings = v
		case "Conditions":
			for _, cv := range pairs(v) {
				t.conditions[cv[0].Value] = cv[1]
			}
		case "Transform":
			t.transform = true
		case "Outputs":
			for _, ov := range pairs(v) {
				body := deref(ov[1])
				o := &output{value: mapGet(body, "Value")}
				if exp := mapGet(body, "Export"); exp != nil {
					o.exportName = mapGet(exp, "Name")
				}
				t.outputs = append(t.outputs, o)
			}
		}
	}
	resNode := mapGet(root, "Resources")
	if resNode == nil {
		return nil, t.errorf(root, "expected a Resources section")
	}
	if d := deref(resNode); d == nil || d.Kind != yaml.MappingNode {
		return nil, t.errorf(resNode, "Resources: expected a mapping of logical IDs to resources")
	}
	for _, rv := range pairs(resNode) {
		k, body := rv[0], deref(rv[1])
		id := k.Value
		if strings.HasPrefix(id, "Fn::ForEach::") {
			t.transform = true // AWS::LanguageExtensions loops: resources made at deploy time
			continue
		}
		if body == nil || body.Kind != yaml.MappingNode {
			return nil, t.errorf(rv[1], "resource %s: expected a mapping with Type and Properties", id)
		}
		typ := deref(mapGet(body, "Type"))
		if typ == nil {
			return nil, t.errorf(k, "resource %s has no Type: expected such as Type: AWS::EC2::SecurityGroup", id)
		}
		if typ.Kind != yaml.ScalarNode || isShortTag(typ.Tag) {
			return nil, t.errorf(typ, "resource %s: Type must be a plain string such as AWS::EC2::SecurityGroup", id)
		}
		r := &resource{id: id, typ: typ.Value, key: k}
		if p := mapGet(body, "Properties"); p != nil {
			dp := deref(p)
			switch {
			case dp == nil || dp.Kind == yaml.ScalarNode && dp.Tag == "!!null":
			case dp.Kind != yaml.MappingNode:
				return nil, t.errorf(p, "resource %s: Properties must be a mapping", id)
			default:
				r.props = dp
			}
		}
		if c := deref(mapGet(body, "Condition")); c != nil {
			if c.Kind != yaml.ScalarNode {
				return nil, t.errorf(c, "resource %s: Condition must name a condition of the Conditions section", id)
			}
			if _, ok := t.conditions[c.Value]; !ok {
				return nil, t.errorf(c, "resource %s: condition %q is not in the Conditions section", id, c.Value)
			}
			r.cond = c.Value
		}
		if _, dup := t.resources[id]; !dup {
			t.order = append(t.order, id)
		}
		t.resources[id] = r
	}
	return t, nil
}

// stem is the file name without directory and extension.
func stem(file string) string {
	b := path.Base(file)
	if i := strings.IndexByte(b, '.'); i > 0 {
		b = b[:i]
	}
	return b
}
