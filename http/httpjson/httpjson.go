// Package httpjson is the one way Custos' HTTP surfaces (the API, the
// banner's endpoints, the webhook reference receiver) read a JSON request
// body and write a JSON answer: the body is bounded in size and nesting
// before the decoder sees it, every refusal is a coded custos.Error whose
// code is stable, and every error leaves as {"error":{"code","message"}}.
package httpjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/http/httperr"
)

// MaxBody bounds a JSON request body unless its route sets a limit of its
// own (a batch of events, a manifest).
const MaxBody = 1 << 20

// MaxDepth bounds how deeply a body's arrays and objects nest. Custos'
// requests nest three or four levels; the bound keeps a body that is
// nothing but brackets from reaching the decoder, whose work and stack
// grow with the nesting.
const MaxDepth = 32

// Stable codes of a body refused before or while decoding, besides the
// root's CodeMalformedJSON and CodeInvalidRequest.
const (
	CodeUnsupportedMediaType = "unsupported_media_type"
	CodeTooLarge             = "too_large"
	CodeTooDeep              = "too_deep"
)

// Limits bound one route's body.
type Limits struct {
	// Bytes is the largest body; zero is MaxBody.
	Bytes int64
	// Depth is the deepest nesting; zero is MaxDepth.
	Depth int
	// TypeRequired refuses a body sent without a Content-Type. Without it
	// only a Content-Type other than application/json is refused.
	TypeRequired bool
}

// Decode reads r's body into v within MaxBody and MaxDepth, refusing
// unknown fields and trailing data (see DecodeWith).
func Decode(w http.ResponseWriter, r *http.Request, v any) error {
	return DecodeWith(w, r, v, Limits{})
}

// DecodeWith reads r's body into v within lim. The body is read whole
// first (bounded), its nesting checked, and only then decoded; a field v
// does not have, a second JSON value or a value of the wrong type is
// refused with an error naming the field.
func DecodeWith(w http.ResponseWriter, r *http.Request, v any, lim Limits) error {
	ct := strings.ToLower(r.Header.Get("Content-Type"))
	if (ct != "" || lim.TypeRequired) && !strings.HasPrefix(ct, "application/json") {
		return custos.Errorf(custos.KindUnsupportedMedia, CodeUnsupportedMediaType, "Send the body as application/json.")
	}
	body, err := Read(w, r, lim.Bytes)
	if err != nil {
		return err
	}
	return Unmarshal(body, v, lim.Depth)
}

// Read reads r's body whole, at most limit bytes (zero is MaxBody): 413
// too_large for one over it, the one answer to every over-large body.
func Read(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = MaxBody
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		return nil, BodyError(err)
	}
	return b, nil
}

// Unmarshal decodes one JSON value from body into v, as DecodeWith does,
// after checking its nesting against depth (zero is MaxDepth).
func Unmarshal(body []byte, v any, depth int) error {
	if depth <= 0 {
		depth = MaxDepth
	}
	if at, deep := tooDeep(body, depth); deep {
		return custos.Errorf(custos.KindInvalid, CodeTooDeep, "The request body nests deeper than %d levels (at byte %d).", depth, at)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return DecodeError(err)
	}
	if dec.More() {
		return custos.Errorf(custos.KindInvalid, custos.CodeMalformedJSON, "The request body holds more than one JSON value.")
	}
	return nil
}

// tooDeep reports whether b's arrays and objects nest deeper than limit,
// and the offset of the bracket that crossed it. It reads only brackets
// and strings, so malformed JSON is left for the decoder to name.
func tooDeep(b []byte, limit int) (int, bool) {
	depth, inString, escaped := 0, false, false
	for i, c := range b {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			if depth++; depth > limit {
				return i, true
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return 0, false
}

// DecodeError turns an error of encoding/json (or of reading the body)
// into a coded one: malformed_json for a body that is not one JSON value,
// invalid_request with the field for one that does not fit the request.
func DecodeError(err error) error {
	var (
		syntax   *json.SyntaxError
		typ      *json.UnmarshalTypeError
		tooLarge *http.MaxBytesError
	)
	switch {
	case errors.Is(err, io.EOF):
		return custos.Errorf(custos.KindInvalid, custos.CodeMalformedJSON, "The request body is empty; send a JSON object.")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return custos.Errorf(custos.KindInvalid, custos.CodeMalformedJSON, "The request body ends before its JSON does.")
	case errors.As(err, &syntax):
		return custos.Errorf(custos.KindInvalid, custos.CodeMalformedJSON, "The request body is not valid JSON (at byte %d): %s.", syntax.Offset, syntax.Error())
	case errors.As(err, &typ):
		return Invalid(typ.Field, "Field %q must be a JSON %s, not %s.", typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value)
	case errors.As(err, &tooLarge):
		return BodyError(err)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return Invalid(field, "Field %q is not part of this request.", field)
	default:
		return custos.Errorf(custos.KindInvalid, custos.CodeMalformedJSON, "The request body could not be read as JSON: %s.", err)
	}
}

// BodyError is the error for a request body that could not be read: 413
// too_large for one over its route's limit, 400 otherwise.
func BodyError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return custos.Errorf(custos.KindTooLarge, CodeTooLarge, "The request body is over %d bytes.", tooLarge.Limit)
	}
	return custos.Wrap(err, custos.KindInvalid, custos.CodeInvalidRequest, "The request body could not be read.")
}

// Invalid is invalid_request naming the field at fault.
func Invalid(field, format string, args ...any) *custos.Error {
	e := custos.Errorf(custos.KindInvalid, custos.CodeInvalidRequest, format, args...)
	e.Field = field
	return e
}

// Required refuses an empty or blank value of a required field.
func Required(field, value string) error {
	if strings.TrimSpace(value) == "" {
		return Invalid(field, "Field %q is required.", field)
	}
	return nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "struct", "map":
		return "object"
	case "slice", "array":
		return "array"
	default:
		return "number"
	}
}

// ErrorBody is the one shape of every error answer.
type ErrorBody struct {
	Error Detail `json:"error"`
}

// Detail is an error's code, message and, when one field is at fault, its
// name.
type Detail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// DetailOf is the answer's part of a coded error: never its cause, which
// may hold what must not leave the server.
func DetailOf(e *custos.Error) Detail {
	return Detail{Code: e.Code, Message: e.Message, Field: e.Field}
}

// Write answers v as JSON with status. The value is encoded before anything
// is sent, so one that cannot be encoded is a clean 500, not half a body.
func Write(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status, buf = http.StatusInternalServerError, bytes.Buffer{}
		_ = json.NewEncoder(&buf).Encode(ErrorBody{Error: Detail{Code: custos.CodeInternal, Message: "The answer could not be encoded."}})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// WriteError answers a coded error with the status of its kind and
// returns that status (callers log causes of 5xx; the cause is never
// sent).
func WriteError(w http.ResponseWriter, e *custos.Error) int {
	status := httperr.Status(e.Kind)
	Write(w, status, ErrorBody{Error: DetailOf(e)})
	return status
}
