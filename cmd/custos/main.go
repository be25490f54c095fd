// Command custos is the Custos privacy-operations engine. Everything lives
// in internal/cli so tests can drive the very same code.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/custos-privacy/custos/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})
	stop()
	os.Exit(code)
}
