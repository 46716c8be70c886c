// Package input owns what every reader shares: the input file, the
// reader options, and the sniffing of a file's kind from its content.
package input

import (
	"bytes"
	"encoding/json"
)

// File is one input file.
type File struct {
	Path string // as the user gave it, or relative to the directory given
	Data []byte
}

// Options are the settings that change what readers produce.
type Options struct {
	// VarFiles and Vars are Terraform's --var-file and --var, in order.
	VarFiles []string
	Vars     map[string]string
}

// JSONKeys returns the keys of a JSON object document, and false when the
// data is not a JSON object. It reads only the top level.
func JSONKeys(data []byte) (map[string]bool, bool) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return nil, false
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		// Not valid JSON, but it looks like an object: the reader that
		// claims it will report where it breaks.
		return map[string]bool{}, true
	}
	keys := make(map[string]bool, len(top))
	for k := range top {
		keys[k] = true
	}
	return keys, true
}
