package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// buildInfo is what `custos version` reports. It comes from the build
// information the Go toolchain embeds (module version for `go install
// …@version`, VCS revision and commit time for `make build` in a checkout),
// so no release step has to remember to stamp it.
type buildInfo struct {
	Version  string
	Commit   string
	Date     string
	Modified bool
	Go       string
}

func readBuildInfo(bi *debug.BuildInfo, ok bool) buildInfo {
	out := buildInfo{Version: "(devel)", Commit: "unknown", Date: "unknown", Go: runtime.Version()}
	if !ok || bi == nil {
		return out
	}
	if v := bi.Main.Version; v != "" {
		out.Version = v
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			out.Commit = s.Value
		case "vcs.time":
			out.Date = s.Value
		case "vcs.modified":
			out.Modified = s.Value == "true"
		}
	}
	if bi.GoVersion != "" {
		out.Go = bi.GoVersion
	}
	return out
}

func (b buildInfo) String() string {
	commit := b.Commit
	if b.Modified {
		commit += " (with uncommitted changes)"
	}
	return strings.Join([]string{
		"custos " + b.Version,
		"commit  " + commit,
		"date    " + b.Date,
		"go      " + b.Go,
	}, "\n") + "\n"
}

func versionCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and build date",
		Long: `Print the version of this binary, the commit it was built from and that commit's
date, as the Go toolchain recorded them at build time ("make build" in a checkout,
or "go install github.com/custos-privacy/custos/cmd/custos@VERSION").`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprint(env.Stdout, readBuildInfo(debug.ReadBuildInfo()))
			return err
		},
	}
}
