// Command progan builds, inspects and checks Progressive GAN datasets: one
// TFRecord file per resolution, readable unchanged by the original
// TensorFlow tools. Run "progan help" for the commands.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/progan/progan/cmd/progan/internal/progress"
	"github.com/progan/progan/pyramid"
)

// command is one subcommand: its flags, help text and action.
type command struct {
	name    string
	args    string // synopsis after the flags
	summary string
	example string
	flags   func(fs *flag.FlagSet) func(ctx context.Context, env *env, args []string) error
}

// env is what every command writes to.
type env struct {
	stdout, stderr io.Writer
	quiet          bool
}

var commands []*command

func register(c *command) { commands = append(commands, c) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// errUsage marks errors caused by how the command was called (exit 2).
var errUsage = errors.New("usage")

// errFailed is returned by commands that printed their own verdict and
// must exit 1 (verify or compare finding differences).
var errFailed = errors.New("failed")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			if c := lookup(args[1]); c != nil {
				fs, _, _ := c.prepare(stdout, stderr)
				fs.Usage()
				return 0
			}
		}
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if args[0] == "version" || args[0] == "--version" {
		fmt.Fprintln(stdout, "progan", pyramid.Version)
		return 0
	}
	c := lookup(args[0])
	if c == nil {
		fmt.Fprintf(stderr, "progan: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	fs, action, e := c.prepare(stdout, stderr)
	pos, err := parseInterleaved(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	if err := action(ctx, e, pos); err != nil {
		switch {
		case errors.Is(err, errFailed):
		case errors.Is(err, errUsage):
			fmt.Fprintf(stderr, "progan %s: %v\n", c.name, strings.TrimSuffix(err.Error(), ": usage"))
			fmt.Fprintf(stderr, "Run 'progan %s --help' for usage.\n", c.name)
			return 2
		case errors.Is(err, context.Canceled):
			msg := strings.TrimSuffix(err.Error(), ": "+context.Canceled.Error())
			if !strings.HasPrefix(msg, "interrupted") {
				msg = "interrupted"
			}
			fmt.Fprintf(stderr, "progan %s: %s\n", c.name, msg)
		default:
			fmt.Fprintf(stderr, "progan %s: %v\n", c.name, err)
		}
		return 1
	}
	return 0
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// prepare makes the command's flag set and binds its flags.
func (c *command) prepare(stdout, stderr io.Writer) (*flag.FlagSet, func(context.Context, *env, []string) error, *env) {
	fs := flag.NewFlagSet("progan "+c.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	e := &env{stdout: stdout, stderr: stderr}
	action := c.flags(fs)
	fs.BoolVar(&e.quiet, "quiet", false, "no progress output")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: progan %s [flags] %s\n\n%s\n\nExample:\n%s\n\nFlags:\n", c.name, c.args, c.summary, indent(c.example))
		fs.PrintDefaults()
	}
	return fs, action, e
}

func indent(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = "  " + l
	}
	return strings.Join(lines, "\n")
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "progan %s: Progressive GAN datasets, exact and fast.\n\nUsage: progan <command> [flags] [args]\n\nCommands:\n", pyramid.Version)
	sorted := slices.Clone(commands)
	slices.SortFunc(sorted, func(a, b *command) int { return strings.Compare(a.name, b.name) })
	for _, c := range sorted {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, firstLine(c.summary))
	}
	fmt.Fprintf(w, "  %-10s %s\n\nRun 'progan <command> --help' for a command's flags and an example.\n", "version", "print the version")
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// parseInterleaved parses flags that may come before, between or after
// the positional arguments ("progan info DIR --json").
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func (e *env) bar(desc string, total int, unit string) *progress.Bar {
	return progress.New(desc, total, unit, progress.Options{Quiet: e.quiet, Out: e.stderr})
}

func (e *env) printJSON(v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func wantArgs(args []string, n int, what string) error {
	if len(args) != n {
		return fmt.Errorf("want %s, got %d argument(s): %w", what, len(args), errUsage)
	}
	return nil
}

// human formats a byte count.
func human(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}
