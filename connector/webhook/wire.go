package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/custos-privacy/custos/connector"
)

// Actions of the protocol.
const (
	ActionRetrieve = "retrieve"
	ActionUpdate   = "update"
	ActionDelete   = "delete"
	ActionTest     = "test"
)

// CodeReadOnly is the error code of a receiver whose connection refuses
// writes; the connector turns it back into connector.ErrReadOnly.
const CodeReadOnly = "read_only"

const (
	// callTimeout bounds one HTTP exchange: a SaaS answering slower should
	// answer 202 and call back.
	callTimeout = 60 * time.Second
	// maxAnswer bounds what is read of an answer or a callback.
	maxAnswer = 64 << 20
	// maxMessage bounds the remote error message quoted in errors.
	maxMessage = 400
	// maxRedirects bounds same-origin redirects.
	maxRedirects = 5
)

// Request is the body of every call.
type Request struct {
	Action     string `json:"action"`
	Collection string `json:"collection,omitempty"`
	// Fields are the collection's declared fields: what the caller wants
	// back, and all it knows of.
	Fields []string `json:"fields,omitempty"`
	// Where (retrieve): rows where any field holds any of its values.
	Where map[string][]any `json:"where,omitempty"`
	// Changes (update): set fields of the row with this primary key.
	Changes []Change `json:"changes,omitempty"`
	// Keys (delete): primary keys of the rows to remove.
	Keys []connector.Row `json:"keys,omitempty"`
	// PrimaryKey (update, delete): the fields the caller takes to be the
	// primary key, so that a receiver that disagrees refuses instead of
	// writing to rows the caller did not mean.
	PrimaryKey []string `json:"primary_key,omitempty"`
	// Collections (test): the collections the caller will use.
	Collections []CollectionSpec `json:"collections,omitempty"`
	RequestID   string           `json:"request_id,omitempty"`
	Task        string           `json:"task,omitempty"`
	// CallbackURL is where an answer of 202 is posted later.
	CallbackURL string `json:"callback_url,omitempty"`
}

// CollectionSpec names a collection and the fields the caller expects of
// it, in a test call.
type CollectionSpec struct {
	Name   string   `json:"name"`
	Fields []string `json:"fields"`
}

// Change is connector.Change on the wire.
type Change struct {
	Key connector.Row `json:"key"`
	Set connector.Row `json:"set"`
}

// answer is what a synchronous reply may hold.
type answer struct {
	Rows     []map[string]any `json:"rows"`
	Affected int64            `json:"affected"`
	Error    json.RawMessage  `json:"error"`
	Code     string           `json:"code"`
}

// StatusError is a call answered with a status other than 200 or 202.
type StatusError struct {
	StatusCode int
	// Message is the remote's error message, when it sent one as JSON:
	// shortened, stripped of control characters and of any value the call
	// carried, so that it can go into logs.
	Message string
	// Code is the remote's machine-readable error code, if any.
	Code string
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("the remote answered %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// checkURL allows https anywhere and plain http to this machine only, where
// nothing crosses a network.
func checkURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL, password included
		}
		return nil, fmt.Errorf("the URL does not parse: %w", err)
	}
	if u.Host == "" {
		return nil, errors.New("the URL has no host")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !loopback(u.Hostname()) {
			return nil, fmt.Errorf("plain http is allowed only to this machine (localhost, 127.0.0.0/8, ::1), not to %s; use https", u.Hostname())
		}
	default:
		return nil, fmt.Errorf("the URL scheme %q is neither https nor http", u.Scheme)
	}
	return u, nil
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// newClient returns an HTTP client that follows redirects only to the
// same scheme and host: the signed body must not be handed to another site,
// nor downgraded to plain http.
func newClient() *http.Client {
	return &http.Client{
		Timeout:   callTimeout,
		Transport: http.DefaultTransport.(*http.Transport).Clone(),
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= maxRedirects {
				return errors.New("webhook: too many redirects")
			}
			if req.URL.Scheme != via[0].URL.Scheme || req.URL.Host != via[0].URL.Host {
				return fmt.Errorf("webhook: refusing a redirect to another host (%s)", req.URL.Host)
			}
			return nil
		},
	}
}

