// Command report turns the outputs of `make bench` (bench/run.sh) into one
// "BENCH <name> <value>" line per comparison on stdout and BENCHMARKS.md.
//
//	go run ./cmd/report -dir ../.cache/bench -o ../BENCHMARKS.md
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	dir := flag.String("dir", "../.cache/bench", "directory with run.sh's outputs")
	out := flag.String("o", "../BENCHMARKS.md", "markdown file to write")
	notes := flag.String("notes", "NOTES.md", "hand-written analysis included in the markdown (optional)")
	gomod := flag.String("gomod", "go.mod", "the bench module's go.mod, for the peers' versions")
	flag.Parse()
	if err := run(*dir, *out, *notes, *gomod); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

func run(dir, out, notesPath, gomod string) error {
	in, err := gather(dir, gomod)
	if err != nil {
		return err
	}
	if b, err := os.ReadFile(notesPath); err == nil {
		in.notes = string(b)
	}
	cs := compare(in)
	for _, c := range cs {
		fmt.Printf("BENCH %s %s\n", c.name, c.value())
	}
	md := markdown(in, cs)
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, []byte(md), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, out); err != nil {
		return err
	}
	abs, _ := filepath.Abs(out)
	fmt.Fprintf(os.Stderr, "report: wrote %s\n", abs)
	return nil
}
