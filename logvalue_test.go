package banklink_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/dfcu"
	"github.com/banklink/banklink-go/fintiv"
	"github.com/banklink/banklink-go/fintiv/fintivtest"
	"github.com/banklink/banklink-go/fintract"
	"github.com/banklink/banklink-go/merchant"
)

// secretField is a field name that holds a secret: a password, PIN, OTP,
// answer, reset code, key or token.
var secretField = regexp.MustCompile(`(?i)^(access|refresh)$|password|passwd|^pin$|pins?$|otp|secret|token$|answers?$|apikey|api_key|resetcode`)

// #22.1: every exported type of the public packages that holds a secret
// has a LogValue, so no slog handler (JSON, text, or one of your own)
// prints it: the JSON handler printed a Session's tokens and a
// LoginRequest's password in clear. This fails when a new one lacks it.
func TestEverySecretHoldingTypeHasLogValue(t *testing.T) {
	fset := token.NewFileSet()
	holders := map[string]bool{}  // pkg.Type → holds a secret
	logValue := map[string]bool{} // pkg.Type → has LogValue
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != "." && (name == "internal" || name == "examples" || name == "cmd" || strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil && path != "." {
				return filepath.SkipDir // another module
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		pkg := filepath.Dir(path) + "." // a directory names its package here
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					ts, ok := spec.(*ast.TypeSpec)
					if !ok || !ts.Name.IsExported() {
						continue
					}
					st, ok := ts.Type.(*ast.StructType)
					if !ok {
						continue
					}
					for _, field := range st.Fields.List {
						if !stringy(field.Type) {
							continue // a flag or a time about a secret is no secret
						}
						for _, n := range field.Names {
							if n.IsExported() && secretField.MatchString(n.Name) {
								holders[pkg+ts.Name.Name] = true
							}
						}
					}
				}
			case *ast.FuncDecl:
				if d.Recv == nil || d.Name.Name != "LogValue" {
					continue
				}
				typ := d.Recv.List[0].Type
				if star, ok := typ.(*ast.StarExpr); ok {
					typ = star.X
				}
				if id, ok := typ.(*ast.Ident); ok {
					logValue[pkg+id.Name] = true
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for typ := range holders {
		if !logValue[typ] {
			missing = append(missing, typ)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("exported types holding a secret without LogValue: %s", strings.Join(missing, ", "))
	}
	if len(holders) < 5 {
		t.Errorf("found only %d secret-holding types: the detector is broken", len(holders))
	}
}

// stringy reports a field type that can hold a secret's text: a string,
// or a slice or map of strings.
func stringy(e ast.Expr) bool {
	switch t := e.(type) {
	case *ast.Ident:
		return t.Name == "string"
	case *ast.ArrayType:
		return stringy(t.Elt)
	case *ast.MapType:
		return stringy(t.Value)
	}
	return false
}

// #22.1: the canaries of every secret-holding type never show through
// fmt's verbs, slog's JSON and text handlers, or json.Marshal (a
// Session's JSON is its save form, and holds its tokens by design: it is
// checked through the other forms only).
func TestNoSecretReachesALoggerOrAnEncoding(t *testing.T) {
	const access, refresh, pw, pin, answer, key = "canary-access-token-4242", "canary-refresh-token-4242", "canary-password-4242",
		"8264", "canary-answer-4242", "canary-api-key-4242"
	values := map[string]any{
		"dfcu.Session":             dfcu.Session{Access: access, Refresh: refresh},
		"fintract.Session":         fintract.Session{Access: access, Refresh: refresh},
		"fintiv.Session":           fintiv.Session{Access: access, Refresh: refresh},
		"merchant.Session":         merchant.Session{Access: access, Refresh: refresh},
		"fintract.LoginRequest":    fintract.LoginRequest{Email: "a@b.example", Password: pw},
		"fintract.RegisterRequest": fintract.RegisterRequest{Email: "a@b.example", Password: pw, Password2: pw},
		"fintiv.Reset":             fintiv.Reset{Username: "u", SecurityQuestionID: 1, Answer: answer},
		"fintivtest.User":          fintivtest.User{Username: "u", Password: pw, PIN: pin, Answers: map[int64]string{1: answer}},
		"fintivtest.Headers":       fintivtest.Headers{APIKey: key},
	}
	dc, err := dfcu.New(banklink.WithBaseURL("https://loans.example/"), dfcu.WithCredentials("ops", pw))
	require.NoError(t, err)
	fc, err := fintiv.New(banklink.WithBaseURL("https://auth.example/"), fintiv.WithAPIKey(key), fintiv.WithTenant("t"), fintiv.WithCredentials("u", pw))
	require.NoError(t, err)
	mc, err := merchant.New(banklink.WithBaseURL("https://wallet.example/"), merchant.WithCredentials("m@x.example", pw),
		merchant.WithSession(merchant.Session{Access: access, Refresh: refresh}))
	require.NoError(t, err)
	values["dfcu.Client"], values["fintiv.Client"], values["merchant.Client"] = dc, fc, mc
	sessions := map[string]bool{"dfcu.Session": true, "fintract.Session": true, "fintiv.Session": true, "merchant.Session": true}
	canaries := []string{access, refresh, pw, answer, key}
	for name, v := range values {
		forms := map[string]string{"%v": fmt.Sprintf("%v", v), "%+v": fmt.Sprintf("%+v", v), "%#v": fmt.Sprintf("%#v", v)}
		for hname, h := range map[string]func(io.Writer) slog.Handler{
			"slog JSON": func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) },
			"slog text": func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) },
		} {
			var buf bytes.Buffer
			slog.New(h(&buf)).Info("value", "v", v)
			forms[hname] = buf.String()
		}
		if !sessions[name] {
			b, err := json.Marshal(v)
			require.NoError(t, err)
			forms["json.Marshal"] = string(b)
		}
		for form, out := range forms {
			for _, c := range canaries {
				assert.NotContains(t, out, c, "%s through %s: %s", name, form, out)
			}
			if strings.Contains(name, "User") {
				assert.NotRegexp(t, `\b8264\b`, out, "%s through %s: the PIN", name, form)
			}
		}
	}
}
