package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
)

// The API reference, /api/docs: openapi.json rendered on the server into
// one plain page — every operation with who may call it, its parameters,
// its body and its answers, then every schema — so reading it needs no
// script (the CSP allows none) and nothing from another site.

type apiDoc struct {
	Title, Version, Description string
	Groups                      []apiGroup
	Schemas                     []apiSchema
}

type apiGroup struct {
	Name string
	Ops  []apiOp
}

type apiOp struct {
	ID, Method, Path, Summary, Description string
	Roles                                  []string
	Public                                 bool
	Params                                 []apiField
	Body                                   string
	Responses                              []apiField
}

type apiField struct {
	Name, In, Type, Description string
	Required                    bool
}

type apiSchema struct {
	Name, Type, Description string
	Fields                  []apiField
}

var apiDocsPage = pageTemplate(nil, "apidocs.html.tmpl")

// APIDocs renders spec (an OpenAPI 3.1 document) once and returns the
// handler that serves the page. A spec that cannot be read is an error at
// start-up, not a broken page later.
func APIDocs(spec []byte) (http.HandlerFunc, error) {
	doc, err := readAPIDoc(spec)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := apiDocsPage.Execute(&buf, doc); err != nil {
		return nil, fmt.Errorf("web: API reference: %w", err)
	}
	page := buf.Bytes()
	return func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("Cache-Control", "no-cache")
		_, _ = w.Write(page)
	}, nil
}

type oaSchema = map[string]any

func readAPIDoc(spec []byte) (*apiDoc, error) {
	var raw struct {
		Info struct {
			Title, Version, Description string
		} `json:"info"`
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas   map[string]oaSchema `json:"schemas"`
			Responses map[string]oaSchema `json:"responses"`
		} `json:"components"`
	}
	if err := json.Unmarshal(spec, &raw); err != nil {
		return nil, fmt.Errorf("web: API reference: openapi.json: %w", err)
	}
	doc := &apiDoc{Title: raw.Info.Title, Version: raw.Info.Version, Description: raw.Info.Description}
	groups := map[string]*apiGroup{}
	paths := slices.Sorted(mapKeys(raw.Paths))
	for _, path := range paths {
		methods := raw.Paths[path]
		for _, method := range []string{"get", "post", "put", "patch", "delete"} {
			b, ok := methods[method]
			if !ok {
				continue
			}
			var op struct {
				Summary, Description string
				Roles                []string   `json:"x-custos-roles"`
				Security             []oaSchema `json:"security"`
				Parameters           []struct {
					Name, In, Description string
					Required              bool
					Schema                oaSchema
				} `json:"parameters"`
				RequestBody *struct {
					Content map[string]struct{ Schema oaSchema } `json:"content"`
				} `json:"requestBody"`
				Responses map[string]oaSchema `json:"responses"`
			}
			if err := json.Unmarshal(b, &op); err != nil {
				return nil, fmt.Errorf("web: API reference: %s %s: %w", method, path, err)
			}
			o := apiOp{ID: opID(method, path), Method: method, Path: path, Summary: op.Summary, Description: op.Description,
				Roles: op.Roles, Public: len(op.Roles) == 0 && len(op.Security) == 0}
			for _, p := range op.Parameters {
				o.Params = append(o.Params, apiField{Name: p.Name, In: p.In, Type: typeOf(p.Schema), Description: p.Description, Required: p.Required})
			}
			if rb := op.RequestBody; rb != nil {
				var parts []string
				for _, ct := range slices.Sorted(mapKeys(rb.Content)) {
					parts = append(parts, ct+" — "+typeOf(rb.Content[ct].Schema))
				}
				o.Body = strings.Join(parts, "; ")
			}
			for _, code := range slices.Sorted(mapKeys(op.Responses)) {
				resp := op.Responses[code]
				if ref, ok := resp["$ref"].(string); ok {
					resp = raw.Components.Responses[strings.TrimPrefix(ref, "#/components/responses/")]
				}
				f := apiField{Name: code, Description: str(resp["description"])}
				if content, ok := resp["content"].(map[string]any); ok {
					for _, ct := range slices.Sorted(mapKeys(content)) {
						if c, ok := content[ct].(map[string]any); ok {
							s, _ := c["schema"].(map[string]any)
							f.Type = strings.TrimSpace(f.Type + " " + typeOf(s))
						}
					}
				}
				o.Responses = append(o.Responses, f)
			}
			g := groupOf(path)
			if groups[g] == nil {
				groups[g] = &apiGroup{Name: g}
			}
			groups[g].Ops = append(groups[g].Ops, o)
		}
	}
	for _, name := range slices.Sorted(mapKeys(groups)) {
		doc.Groups = append(doc.Groups, *groups[name])
	}
	for _, name := range slices.Sorted(mapKeys(raw.Components.Schemas)) {
		s := raw.Components.Schemas[name]
		sc := apiSchema{Name: name, Type: typeOf(s), Description: str(s["description"])}
		req := map[string]bool{}
		if r, ok := s["required"].([]any); ok {
			for _, x := range r {
				req[str(x)] = true
			}
		}
		if props, ok := s["properties"].(map[string]any); ok {
			for _, p := range slices.Sorted(mapKeys(props)) {
				ps, _ := props[p].(map[string]any)
				sc.Fields = append(sc.Fields, apiField{Name: p, Type: typeOf(ps), Description: str(ps["description"]), Required: req[p]})
			}
		}
		doc.Schemas = append(doc.Schemas, sc)
	}
	return doc, nil
}

