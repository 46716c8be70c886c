// Package jsonpos gives JSON readers what encoding/json does not: the line
// of every object and array in a document, and input errors that name the
// line and column where the document breaks.
package jsonpos

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"

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

// Doc is a parsed document: its container tree and a line table.
type Doc struct {
	Root  *Node
	data  []byte
	lines []int // offsets at which lines start
}

// Parse indexes a JSON document and decodes it into v. Errors name the
// file, line and column and say what was expected.
func Parse(file string, data []byte, v any) (*Doc, error) {
	d := &Doc{data: data, lines: lineStarts(data)}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	root, err := d.parse(dec)
	if err != nil {
		return nil, d.wrap(file, dec.InputOffset(), err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, d.wrap(file, dec.InputOffset(), errors.New("unexpected data after the JSON document"))
	}
	d.Root = root
	if v != nil {
		if err := json.Unmarshal(data, v); err != nil {
			return nil, d.wrap(file, 0, err)
		}
	}
	return d, nil
}

func lineStarts(data []byte) []int {
	starts := []int{0}
	for i, b := range data {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// Position returns the 1-based line and column of a byte offset.
func (d *Doc) Position(off int64) (line, col int) {
	i := sort.Search(len(d.lines), func(i int) bool { return int64(d.lines[i]) > off }) - 1
	if i < 0 {
		i = 0
	}
	return i + 1, int(off) - d.lines[i] + 1
}

func (d *Doc) wrap(file string, off int64, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	msg := err.Error()
	switch {
	case errors.As(err, &syn):
		off, msg = syn.Offset, "invalid JSON: "+syn.Error()
	case errors.As(err, &typ):
		off = typ.Offset
		msg = fmt.Sprintf("field %s: expected %s, found JSON %s", typ.Field, typ.Type, typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		msg = "invalid JSON: the document ends early"
	}
	line, col := d.Position(off)
	return &srcpos.Error{Loc: srcpos.Location{File: file, Line: line, Column: col}, Msg: msg}
}

// parse reads one value and returns its node (nil for scalars).
func (d *Doc) parse(dec *json.Decoder) (*Node, error) {
	off := dec.InputOffset()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return nil, nil
	}
	line, _ := d.Position(d.skipSpace(off))
	n := &Node{Line: line}
	switch delim {
	case '{':
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			key, _ := kt.(string)
			child, err := d.parse(dec)
			if err != nil {
				return nil, err
			}
			if child != nil {
				if n.fields == nil {
					n.fields = map[string]*Node{}
				}
				n.fields[key] = child
			}
		}
	case '[':
		for dec.More() {
			child, err := d.parse(dec)
			if err != nil {
				return nil, err
			}
			n.elems = append(n.elems, child)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing delimiter
		return nil, err
	}
	return n, nil
}

// skipSpace moves an offset that InputOffset reported before a value's
// separators and whitespace to the value itself.
func (d *Doc) skipSpace(off int64) int64 {
	for off < int64(len(d.data)) {
		switch d.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}
