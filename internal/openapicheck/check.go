// Package openapicheck holds tests to what openapi.json promises: every
// request a test sends and every response it receives is matched to its
// operation, and the status code and body are checked against the
// operation's schemas. It is for tests (the API's and the client's): the
// server never validates its own answers at run time.
package openapicheck

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// specURL names the document inside the compiler; schemas are addressed
// by JSON pointers into it, so their $refs resolve within it.
const specURL = "https://custos.invalid/openapi.json"

// Checker matches requests to the operations of one OpenAPI document.
type Checker struct {
	doc      map[string]any
	mux      *http.ServeMux // "METHOD path" of every operation, to find the template
	compiler *jsonschema.Compiler

	mu      sync.Mutex
	schemas map[string]*jsonschema.Schema // by JSON pointer
}

// New parses spec, an OpenAPI 3.1 document.
func New(spec []byte) (*Checker, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(spec))
	if err != nil {
		return nil, fmt.Errorf("openapicheck: %w", err)
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("openapicheck: the document is not an object")
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(specURL, doc); err != nil {
		return nil, fmt.Errorf("openapicheck: %w", err)
	}
	ck := &Checker{doc: m, mux: http.NewServeMux(), compiler: c, schemas: map[string]*jsonschema.Schema{}}
	paths, _ := m["paths"].(map[string]any)
	if len(paths) == 0 {
		return nil, fmt.Errorf("openapicheck: the document has no paths")
	}
	for path, item := range paths {
		ops, _ := item.(map[string]any)
		for method := range ops {
			switch method {
			case "get", "post", "put", "delete", "patch":
			default:
				continue
			}
			ck.mux.HandleFunc(strings.ToUpper(method)+" "+path, func(http.ResponseWriter, *http.Request) {})
		}
	}
	return ck, nil
}

// pointer escapes one JSON pointer token.
func pointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func (c *Checker) schema(ptr string) (*jsonschema.Schema, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.schemas[ptr]; ok {
		return s, nil
	}
	s, err := c.compiler.Compile(specURL + "#" + ptr)
	if err != nil {
		return nil, err
	}
	c.schemas[ptr] = s
	return s, nil
}

// operation finds the documented operation of method and path: its
// pointer, its object, and false when the document does not describe
// the route.
func (c *Checker) operation(method, path string) (string, map[string]any, bool) {
	r := httptest.NewRequest(method, "http://custos.invalid"+path, nil)
	_, pattern := c.mux.Handler(r)
	if pattern == "" {
		return "", nil, false
	}
	m, tmpl, _ := strings.Cut(pattern, " ")
	paths := c.doc["paths"].(map[string]any)
	op, _ := paths[tmpl].(map[string]any)[strings.ToLower(m)].(map[string]any)
	return "/paths/" + pointer(tmpl) + "/" + strings.ToLower(m), op, op != nil
}

// resolve follows a local $ref, returning the pointer and object it names.
func (c *Checker) resolve(ptr string, v map[string]any) (string, map[string]any) {
	for range 8 {
		ref, ok := v["$ref"].(string)
		if !ok || !strings.HasPrefix(ref, "#/") {
			return ptr, v
		}
		ptr = ref[1:]
		var cur any = c.doc
		for _, tok := range strings.Split(ref[2:], "/") {
			tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
			m, _ := cur.(map[string]any)
			cur = m[tok]
		}
		next, _ := cur.(map[string]any)
		if next == nil {
			return ptr, nil
		}
		v = next
	}
	return ptr, v
}

// Documented reports whether the document describes method and path.
func (c *Checker) Documented(method, path string) bool {
	_, _, ok := c.operation(method, path)
	return ok
}

