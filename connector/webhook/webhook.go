// Package webhook is the connector for systems Custos cannot reach as a
// database: every call is a signed JSON POST to one HTTPS endpoint of the
// company's (or a SaaS vendor's), which answers at once or, with 202, later
// by calling back. README.md beside this file is the protocol, which is
// public; Handler is a reference receiver that serves it in front of any
// other Connector.
package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/dataset"
)

type conn struct {
	url      string
	host     string // for messages
	secret   []byte
	readOnly bool
	client   *http.Client
}

// Open returns a connector that POSTs to rawURL: https, or plain http to
// this machine only (for tests and local development). Every call is signed
// with opts.Secret, which must not be empty. Open does not call the
// endpoint; Test does.
func Open(ctx context.Context, rawURL string, opts connector.Options) (connector.Connector, error) {
	u, err := checkURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	if len(opts.Secret) == 0 {
		return nil, errors.New("webhook: a secret is needed to sign calls (Options.Secret)")
	}
	return &conn{
		url:      u.String(),
		host:     u.Host,
		secret:   append([]byte(nil), opts.Secret...),
		readOnly: opts.ReadOnly,
		client:   newClient(),
	}, nil
}

func (c *conn) Close() error {
	c.client.CloseIdleConnections()
	return nil
}

func fieldNames(col *dataset.Collection) []string {
	names := make([]string, len(col.Fields))
	for i, f := range col.Fields {
		names[i] = f.Name
	}
	return names
}

func (c *conn) Retrieve(ctx context.Context, col *dataset.Collection, where map[string][]any) ([]connector.Row, error) {
	if !anyValue(where) {
		return nil, nil // OR over nothing: no row matches
	}
	a, err := c.call(ctx, &Request{Action: ActionRetrieve, Collection: col.Name, Fields: fieldNames(col), Where: where})
	if err != nil {
		return nil, err
	}
	rows := make([]connector.Row, 0, len(a.Rows))
	for i, r := range a.Rows {
		got, err := normalizeRow(r, false)
		if err != nil {
			return nil, fmt.Errorf("webhook: collection %q: row %d of the answer: %w", col.Name, i, err)
		}
		rows = append(rows, got)
	}
	return Declared(col, rows), nil
}

// Declared keeps of rows a remote system sent only the fields col declares
// (what the dataset does not describe is not Custos' to hold), each brought
// to its declared type. Answers by callback go through it too, so a row
// reads the same however it came.
func Declared(col *dataset.Collection, rows []connector.Row) []connector.Row {
	out := make([]connector.Row, len(rows))
	for i, r := range rows {
		row := make(connector.Row, len(col.Fields))
		for _, f := range col.Fields {
			row[f.Name] = typed(r[f.Name], f.DataType)
		}
		out[i] = row
	}
	return out
}

func anyValue(where map[string][]any) bool {
	for _, vals := range where {
		if len(vals) > 0 {
			return true
		}
	}
	return false
}

// typed fixes what JSON loses or remotes blur: a float field whose value
// is a whole number arrives as an integer, an integer field sent as 3.0 as a
// float, and a string field (an id, say) may come as a number.
func typed(v any, dataType string) any {
	switch dataType {
	case "string":
		switch n := v.(type) {
		case int64:
			return strconv.FormatInt(n, 10)
		case float64:
			return strconv.FormatFloat(n, 'g', -1, 64)
		}
	case "float", "number":
		if n, ok := v.(int64); ok {
			return float64(n)
		}
	case "integer":
		if f, ok := v.(float64); ok && f == float64(int64(f)) {
			return int64(f)
		}
	}
	return v
}

func (c *conn) Update(ctx context.Context, col *dataset.Collection, changes []connector.Change) (int64, error) {
	if c.readOnly {
		return 0, connector.ErrReadOnly
	}
	if len(changes) == 0 {
		return 0, nil
	}
	pk, err := primaryKey(col)
	if err != nil {
		return 0, err
	}
	wire := make([]Change, len(changes))
	for i, ch := range changes {
		if err := hasKey(col, pk, ch.Key); err != nil {
			return 0, fmt.Errorf("%w (change %d)", err, i)
		}
		wire[i] = Change{Key: ch.Key, Set: ch.Set}
	}
	a, err := c.call(ctx, &Request{Action: ActionUpdate, Collection: col.Name, Fields: fieldNames(col), PrimaryKey: pk, Changes: wire})
	if err != nil {
		return 0, err
	}
	return a.Affected, nil
}

