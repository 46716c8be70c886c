package report

import (
	"encoding/json"
	"io"
)

// JSON writes v as indented JSON with a final newline. Map keys are
// sorted by encoding/json, so output is deterministic.
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
