package httpjson_test

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/http/httpjson"
)

type request struct {
	Name  string            `json:"name"`
	Count int               `json:"count"`
	Tags  []string          `json:"tags"`
	Meta  map[string]any    `json:"meta"`
	Sub   *struct{ A bool } `json:"sub"`
}

func post(body, contentType string) *http.Request {
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return r
}

func TestDecode(t *testing.T) {
	t.Parallel()
	deep := `{"meta":{"x":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}}`
	cases := []struct {
		name, body, ctype string
		lim               httpjson.Limits
		code, field       string
		kind              custos.Kind
	}{
		{"ok", `{"name":"a","count":2,"tags":["x"]}`, "application/json", httpjson.Limits{}, "", "", 0},
		{"ok with charset, any case", `{"name":"a"}`, "Application/JSON; charset=utf-8", httpjson.Limits{}, "", "", 0},
		{"no type where none is required", `{"name":"a"}`, "", httpjson.Limits{}, "", "", 0},
		{"no type where one is required", `{"name":"a"}`, "", httpjson.Limits{TypeRequired: true}, "unsupported_media_type", "", custos.KindUnsupportedMedia},
		{"form", `name=a`, "application/x-www-form-urlencoded", httpjson.Limits{}, "unsupported_media_type", "", custos.KindUnsupportedMedia},
		{"empty", ``, "application/json", httpjson.Limits{}, "malformed_json", "", custos.KindInvalid},
		{"cut short", `{"name":`, "application/json", httpjson.Limits{}, "malformed_json", "", custos.KindInvalid},
		{"not JSON", `{name}`, "application/json", httpjson.Limits{}, "malformed_json", "", custos.KindInvalid},
		{"two values", `{} {}`, "application/json", httpjson.Limits{}, "malformed_json", "", custos.KindInvalid},
		{"unknown field", `{"nme":"a"}`, "application/json", httpjson.Limits{}, "invalid_request", "nme", custos.KindInvalid},
		{"wrong type", `{"count":"two"}`, "application/json", httpjson.Limits{}, "invalid_request", "count", custos.KindInvalid},
		{"too large", `{"name":"` + strings.Repeat("a", 100) + `"}`, "application/json", httpjson.Limits{Bytes: 64}, "too_large", "", custos.KindTooLarge},
		{"too deep", deep, "application/json", httpjson.Limits{}, "too_deep", "", custos.KindInvalid},
		{"deep within its route's bound", deep, "application/json", httpjson.Limits{Depth: 50}, "", "", 0},
		{"brackets in strings do not nest", `{"name":"` + strings.Repeat("[{", 100) + `\"]"}`, "application/json", httpjson.Limits{}, "", "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var v request
			err := httpjson.DecodeWith(httptest.NewRecorder(), post(c.body, c.ctype), &v, c.lim)
			if c.code == "" {
				if err != nil {
					t.Fatalf("decode = %v", err)
				}
				return
			}
			e := custos.AsError(err)
			if err == nil || e.Code != c.code || e.Field != c.field || e.Kind != c.kind || e.Message == "" {
				t.Fatalf("decode = %#v; want %s field %q kind %v", e, c.code, c.field, c.kind)
			}
		})
	}
}

func TestWrite(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	httpjson.Write(w, http.StatusCreated, map[string]string{"url": "https://x.test/?a=1&b=<2>"})
	if w.Code != 201 || w.Header().Get("Content-Type") != "application/json; charset=utf-8" ||
		w.Body.String() != `{"url":"https://x.test/?a=1&b=<2>"}`+"\n" {
		t.Fatalf("write = %d %q %q", w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}
	// A value that cannot be encoded is a whole 500, not half a body.
	w = httptest.NewRecorder()
	httpjson.Write(w, http.StatusOK, map[string]float64{"x": math.Inf(1)})
	var body httpjson.ErrorBody
	if w.Code != 500 || json.Unmarshal(w.Body.Bytes(), &body) != nil || body.Error.Code != "internal" {
		t.Fatalf("unencodable = %d %s", w.Code, w.Body.String())
	}
	w = httptest.NewRecorder()
	e := httpjson.Invalid("role", "Field %q is wrong.", "role")
	e.Err = errSecret
	if status := httpjson.WriteError(w, e); status != 400 || w.Code != 400 ||
		w.Body.String() != `{"error":{"code":"invalid_request","message":"Field \"role\" is wrong.","field":"role"}}`+"\n" {
		t.Fatalf("error = %d %s", w.Code, w.Body.String())
	}
}

type secretErr struct{}

func (secretErr) Error() string { return "the cause, which never leaves" }

var errSecret = secretErr{}

func TestRequired(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"", "  "} {
		if e := custos.AsError(httpjson.Required("name", v)); e.Code != "invalid_request" || e.Field != "name" {
			t.Errorf("Required(%q) = %#v", v, e)
		}
	}
	if err := httpjson.Required("name", "a"); err != nil {
		t.Errorf("Required(a) = %v", err)
	}
}

// FuzzDecode: any body decodes, or is refused with a coded 400 (413 only
// over the size bound); never a panic, and nothing nested past the bound
// reaches the decoder.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"name":"a"}`, `{"count":1.5}`, `{`, ``, `[]`, `{"meta":{"a":[[[]]]}}`, `"\"["`, `{"x":1}`, `{} x`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var v request
		err := httpjson.DecodeWith(httptest.NewRecorder(), post(body, "application/json"), &v, httpjson.Limits{Bytes: 4096, Depth: 8})
		if err == nil {
			return
		}
		e := custos.AsError(err)
		switch {
		case e.Code == "too_large":
			if e.Kind != custos.KindTooLarge || len(body) <= 4096 {
				t.Fatalf("too_large for %d bytes: %#v", len(body), e)
			}
		case e.Kind != custos.KindInvalid || e.Message == "":
			t.Fatalf("decode error not a coded 400: %#v", e)
		case e.Code != "malformed_json" && e.Code != "invalid_request" && e.Code != "too_deep":
			t.Fatalf("unknown code %q", e.Code)
		}
	})
}