func mapKeys[M ~map[string]V, V any](m M) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func str(v any) string { s, _ := v.(string); return s }

// groupOf files an operation under the first part of its path after the
// version: /api/v1/privacy-requests/{id} is "privacy-requests".
func groupOf(path string) string {
	p := strings.TrimPrefix(strings.TrimPrefix(path, "/api/v1"), "/")
	if i := strings.IndexAny(p, "/:"); i >= 0 {
		p = p[:i]
	}
	if p == "" || strings.HasPrefix(p, ".") || p == "healthz" || p == "metrics" || p == "api" {
		return "service"
	}
	return p
}

func opID(method, path string) string {
	r := strings.NewReplacer("/", "-", "{", "", "}", "", ":", "-", ".", "-")
	return "op-" + method + r.Replace(path)
}

// typeOf is a one-line description of a schema: a reference by name, an
// array of something, an enumeration, or its type.
func typeOf(s map[string]any) string {
	if s == nil {
		return ""
	}
	if ref, ok := s["$ref"].(string); ok {
		return strings.TrimPrefix(ref, "#/components/schemas/")
	}
	if c, ok := s["const"]; ok {
		return fmt.Sprintf("%v (always)", c)
	}
	if e, ok := s["enum"].([]any); ok {
		var vals []string
		for _, v := range e {
			vals = append(vals, fmt.Sprint(v))
		}
		sort.Strings(vals)
		return "one of " + strings.Join(vals, ", ")
	}
	t := ""
	switch v := s["type"].(type) {
	case string:
		t = v
	case []any:
		var ts []string
		for _, x := range v {
			ts = append(ts, fmt.Sprint(x))
		}
		t = strings.Join(ts, " or ")
	}
	if t == "array" {
		if items, ok := s["items"].(map[string]any); ok {
			return "array of " + typeOf(items)
		}
	}
	for _, k := range []string{"oneOf", "anyOf"} {
		if alts, ok := s[k].([]any); ok {
			var parts []string
			for _, a := range alts {
				m, _ := a.(map[string]any)
				parts = append(parts, typeOf(m))
			}
			return strings.Join(parts, " or ")
		}
	}
	if f, ok := s["format"].(string); ok {
		t += " (" + f + ")"
	}
	if t == "" {
		t = "any"
	}
	return t
}
