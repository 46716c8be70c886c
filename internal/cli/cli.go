// Package cli owns the command line: the cobra commands, their flags, the
// .clusterwall.yaml file, output files and exit codes. It wires the
// packages together and decides nothing itself.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// Exit codes (CONTRACT.md).
const (
	ExitOK       = 0
	ExitFindings = 1
	ExitError    = 2
)

// Version is set at build time.
var Version = "dev"

// exitError carries an exit code through cobra.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// usageError marks errors in how the command was called.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// Run runs the command line and returns the exit status.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	fmt.Fprintf(stderr, "clusterwall: %v\n", err)
	return ExitError
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "clusterwall",
		Short: "Check Kubernetes cluster security groups (AWS EKS, Tencent TKE): will the cluster work, and is anything open beyond that?",
		Long: `clusterwall reads the security groups of EKS and TKE clusters — from Terraform,
CloudFormation, AWS CLI JSON or Tencent Cloud JSON — and answers two questions:
is every flow the cluster needs allowed, and is anything open beyond that?`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       Version,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newCheck(stdout), newQuery(stdout), newFlows(stdout), newFix(stdout), newGenerate(stdout))
	return root
}

// output opens --output or returns stdout.
func output(path string, stdout io.Writer) (io.Writer, func() error, error) {
	if path == "" || path == "-" {
		return stdout, func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, fmt.Errorf("writing %s: %w", path, err)
	}
	return f, f.Close, nil
}

func oneOf(flag, value string, allowed ...string) error {
	for _, a := range allowed {
		if value == a {
			return nil
		}
	}
	return usagef("--%s %q: expected one of %s", flag, value, strings.Join(allowed, ", "))
}

// needPaths asks for at least one input path, saying what one is.
func needPaths(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return usagef("%s needs at least one PATH: a file or directory of Terraform, CloudFormation, AWS CLI or Tencent Cloud JSON (see clusterwall %s --help)", cmd.Name(), cmd.Name())
	}
	return nil
}
