// Package srcpos owns the one type that says where something came from: a
// file and line, a resource address or an API id. Every rule, group and
// finding carries one so that users can find what to change.
package srcpos

import (
	"cmp"
	"fmt"
)

// Location points at the origin of a rule, group or other object.
type Location struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Address string `json:"address,omitempty"` // resource address, logical ID, or API id (sg-…, sgr-…)
}

// IsZero reports whether the location says nothing.
func (l Location) IsZero() bool { return l == Location{} }

// String prints "file:line (address)", leaving out what is unknown.
func (l Location) String() string {
	s := l.File
	if l.Line > 0 {
		s = fmt.Sprintf("%s:%d", s, l.Line)
	}
	switch {
	case s == "":
		return l.Address
	case l.Address != "":
		return s + " (" + l.Address + ")"
	}
	return s
}

// Compare orders locations by file, line, column, then address.
func Compare(a, b Location) int {
	return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line),
		cmp.Compare(a.Column, b.Column), cmp.Compare(a.Address, b.Address))
}

// Error is an input error at a location: "file:line: message".
type Error struct {
	Loc Location
	Msg string
	Err error
}

func (e *Error) Error() string {
	where := e.Loc.File
	if e.Loc.Line > 0 {
		where = fmt.Sprintf("%s:%d", where, e.Loc.Line)
		if e.Loc.Column > 0 {
			where = fmt.Sprintf("%s:%d", where, e.Loc.Column)
		}
	}
	msg := e.Msg
	if e.Err != nil {
		if msg != "" {
			msg += ": "
		}
		msg += e.Err.Error()
	}
	if where == "" {
		return msg
	}
	return where + ": " + msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf makes an input error at a location.
func Errorf(loc Location, format string, args ...any) error {
	return &Error{Loc: loc, Msg: fmt.Sprintf(format, args...)}
}
