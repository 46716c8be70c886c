// Package reach is the reachability engine: it decides whether a new
// connection between two hosts may be opened, under AWS semantics (rules
// only allow, the groups of an interface add up) or Tencent semantics
// (ordered ACCEPT/DROP rules, first match wins, groups in binding order).
// Answers are three-valued and carry the rules that decide them. The
// engine works on classes of hosts (one ordered group set, one address
// set) and splits address and service space only where some rule's range
// begins or ends; it never enumerates interfaces pairwise. It knows
// nothing of input formats or of what a cluster needs.
package reach

import "encoding/json"

// Verdict is a three-valued answer. The order Denied < Unknown < Allowed
// makes And the minimum and Or the maximum.
type Verdict int8

const (
	Denied Verdict = iota
	Unknown
	Allowed
)

func (v Verdict) String() string {
	switch v {
	case Allowed:
		return "allowed"
	case Unknown:
		return "unknown"
	}
	return "denied"
}

// MarshalJSON prints the verdict as its name.
func (v Verdict) MarshalJSON() ([]byte, error) { return json.Marshal(v.String()) }

// And is the three-valued conjunction.
func And(a, b Verdict) Verdict { return min(a, b) }

// Or is the three-valued disjunction.
func Or(a, b Verdict) Verdict { return max(a, b) }

// Quantifier says how an answer over many addresses or hosts combines.
type Quantifier uint8

const (
	// Some: allowed when some address (host) may open the connection.
	Some Quantifier = iota
	// Every: allowed only when every address (host) may.
	Every
)

// combine folds per-part verdicts under a quantifier. With Exact parts
// (each part is a real host) Some is a disjunction and Every a
// conjunction. With a bound (the real addresses are some unknown,
// non-empty part of it) only agreement of all parts decides.
func combine(vs []Verdict, q Quantifier, exact bool) Verdict {
	if len(vs) == 0 {
		return Denied
	}
	lo, hi := vs[0], vs[0]
	for _, v := range vs[1:] {
		lo, hi = min(lo, v), max(hi, v)
	}
	switch {
	case lo == hi:
		return lo
	case !exact:
		return Unknown
	case q == Some:
		return hi
	}
	return lo
}

func (q Quantifier) String() string {
	if q == Every {
		return "every"
	}
	return "some"
}
