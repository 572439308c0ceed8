// Command loa is Loa's single binary; see `loa --help`.
package main

import (
	"context"
	"os"

	"github.com/loa-project/loa/internal/cli"
)

func main() {
	env := cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	os.Exit(cli.Main(context.Background(), env, os.Args[1:]))
}
