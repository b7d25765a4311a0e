package banklink_test

import (
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The public API names no internal type: no exported function, method,
// field, alias or embedded type of a public package mentions a type of an
// internal package, so go doc and pkg.go.dev show users everything they
// can use. The check reads the compiler's export data (go list -export),
// so it takes seconds: type-checking from source re-read the standard
// library every run.
func TestPublicAPIHasNoInternalTypes(t *testing.T) {
	out, err := exec.Command("go", "list", "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}", "github.com/banklink/banklink-go/...").Output()
	require.NoError(t, err, "go list -export")
	exports := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if path, file, ok := strings.Cut(line, "\t"); ok && file != "" {
			exports[path] = file
		}
	}
	imp := importer.ForCompiler(token.NewFileSet(), "gc", func(path string) (io.ReadCloser, error) {
		file, ok := exports[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(file)
	})
	own, err := exec.Command("go", "list", "github.com/banklink/banklink-go/...").Output()
	require.NoError(t, err, "go list")
	checked := 0
	for _, path := range strings.Fields(string(own)) {
		if strings.Contains(path, "/internal/") || strings.Contains(path, "/examples/") {
			continue
		}
		pkg, err := imp.Import(path)
		require.NoError(t, err, path)
		checked++
		for _, leak := range internalMentions(pkg) {
			t.Errorf("%s: %s", path, leak)
		}
	}
	require.GreaterOrEqual(t, checked, 10, "the root, four providers, four fakes and banklinktest")
}

// internalMentions lists the exported API of pkg that mentions a type of
// an internal package.
func internalMentions(pkg *types.Package) []string {
	w := apiWalker{home: pkg, seen: map[types.Type]bool{}}
	for _, name := range pkg.Scope().Names() {
		obj := pkg.Scope().Lookup(name)
		if !obj.Exported() {
			continue
		}
		w.where = name
		w.visit(obj.Type(), true)
		if tn, ok := obj.(*types.TypeName); ok && !tn.IsAlias() {
			if named, ok := tn.Type().(*types.Named); ok {
				for m := range named.Methods() {
					if m.Exported() {
						w.where = name + "." + m.Name()
						w.visit(m.Type(), false)
					}
				}
			}
		}
	}
	return w.leaks
}

type apiWalker struct {
	home  *types.Package
	where string
	seen  map[types.Type]bool
	leaks []string
}

func (w *apiWalker) visit(t types.Type, top bool) {
	if t == nil || (w.seen[t] && !top) {
		return
	}
	w.seen[t] = true
	switch t := t.(type) {
	case *types.Alias:
		w.visit(types.Unalias(t), false)
	case *types.Named:
		if p := t.Obj().Pkg(); p != nil && strings.Contains(p.Path()+"/", "/internal/") {
			w.leaks = append(w.leaks, w.where+" mentions "+p.Path()+"."+t.Obj().Name())
			return
		}
		if t.Obj().Pkg() == w.home && top {
			w.visit(t.Underlying(), false)
		}
		for ta := range t.TypeArgs().Types() {
			w.visit(ta, false)
		}
	case *types.Pointer:
		w.visit(t.Elem(), false)
	case *types.Slice:
		w.visit(t.Elem(), false)
	case *types.Array:
		w.visit(t.Elem(), false)
	case *types.Map:
		w.visit(t.Key(), false)
		w.visit(t.Elem(), false)
	case *types.Chan:
		w.visit(t.Elem(), false)
	case *types.Signature:
		for v := range t.Params().Variables() {
			w.visit(v.Type(), false)
		}
		for v := range t.Results().Variables() {
			w.visit(v.Type(), false)
		}
	case *types.Struct:
		for f := range t.Fields() {
			if f.Exported() {
				w.visit(f.Type(), false)
			}
		}
	case *types.Interface:
		for m := range t.Methods() {
			if m.Exported() {
				w.visit(m.Type(), false)
			}
		}
	}
}

// Every exported name of a public package has a doc comment: a function,
// a method, a type, or a constant or variable (alone or in a documented
// group).
func TestPublicAPIIsDocumented(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{.Dir}} {{join .GoFiles " "}}`, "github.com/banklink/banklink-go/...").Output()
	require.NoError(t, err, "go list")
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 3 || strings.Contains(fields[0], "/internal/") || strings.Contains(fields[0], "/examples/") {
			continue
		}
		for _, name := range fields[2:] {
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, filepath.Join(fields[1], name), nil, parser.ParseComments)
			require.NoError(t, err, name)
			for _, missing := range undocumented(f) {
				t.Errorf("%s: %s has no doc comment", fset.Position(missing.Pos()), missing.Name)
			}
		}
	}
}

func undocumented(f *ast.File) []*ast.Ident {
	var out []*ast.Ident
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Name.IsExported() && d.Doc == nil && (d.Recv == nil || exportedRecv(d.Recv)) {
				out = append(out, d.Name)
			}
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					if s.Name.IsExported() && s.Doc == nil && d.Doc == nil {
						out = append(out, s.Name)
					}
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if n.IsExported() && s.Doc == nil && d.Doc == nil && s.Comment == nil {
							out = append(out, n)
						}
					}
				}
			}
		}
	}
	return out
}

// exportedRecv reports whether a method's receiver type is exported.
func exportedRecv(recv *ast.FieldList) bool {
	t := recv.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	if idx, ok := t.(*ast.IndexExpr); ok {
		t = idx.X
	}
	id, ok := t.(*ast.Ident)
	return ok && id.IsExported()
}