// post signs body and POSTs it. It returns the status and the answer body.
func post(ctx context.Context, client *http.Client, target string, secret, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	ts, sig := Sign(secret, body, time.Now())
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "custos-webhook/1")
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, sig)
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err // url.Error redacts a password in the URL
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("reading the answer: %w", err)
	}
	if len(b) > maxAnswer {
		return resp.StatusCode, nil, fmt.Errorf("the answer is larger than %d bytes", maxAnswer)
	}
	return resp.StatusCode, b, nil
}

// statusError builds the error of a non-2xx answer. Only a JSON error
// message is quoted, never an HTML page, and never a value of the call.
func statusError(status int, body []byte, sent []string) *StatusError {
	e := &StatusError{StatusCode: status}
	var a answer
	if json.Unmarshal(body, &a) == nil {
		e.Message = cleanMessage(errorText(a.Error), sent)
		e.Code = a.Code
	}
	return e
}

// errorText reads "error" as a string or as {"message": …}.
func errorText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &o) == nil {
		return o.Message
	}
	return ""
}

// cleanMessage makes a remote message fit for logs: values the call sent
// are cut out (remotes like to say "no customer ana@example.com"), control
// characters go, and it is shortened.
func cleanMessage(msg string, sent []string) string {
	if len(msg) > 4*maxMessage {
		msg = msg[:4*maxMessage]
	}
	sort.Slice(sent, func(i, j int) bool { return len(sent[i]) > len(sent[j]) })
	lower := strings.ToLower(msg)
	for _, v := range sent {
		if len(v) < 3 || !strings.Contains(lower, strings.ToLower(v)) {
			continue
		}
		msg = regexp.MustCompile("(?i)"+regexp.QuoteMeta(v)).ReplaceAllString(msg, "[value]")
		lower = strings.ToLower(msg)
	}
	msg = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, msg)
	msg = strings.TrimSpace(msg)
	if r := []rune(msg); len(r) > maxMessage {
		msg = string(r[:maxMessage]) + "…"
	}
	return msg
}

// sentValues lists the values a request carries, as text, for cleanMessage.
func sentValues(r *Request) []string {
	var out []string
	add := func(v any) {
		if s := valueText(v); s != "" {
			out = append(out, s)
		}
	}
	for _, vals := range r.Where {
		for _, v := range vals {
			add(v)
		}
	}
	for _, ch := range r.Changes {
		for _, v := range ch.Key {
			add(v)
		}
		for _, v := range ch.Set {
			add(v)
		}
	}
	for _, k := range r.Keys {
		for _, v := range k {
			add(v)
		}
	}
	return out
}

func valueText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case time.Time:
		return v.Format(time.RFC3339Nano)
	case json.Number:
		return v.String()
	}
	return ""
}

// normalize turns a decoded JSON value into a Row value. Objects and arrays
// are refused where they would be compared or written (strict) and kept as
// JSON text in rows read back.
func normalize(v any, strict bool) (any, error) {
	switch v := v.(type) {
	case nil, bool, string, int64, float64:
		return v, nil
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n, nil
		}
		f, err := v.Float64()
		if err != nil {
			return nil, fmt.Errorf("a number out of range")
		}
		return f, nil
	default:
		if strict {
			return nil, fmt.Errorf("values must be null, booleans, numbers or strings, not %T", v)
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		return string(b), nil
	}
}

func normalizeRow(r map[string]any, strict bool) (connector.Row, error) {
	if r == nil {
		return nil, nil
	}
	out := make(connector.Row, len(r))
	for k, v := range r {
		n, err := normalize(v, strict)
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", k, err)
		}
		out[k] = n
	}
	return out, nil
}

// decodeJSON decodes with numbers kept exact, so int64 ids survive.
func decodeJSON(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}
