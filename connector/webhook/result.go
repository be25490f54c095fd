package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/custos-privacy/custos/connector"
)

// Result is the body a remote POSTs to callback_url to finish a call it
// answered with 202.
type Result struct {
	// Task is the call's "task", echoed.
	Task string `json:"task"`
	// RequestID is the call's "request_id", echoed.
	RequestID string `json:"request_id,omitempty"`
	// Rows answers a retrieve.
	Rows []connector.Row `json:"rows,omitempty"`
	// Affected answers an update or a delete.
	Affected int64 `json:"affected"`
	// Error, when set, says the call failed; Rows and Affected mean nothing.
	Error string `json:"error,omitempty"`
}

// UnmarshalJSON keeps numbers in rows exact: integers become int64, others
// float64, as in rows read synchronously.
func (r *Result) UnmarshalJSON(b []byte) error {
	var w struct {
		Task      string           `json:"task"`
		RequestID string           `json:"request_id"`
		Rows      []map[string]any `json:"rows"`
		Affected  int64            `json:"affected"`
		Error     string           `json:"error"`
	}
	if err := decodeJSON(b, &w); err != nil {
		return err
	}
	*r = Result{Task: w.Task, RequestID: w.RequestID, Affected: w.Affected, Error: w.Error}
	for i, row := range w.Rows {
		n, err := normalizeRow(row, false)
		if err != nil {
			return fmt.Errorf("row %d: %w", i, err)
		}
		r.Rows = append(r.Rows, n)
	}
	return nil
}

// PostResult signs res with secret and POSTs it to callbackURL (https, or
// http to this machine), for the remote side of an asynchronous call. Any
// answer but 2xx is an error, a *StatusError.
func PostResult(ctx context.Context, callbackURL string, secret []byte, res Result) error {
	u, err := checkURL(callbackURL)
	if err != nil {
		return fmt.Errorf("webhook: callback: %w", err)
	}
	if len(secret) == 0 {
		return fmt.Errorf("webhook: callback: a secret is needed to sign the result")
	}
	body, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("webhook: callback: encoding the result: %w", err)
	}
	client := newClient()
	defer client.CloseIdleConnections()
	status, b, err := post(ctx, client, u.String(), secret, body)
	if err != nil {
		return fmt.Errorf("webhook: callback to %s: %w", u.Host, err)
	}
	if status < 200 || status > 299 {
		return fmt.Errorf("webhook: callback to %s: %w", u.Host, statusError(status, b, nil))
	}
	return nil
}

// ReadResult reads a callback on the Custos side: it verifies the signature
// (see Verify) and decodes the Result.
func ReadResult(r *http.Request, secret []byte, maxSkew time.Duration, now time.Time) (Result, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxAnswer+1))
	if err != nil {
		return Result{}, fmt.Errorf("webhook: reading the callback: %w", err)
	}
	return OpenResult(body, r.Header.Get, secret, maxSkew, now)
}

// OpenResult is ReadResult on a body already read (and bounded) by the
// receiver, with its headers as a lookup.
func OpenResult(body []byte, header func(string) string, secret []byte, maxSkew time.Duration, now time.Time) (Result, error) {
	if len(body) > maxAnswer {
		return Result{}, fmt.Errorf("webhook: the callback is larger than %d bytes", maxAnswer)
	}
	if err := VerifyHeader(secret, header, body, maxSkew, now); err != nil {
		return Result{}, err
	}
	var res Result
	if err := json.Unmarshal(body, &res); err != nil {
		return Result{}, fmt.Errorf("webhook: the callback is not a result: %w", err)
	}
	return res, nil
}
