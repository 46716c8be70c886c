package jsonpos

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestIndexLines(t *testing.T) {
	doc := `{
  "A": [
    {"x": 1},
    2,
    [3, {"y": "]\"}"}],
    {}
  ],
  "B\u0041": {"c": []},
  "D": "{"
}`
	d, err := Parse("f.json", []byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path []any
		line int
	}{
		{nil, 1},
		{[]any{"A"}, 2},
		{[]any{"A", 0}, 3},
		{[]any{"A", 2}, 5},
		{[]any{"A", 2, 1}, 5},
		{[]any{"A", 3}, 6},
		{[]any{"BA"}, 8},
		{[]any{"BA", "c"}, 8},
	} {
		if got := d.Root.At(tc.path...).LineOf(-1); got != tc.line {
			t.Errorf("%v: line %d, want %d", tc.path, got, tc.line)
		}
	}
	if d.Root.At("A", 1) != nil || d.Root.At("D") != nil || d.Root.At("A", 9) != nil {
		t.Error("scalars and missing elements must have no node")
	}
}

func TestErrorsNameLineAndColumn(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{"{\n  \"a\": 1,\n}", "f.json:3:1: invalid JSON"},
		{"{\n  \"a\": [1, 2", "f.json:2:12: invalid JSON: the document ends early"},
		{"[1] [2]", "f.json:1:5: invalid JSON"},
	} {
		_, err := Parse("f.json", []byte(tc.doc), nil)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q: %v, want prefix %q", tc.doc, err, tc.want)
		}
	}
	var v struct{ A int }
	_, err := Parse("f.json", []byte("{\n\"A\": \"x\"}"), &v)
	if err == nil || !strings.Contains(err.Error(), "f.json:2:") || !strings.Contains(err.Error(), "expected int") {
		t.Errorf("type error: %v", err)
	}
}

func TestKeys(t *testing.T) {
	keys, ok := Keys([]byte(` {"a": {"b": 1}, "c\"d": [ {"e": 2} ], "f": "g"}`))
	if !ok || len(keys) != 3 || !keys["a"] || !keys[`c"d`] || !keys["f"] {
		t.Errorf("keys = %v, %v", keys, ok)
	}
	if _, ok := Keys([]byte(`[1]`)); ok {
		t.Error("an array is not an object")
	}
}

// reference indexes with encoding/json's tokenizer: slow but plainly right.
func reference(data []byte) map[string]int {
	out := map[string]int{}
	dec := json.NewDecoder(bytes.NewReader(data))
	var walk func(path string) error
	walk = func(path string) error {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		d, ok := tok.(json.Delim)
		if !ok {
			return nil
		}
		rest := bytes.TrimLeft(data[off:], " \t\r\n,:")
		out[path] = bytes.Count(data[:len(data)-len(rest)], []byte{'\n'}) + 1
		for i := 0; dec.More(); i++ {
			key := ""
			if d == '{' {
				k, _ := dec.Token()
				key, _ = k.(string)
			} else {
				key = string(rune('0'+i%10)) + "#" + strings.Repeat("i", i/10)
			}
			for p := range out { // a repeated key replaces what came before
				if p == path+"/"+key || strings.HasPrefix(p, path+"/"+key+"/") {
					delete(out, p)
				}
			}
			if err := walk(path + "/" + key); err != nil {
				return err
			}
		}
		_, err = dec.Token()
		return err
	}
	_ = walk("")
	return out
}

func lines(n *Node, path string, out map[string]int) {
	if n == nil {
		return
	}
	out[path] = n.Line
	for k, c := range n.fields {
		lines(c, path+"/"+k, out)
	}
	for i, c := range n.elems {
		lines(c, path+"/"+string(rune('0'+i%10))+"#"+strings.Repeat("i", i/10), out)
	}
}

// FuzzIndex checks the one-pass index against the tokenizer on every
// valid document, and that nothing panics on invalid ones.
func FuzzIndex(f *testing.F) {
	f.Add(`{"a": [1, {"b": [ ]}, [[]]], "c": {"d": "x,]}"}}`)
	f.Add("[\n{},\n[\n1,\n{\"\\\"\": 2}]]")
	f.Fuzz(func(t *testing.T, doc string) {
		data := []byte(doc)
		Keys(data)
		d, err := Parse("f.json", data, nil)
		if err != nil {
			return
		}
		want := reference(data)
		got := map[string]int{}
		lines(d.Root, "", got)
		// Duplicate object keys: the last one wins in both.
		for p, l := range want {
			if got[p] != l {
				t.Fatalf("%s: line %d, want %d (doc %q)", p, got[p], l, doc)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("got %d containers, want %d (doc %q)", len(got), len(want), doc)
		}
	})
}
