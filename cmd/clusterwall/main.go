// Command clusterwall checks the security groups of Kubernetes clusters
// (AWS EKS, Tencent TKE): will the cluster work, and is anything open
// beyond that? See README.md.
package main

import (
	"context"
	"os"

	"github.com/clusterwall/clusterwall/internal/cli"
)

func main() {
	os.Exit(cli.Run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
