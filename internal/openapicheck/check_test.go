package openapicheck

import (
	"net/http"
	"strings"
	"testing"
)

const spec = `{"openapi":"3.1.0","paths":{
 "/items/{id}":{"get":{"responses":{
  "200":{"description":"OK","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Item"}}}},
  "204":{"description":"none"},
  "default":{"$ref":"#/components/responses/Error"}}},
  "post":{"requestBody":{"required":true,"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Item"}}}},
   "responses":{"201":{"description":"made"}}}}},
 "components":{"schemas":{
  "Item":{"type":"object","required":["id"],"properties":{"id":{"type":"integer"}}},
  "Error":{"type":"object","required":["error"],"properties":{"error":{"type":"object","required":["code","message"]}}}},
  "responses":{"Error":{"description":"An error","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Error"}}}}}}}`

// TestCatches: each mismatch between a response and the document is
// named, so a passing API suite means the document holds.
func TestCatches(t *testing.T) {
	t.Parallel()
	c, err := New([]byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	js := http.Header{"Content-Type": {"application/json"}}
	cases := []struct {
		name, method, path string
		status             int
		header             http.Header
		body, want         string // want "": no error
	}{
		{"matches", "GET", "/items/7", 200, js, `{"id":7}`, ""},
		{"wrong type", "GET", "/items/7", 200, js, `{"id":"7"}`, "does not match"},
		{"missing field", "GET", "/items/7", 200, js, `{}`, "does not match"},
		{"error by default", "GET", "/items/7", 404, js, `{"error":{"code":"not_found","message":"No."}}`, ""},
		{"bad error body", "GET", "/items/7", 404, js, `{"code":"not_found"}`, "does not match"},
		{"undocumented success", "GET", "/items/7", 202, js, `{"id":7}`, "not documented"},
		{"body where none", "POST", "/items/7", 201, js, `{"id":7}`, "documents none"},
		{"no content", "GET", "/items/7", 204, http.Header{}, ``, ""},
		{"wrong media type", "GET", "/items/7", 200, http.Header{"Content-Type": {"text/html"}}, `<p>`, "not documented"},
		{"not json", "GET", "/items/7", 200, js, `{`, "not JSON"},
		{"unknown api address", "GET", "/api/nothing", 404, js, `nope`, "not JSON"},
		{"page outside the api", "GET", "/page", 200, http.Header{"Content-Type": {"text/html"}}, `<p>`, ""},
	}
	for _, tc := range cases {
		err := c.Response(tc.method, tc.path, tc.status, tc.header, []byte(tc.body))
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if err := c.Request("POST", "/items/7", "application/json", []byte(`{"id":1}`)); err != nil {
		t.Error(err)
	}
	if err := c.Request("POST", "/items/7", "application/json", []byte(`{"id":true}`)); err == nil {
		t.Error("a wrong request body passed")
	}
	if err := c.Request("POST", "/items/7", "", nil); err == nil {
		t.Error("a missing required body passed")
	}
	if err := c.Request("GET", "/items/7", "application/json", []byte(`{}`)); err == nil {
		t.Error("a body where none is documented passed")
	}
}
