// Command gen writes libcontainer/specjson/zz_generated.go (run it with go
// generate in libcontainer/specjson, or go run ./internal/gen there).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/berth-runtime/berth/libcontainer/specjson/internal/specgen"
)

func main() {
	out := flag.String("o", "zz_generated.go", "file to write (- for standard output)")
	flag.Parse()
	src, err := specgen.Generate()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if *out == "-" {
		_, err = os.Stdout.Write(src)
	} else {
		err = os.WriteFile(*out, src, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