func (c *conn) Delete(ctx context.Context, col *dataset.Collection, keys []connector.Row) (int64, error) {
	if c.readOnly {
		return 0, connector.ErrReadOnly
	}
	if len(keys) == 0 {
		return 0, nil
	}
	pk, err := primaryKey(col)
	if err != nil {
		return 0, err
	}
	for i, k := range keys {
		if err := hasKey(col, pk, k); err != nil {
			return 0, fmt.Errorf("%w (key %d)", err, i)
		}
	}
	a, err := c.call(ctx, &Request{Action: ActionDelete, Collection: col.Name, Fields: fieldNames(col), PrimaryKey: pk, Keys: keys})
	if err != nil {
		return 0, err
	}
	return a.Affected, nil
}

// primaryKey refuses writes to a collection without a primary key: the
// remote would have to guess which rows are meant.
func primaryKey(col *dataset.Collection) ([]string, error) {
	pk := col.PrimaryKey()
	if len(pk) == 0 {
		return nil, fmt.Errorf("webhook: collection %q declares no primary key, so its rows cannot be updated or deleted", col.Name)
	}
	return pk, nil
}

func hasKey(col *dataset.Collection, pk []string, key connector.Row) error {
	for _, f := range pk {
		if key[f] == nil {
			return fmt.Errorf("webhook: collection %q: primary key field %q is missing", col.Name, f)
		}
	}
	return nil
}

// Test asks the remote to check, on its side, that it serves every
// collection of d with all its fields and can reach what holds them.
func (c *conn) Test(ctx context.Context, d *dataset.Dataset) error {
	req := &Request{Action: ActionTest, Collections: []CollectionSpec{}}
	if d != nil {
		for _, col := range d.Collections {
			if !col.SkipProcessing {
				req.Collections = append(req.Collections, CollectionSpec{Name: col.Name, Fields: fieldNames(col)})
			}
		}
	}
	_, err := c.call(ctx, req)
	return err
}

// call sends req and reads a synchronous answer.
func (c *conn) call(ctx context.Context, req *Request) (*answer, error) {
	if call, ok := connector.CallFrom(ctx); ok {
		req.RequestID, req.Task, req.CallbackURL = call.RequestID, call.Task, call.CallbackURL
	}
	what := req.Action
	if req.Collection != "" {
		what = fmt.Sprintf("collection %q: %s", req.Collection, req.Action)
	}
	body, err := json.Marshal(req)
	if err != nil {
		// json names the type that failed, never the value.
		return nil, fmt.Errorf("webhook: %s: encoding the call: %w", what, err)
	}
	status, b, err := post(ctx, c.client, c.url, c.secret, body)
	if err != nil {
		return nil, fmt.Errorf("webhook: %s: calling %s: %w", what, c.host, err)
	}
	switch {
	case status == http.StatusAccepted:
		if req.CallbackURL == "" {
			return nil, fmt.Errorf("webhook: %s: %s answered 202 (later), but the call carried no callback URL to answer to", what, c.host)
		}
		return nil, connector.ErrPending
	case status < 200 || status > 299:
		se := statusError(status, b, sentValues(req))
		if se.Code == CodeReadOnly {
			return nil, fmt.Errorf("webhook: %s: %w (%w)", what, connector.ErrReadOnly, se)
		}
		return nil, fmt.Errorf("webhook: %s: %s: %w", what, c.host, se)
	}
	var a answer
	if len(b) > 0 {
		if err := decodeJSON(b, &a); err != nil {
			return nil, fmt.Errorf("webhook: %s: %s answered %d with a body that is not the protocol's JSON: %w", what, c.host, status, err)
		}
	}
	if msg := errorText(a.Error); msg != "" {
		se := &StatusError{StatusCode: status, Message: cleanMessage(msg, sentValues(req)), Code: a.Code}
		return nil, fmt.Errorf("webhook: %s: %s: %w", what, c.host, se)
	}
	return &a, nil
}