// Request checks a request body against the operation's requestBody.
func (c *Checker) Request(method, path, contentType string, body []byte) error {
	ptr, op, ok := c.operation(method, path)
	if !ok {
		return fmt.Errorf("%s %s is not in openapi.json", method, path)
	}
	rb, _ := op["requestBody"].(map[string]any)
	if rb == nil {
		if len(body) > 0 {
			return fmt.Errorf("%s %s: a body was sent, but openapi.json documents none", method, path)
		}
		return nil
	}
	rptr, rb := c.resolve(ptr+"/requestBody", rb)
	if len(body) == 0 {
		if req, _ := rb["required"].(bool); req {
			return fmt.Errorf("%s %s: openapi.json requires a body", method, path)
		}
		return nil
	}
	return c.body(fmt.Sprintf("%s %s request", method, path), rptr, rb, contentType, body)
}

// Response checks that status is documented for the operation and that
// the body matches the schema documented for it.
func (c *Checker) Response(method, path string, status int, header http.Header, body []byte) error {
	where := fmt.Sprintf("%s %s answered %d", method, path, status)
	ptr, op, ok := c.operation(method, path)
	if !ok {
		// An address the document does not describe must still answer
		// as the API does when it refuses: the error body.
		if strings.HasPrefix(path, "/api/") && status >= 400 {
			return c.body(where, "/components/responses/Error", c.doc["components"].(map[string]any)["responses"].(map[string]any)["Error"].(map[string]any),
				header.Get("Content-Type"), body)
		}
		return nil
	}
	responses, _ := op["responses"].(map[string]any)
	key := strconv.Itoa(status)
	resp, _ := responses[key].(map[string]any)
	if resp == nil && status >= 400 {
		key = "default"
		resp, _ = responses[key].(map[string]any)
	}
	if resp == nil {
		return fmt.Errorf("%s: status %d is not documented in openapi.json", where, status)
	}
	rptr, resp := c.resolve(ptr+"/responses/"+key, resp)
	if method == http.MethodHead || status == http.StatusNotModified || status == http.StatusNoContent {
		if len(body) > 0 {
			return fmt.Errorf("%s: a %d carries a body", where, status)
		}
		return nil
	}
	return c.body(where, rptr, resp, header.Get("Content-Type"), body)
}

// body checks body against a response or request body object's content.
func (c *Checker) body(where, ptr string, obj map[string]any, contentType string, body []byte) error {
	content, _ := obj["content"].(map[string]any)
	if len(content) == 0 {
		if len(body) > 0 {
			return fmt.Errorf("%s: a body (%.80q) where openapi.json documents none", where, body)
		}
		return nil
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("%s: content type %q: %v", where, contentType, err)
	}
	media, ok := content[mt].(map[string]any)
	if !ok {
		return fmt.Errorf("%s: content type %s is not documented in openapi.json", where, mt)
	}
	if mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		return nil // a page, a script, a text: its type is what is promised
	}
	if _, ok := media["schema"]; !ok {
		return fmt.Errorf("%s: openapi.json documents %s without a schema", where, mt)
	}
	s, err := c.schema(ptr + "/content/" + pointer(mt) + "/schema")
	if err != nil {
		return fmt.Errorf("%s: the schema does not compile: %w", where, err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: the body is not JSON: %v: %.200q", where, err, body)
	}
	if err := s.Validate(inst); err != nil {
		return fmt.Errorf("%s: the body does not match openapi.json: %v\nbody: %.600s", where, err, body)
	}
	return nil
}

// Wrap reads the document at path and wraps h with its Handler: the one
// line a test server needs to hold every answer it gives to the document.
func Wrap(t testing.TB, path string, h http.Handler) http.Handler {
	t.Helper()
	spec, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(spec)
	if err != nil {
		t.Fatal(err)
	}
	return c.Handler(t, h)
}

// Handler wraps h so that every response it gives is checked, failing t
// on a mismatch. Requests are not: the API's tests send broken ones on
// purpose, to see them refused (a client checks its own with Request).
func (c *Checker) Handler(t testing.TB, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &recorder{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		if err := c.Response(r.Method, r.URL.Path, status, w.Header(), rec.body.Bytes()); err != nil {
			t.Errorf("openapi: %v", err)
		}
	})
}

// recorder keeps a copy of the status and body while passing them on.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.body.Write(p)
	return r.ResponseWriter.Write(p)
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
