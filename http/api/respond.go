package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/http/httperr"
)

// maxBody bounds every JSON request body.
const maxBody = 1 << 20

// errorBody is the one shape of every API error.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// writeError maps any error to its status and JSON body. Causes of internal
// errors are logged, never sent.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := custos.AsError(err)
	status := httperr.Status(e.Kind)
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "request failed", "pattern", r.Pattern, "code", e.Code, "err", err)
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="custos"`)
	}
	writeJSON(w, status, errorBody{Error: errorDetail{Code: e.Code, Message: e.Message, Field: e.Field}})
}

// decode reads a JSON body into v, refusing unknown fields, trailing data
// and bodies over maxBody, with an error that names the offending field.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	return decodeLimit(w, r, v, maxBody)
}

// decodeLimit is decode with its own body limit.
func decodeLimit(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return custos.Errorf(custos.KindInvalid, "unsupported_media_type", "Send the body as application/json.")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return custos.Errorf(custos.KindInvalid, custos.CodeMalformedJSON, "The request body holds more than one JSON value.")
	}
	return nil
}

func decodeError(err error) error {
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
		e := custos.Errorf(custos.KindInvalid, custos.CodeInvalidRequest, "Field %q must be a JSON %s, not %s.", typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value)
		e.Field = typ.Field
		return e
	case errors.As(err, &tooLarge):
		return bodyError(err)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		e := custos.Errorf(custos.KindInvalid, custos.CodeInvalidRequest, "Field %q is not part of this request.", field)
		e.Field = field
		return e
	default:
		return custos.Errorf(custos.KindInvalid, custos.CodeMalformedJSON, "The request body could not be read as JSON: %s.", err)
	}
}

// bodyError is the error for a request body that could not be read: 413
// too_large for one over its route's limit, the one answer to every
// over-large body.
func bodyError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return custos.Errorf(custos.KindTooLarge, "too_large", "The request body is over %d bytes.", tooLarge.Limit)
	}
	return custos.Wrap(err, custos.KindInvalid, custos.CodeInvalidRequest, "The request body could not be read.")
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

func required(field, value string) error {
	if strings.TrimSpace(value) == "" {
		e := custos.Errorf(custos.KindInvalid, custos.CodeInvalidRequest, "Field %q is required.", field)
		e.Field = field
		return e
	}
	return nil
}
