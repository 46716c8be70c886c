// Package input owns what every reader shares: the input file and the
// reader options.
package input

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
