// Package jsonpos gives JSON readers what encoding/json does not: the line
// of every object and array in a document, and input errors that name the
// line and column where the document breaks. Estates of tens of thousands
// of groups come as JSON files of tens of megabytes, so the index is built
// by one pass over the bytes that allocates only for containers.
package jsonpos

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// Node is a container (object or array) of a document and where it starts.
type Node struct {
	Line   int
	fields map[string]*Node // object members that are containers
	elems  []*Node          // array elements (nil for scalars)
}

// Field returns the container under an object key, or nil.
func (n *Node) Field(key string) *Node {
	if n == nil {
		return nil
	}
	return n.fields[key]
}

// Elem returns the i-th array element when it is a container, or nil.
func (n *Node) Elem(i int) *Node {
	if n == nil || i < 0 || i >= len(n.elems) {
		return nil
	}
	return n.elems[i]
}

// At follows object keys (string) and array indexes (int).
func (n *Node) At(path ...any) *Node {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			n = n.Field(k)
		case int:
			n = n.Elem(k)
		}
	}
	return n
}

// LineOf returns the node's line, or fallback when the node is nil.
func (n *Node) LineOf(fallback int) int {
	if n == nil {
		return fallback
	}
	return n.Line
}

// Doc is a parsed document: its container tree.
type Doc struct {
	Root *Node
	data []byte
}

// Parse checks a JSON document, decodes it into v (when v is not nil) and
// indexes its containers. Errors name the file, line and column and say
// what was expected.
func Parse(file string, data []byte, v any) (*Doc, error) {
	d := &Doc{data: data}
	if v != nil {
		if err := json.Unmarshal(data, v); err != nil {
			return nil, d.wrap(file, err)
		}
	} else if !json.Valid(data) {
		var x any
		return nil, d.wrap(file, json.Unmarshal(data, &x))
	}
	d.Root = index(data)
	return d, nil
}

// Position returns the 1-based line and column of a byte offset.
func (d *Doc) Position(off int64) (line, col int) {
	off = min(max(off, 0), int64(len(d.data)))
	before := d.data[:off]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

func (d *Doc) wrap(file string, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var off int64
	msg := err.Error()
	switch {
	case errors.As(err, &syn):
		// The offset counts the bytes read, the bad one included.
		off, msg = syn.Offset-1, "invalid JSON: "+syn.Error()
		if syn.Offset >= int64(len(d.data)) {
			msg = "invalid JSON: the document ends early"
		}
	case errors.As(err, &typ):
		off = typ.Offset
		msg = fmt.Sprintf("field %s: expected %s, found JSON %s", typ.Field, typ.Type, typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		off, msg = int64(len(d.data))-1, "invalid JSON: the document ends early"
	}
	line, col := d.Position(off)
	return &srcpos.Error{Loc: srcpos.Location{File: file, Line: line, Column: col}, Msg: msg}
}

// index builds the container tree of a valid document in one pass. An
// array's elements are counted at '[' and at each ',' directly inside it;
// an element that is a container fills its slot.
func index(data []byte) *Node {
	type frame struct {
		n      *Node
		object bool
		key    []byte // the current member's key
		inVal  bool   // the key is read: the next string is its value
	}
	var stack []frame
	var root *Node
	line := 1
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '\n':
			line++
		case '"':
			start := i + 1
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
			if n := len(stack); n > 0 && stack[n-1].object && !stack[n-1].inVal {
				stack[n-1].key, stack[n-1].inVal = data[start:i], true
			}
		case ',':
			if n := len(stack); n > 0 {
				if top := &stack[n-1]; top.object {
					top.inVal = false
				} else {
					top.n.elems = append(top.n.elems, nil)
				}
			}
		case '{', '[':
			node := &Node{Line: line}
			if n := len(stack); n == 0 {
				root = node
			} else if top := &stack[n-1]; top.object {
				if top.n.fields == nil {
					top.n.fields = map[string]*Node{}
				}
				top.n.fields[unquote(top.key)] = node
			} else {
				top.n.elems[len(top.n.elems)-1] = node
			}
			if c == '[' && !emptyArray(data[i+1:]) {
				node.elems = append(node.elems, nil)
			}
			stack = append(stack, frame{n: node, object: c == '{'})
		case '}', ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	return root
}

// emptyArray reports whether what follows a '[' closes it at once.
func emptyArray(rest []byte) bool {
	rest = bytes.TrimLeft(rest, " \t\r\n")
	return len(rest) > 0 && rest[0] == ']'
}

// unquote decodes a member key; keys without escapes are used as they are.
func unquote(raw []byte) string {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw)
	}
	var s string
	if err := json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &s); err != nil {
		return string(raw)
	}
	return s
}

// Keys returns the top-level keys of a JSON object document without
// decoding it, and false when the data does not start as an object. It
// does not validate the document.
func Keys(data []byte) (map[string]bool, bool) {
	data = bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(data) == 0 || data[0] != '{' {
		return nil, false
	}
	keys := map[string]bool{}
	depth, expectKey := 0, true
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '"':
			start := i + 1
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
			if depth == 1 && expectKey && i <= len(data) {
				keys[unquote(data[start:min(i, len(data))])] = true
				expectKey = false
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return keys, true
			}
		case ',':
			if depth == 1 {
				expectKey = true
			}
		}
	}
	return keys, true
}
