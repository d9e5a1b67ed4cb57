// Command modelgen turns a botocore service model (service-2.json) into the Go
// package dxlab serves that service through: a type per shape, the handler
// interface with one method per operation, the operation table the protocol
// layer dispatches through, the modelled errors and a validator for every
// constraint of the model.
//
// The models are read from a path given on the command line and are never
// committed; what this writes is.
//
//	go run ./tools/modelgen -service directconnect/2012-10-25 -pkg dxapi -out internal/api/dxapi
//
// The models directory is -models, else $DXLAB_MODELS, else shared/models
// beside the checkout (../shared/models from the module root).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	models := flag.String("models", os.Getenv("DXLAB_MODELS"), "directory of the botocore models (default: $DXLAB_MODELS, else ../shared/models from the module root)")
	service := flag.String("service", "", "model to read, as <service>/<api-version> under the models directory")
	pkg := flag.String("pkg", "", "Go package name to emit")
	out := flag.String("out", "", "directory to write the generated files to")
	flag.Parse()
	if *service == "" || *pkg == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: modelgen [-models dir] -service name/version -pkg name -out dir")
		os.Exit(2)
	}
	dir := *models
	if dir == "" {
		root, err := moduleRoot()
		if err != nil {
			fmt.Fprintln(os.Stderr, "modelgen:", err)
			os.Exit(1)
		}
		dir = filepath.Join(root, "..", "shared", "models")
	}
	if err := run(filepath.Join(dir, *service, "service-2.json"), *pkg, *out); err != nil {
		fmt.Fprintln(os.Stderr, "modelgen:", err)
		os.Exit(1)
	}
}

// moduleRoot is the nearest directory above the working one holding go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

func run(modelPath, pkg, out string) error {
	raw, err := os.ReadFile(modelPath)
	if err != nil {
		return err
	}
	var m Model
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("%s: %w", modelPath, err)
	}
	g, err := newGenerator(&m, pkg)
	if err != nil {
		return err
	}
	files, err := g.files()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	// Only files this generator names are written or removed, never anything
	// else in the directory.
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(out, name), src, 0o644); err != nil {
			return err
		}
	}
	return nil
}
