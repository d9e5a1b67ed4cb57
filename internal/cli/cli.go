// Package cli is the dxlab command: `dxlab serve` starts the server (the
// only command that imports it); `dxlab bench` hands its flags to the load
// tool (package bench), which starts a dxlab of its own or drives one over
// HTTP; every other command drives a running dxlab through its operator API
// with the typed client (package opclient), one file per command. Flags can
// also be set by environment variables.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
)

// Main runs dxlab with the process's arguments and signals, returning the
// exit code: 0 on success, 2 for a usage error (an unknown command, a bad
// flag or value; the message is printed), 1 for anything else.
func Main(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return ExitCode(Run(ctx, args, os.Stdout, os.Stderr), os.Stderr)
}

// ExitCode prints err (unless already printed) and returns the exit code it
// stands for.
func ExitCode(err error, stderr io.Writer) int {
	var usage usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &usage):
		if !usage.printed {
			fmt.Fprintln(stderr, "dxlab:", usage.error)
		}
		return 2
	}
	fmt.Fprintln(stderr, "dxlab:", err)
	return 1
}

// usageError is a mistake in the command line; printed tells that the
// message was already shown (the flag package prints its own).
type usageError struct {
	error
	printed bool
}

func usagef(format string, args ...any) error {
	return usageError{error: fmt.Errorf(format, args...)}
}

// command is one dxlab subcommand. Each lives in its own file.
type command struct {
	name string
	// args shows the positional arguments, for the usage line.
	args    string
	summary string
	// flags declares the command's flags on fs and returns the function
	// that runs it with the positional arguments.
	flags func(fs *flag.FlagSet, io *stdio) func(ctx context.Context, args []string) error
}

// commands are dxlab's subcommands in the order help lists them.
//
// The facility actions the services add as operator endpoints (a port or
// device down and up, BGP down and up, customer routes, a partner's portal
// activation, partner-initiated Interconnect proposals, the VGW and TGW
// registry) each get a file here, and a line in this list below the
// marker.
func commands() []command {
	return []command{
		serveCommand,
		statusCommand,
		stepsCommand,
		fireCommand,
		fireDueCommand,
		clockCommand,
		advanceCommand,
		resourceCommand,
		waitCommand,
		eventsCommand,
		benchCommand,
		// The facility's actions.
		crossConnectCommand,
		portCommand,
		deviceCommand,
		bgpCommand,
		routesCommand,
		portalCommand,
		proposeCommand,
		remoteRoutesCommand,
		gatewaysCommand,
		gatewayCommand,
		versionCommand,
	}
}

// stdio is where a command writes.
type stdio struct {
	out, err io.Writer
}

// Run runs one dxlab command. With no command, or flags only, it serves.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	io := &stdio{out: stdout, err: stderr}
	name := "serve"
	if len(args) > 0 {
		switch a := args[0]; {
		case a == "-h" || a == "-help" || a == "--help" || a == "help":
			if len(args) > 1 && a == "help" {
				return Run(ctx, []string{args[1], "--help"}, stdout, stderr)
			}
			printUsage(stdout)
			return nil
		case a == "-version" || a == "--version" || a == "-v":
			name, args = "version", args[1:]
		case a != "" && a[0] != '-':
			name, args = a, args[1:]
		}
	}
	i := slices.IndexFunc(commands(), func(c command) bool { return c.name == name })
	if i < 0 {
		fmt.Fprintf(stderr, "dxlab: unknown command %q\n\n", name)
		printUsage(stderr)
		return usageError{error: fmt.Errorf("unknown command %q", name), printed: true}
	}
	cmd := commands()[i]
	fs := flag.NewFlagSet("dxlab "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	run := cmd.flags(fs, io)
	usage := func() {
		out := fs.Output()
		fmt.Fprintf(out, "usage: dxlab %s", cmd.name)
		if hasFlags(fs) {
			fmt.Fprint(out, " [flags]")
		}
		if cmd.args != "" {
			fmt.Fprint(out, " "+cmd.args)
		}
		fmt.Fprintf(out, "\n\n%s\n", cmd.summary)
		if hasFlags(fs) {
			fmt.Fprint(out, "\nflags:\n")
			fs.PrintDefaults()
		}
	}
	// The flag package would print the usage itself on -help and on a bad
	// flag; it is printed here instead, once: on stdout when asked for.
	fs.Usage = func() {}
	positional, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stdout)
		usage()
		return nil
	}
	if err != nil {
		usage()
		return usageError{error: err, printed: true}
	}
	return run(ctx, positional)
}

// parseInterleaved parses flags wherever they are among the positional
// arguments ("dxlab wait dxcon-x available --timeout 1m"); "--" ends them.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, "dxlab serves AWS Direct Connect and AWS Interconnect, and drives the simulated world behind them.\n\nusage: dxlab <command> [flags] [arguments]\n\ncommands:\n")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range commands() {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, firstLine(c.summary))
	}
	tw.Flush()
	fmt.Fprint(w, `
With no command, dxlab serves. The other commands reach a running dxlab at
--endpoint (env DXLAB_ENDPOINT, default `+defaultEndpoint+`).
"dxlab <command> --help" tells more; "dxlab --version" prints the version.
`)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// wantArgs checks the number of positional arguments.
func wantArgs(cmd string, args []string, min, max int, what string) error {
	if len(args) < min || len(args) > max {
		return usagef("%s takes %s; run \"dxlab %s --help\"", cmd, what, cmd)
	}
	return nil
}

// env returns the value of an environment variable, or def.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}
