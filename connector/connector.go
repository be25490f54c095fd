// Package connector is how Custos reaches the company's own systems: one
// Connector per connection (a PostgreSQL, MariaDB/MySQL or SQLite database, a
// Redis server, or an HTTPS webhook in front of a SaaS system), all behind one
// interface and all held to one test suite (connector/connectortest).
//
// Connectors only read and write what they are told to: which rows a person
// has is worked out by the dataset planner, and how a field is masked by the
// erasure code. A connector never logs values.
package connector

import (
	"context"
	"errors"
	"time"

	"github.com/custos-privacy/custos/dataset"
)

// Row is one record: field name to value. Values are nil, bool, int64,
// float64, string or time.Time; drivers' []byte become string.
type Row map[string]any

// Change sets fields of the row whose primary key is Key.
type Change struct {
	Key Row // primary key field to value
	Set Row // field to new value
}

// Connector reads and writes the collections of one connection.
type Connector interface {
	// Retrieve returns the rows of c where any of the fields holds any of
	// its values: where maps field name to values, and the whole map is one
	// query (OR between fields, IN within one), never one per value.
	Retrieve(ctx context.Context, c *dataset.Collection, where map[string][]any) ([]Row, error)
	// Update applies changes, matched by primary key, and returns how many
	// rows changed. Applying the same changes twice is harmless.
	Update(ctx context.Context, c *dataset.Collection, changes []Change) (int64, error)
	// Delete removes the rows with these primary keys and returns how many
	// went. Deleting a row already gone is not an error.
	Delete(ctx context.Context, c *dataset.Collection, keys []Row) (int64, error)
	// Test checks that the system answers and that every collection of d
	// can be read (and, unless read-only, written) with these credentials.
	Test(ctx context.Context, d *dataset.Dataset) error
	Close() error
}

// ErrPending is returned by an asynchronous connector (a webhook answering
// 202) when the answer will come later by callback.
var ErrPending = errors.New("connector: answer pending")

// Options are what every connector is opened with.
type Options struct {
	// ReadOnly connections refuse Update and Delete.
	ReadOnly bool
	// Secret signs webhook calls; other connectors ignore it.
	Secret []byte
}

// ErrReadOnly is returned by Update and Delete on a read-only connection.
var ErrReadOnly = errors.New("connector: the connection is read-only")

// Call identifies the request and task a connector call serves. An
// asynchronous connector passes it on, so that its answer finds its way back.
type Call struct {
	RequestID   string
	Task        string // opaque id of the call: per request and collection, or per batch of rows written
	CallbackURL string // where the remote system posts its answer
}

type callKey struct{}

// WithCall attaches c to ctx.
func WithCall(ctx context.Context, c Call) context.Context {
	return context.WithValue(ctx, callKey{}, c)
}

// CallFrom returns the Call attached to ctx, if any.
func CallFrom(ctx context.Context) (Call, bool) {
	c, ok := ctx.Value(callKey{}).(Call)
	return c, ok
}

// Ranger is a connector that can list rows by the time they were collected,
// which retention sweeps of connected systems need. Connectors that cannot
// (a key-value store, a webhook) leave it out, and sweeps report them.
type Ranger interface {
	// Before returns up to limit rows of c whose field holds a time before
	// t, in primary-key order, starting after the row whose key is after
	// (nil for the first page).
	Before(ctx context.Context, c *dataset.Collection, field string, t time.Time, after Row, limit int) ([]Row, error)
}

// Idempotent is a connector whose writes leave alone a row that already
// holds what it is told to write (and deletes of a missing row do
// nothing). Repeating a batch of deterministic changes through it writes
// nothing twice, so a run may checkpoint less often without a crash ever
// causing a second write.
type Idempotent interface {
	IdempotentWrites() bool
}

// Synchronous is a connector that always answers in the call, never by
// callback (ErrPending). A run need not write its tasks down before such a
// call, since no answer can arrive for a task it has not recorded.
type Synchronous interface {
	Synchronous() bool
}

// Selector is a connector that can write the rows of a collection whose
// dataset declares no primary key. Such rows are told apart by the values
// that found them instead — the person's identity, or a reference value —
// so each Key names field values (any declared fields, no nil) and every
// row holding all of them is written. Update and Delete keep refusing such
// collections: only a caller that knows which values select the person's
// rows, and no one else's, may write by them. Writing the same changes
// twice is harmless.
type Selector interface {
	UpdateWhere(ctx context.Context, c *dataset.Collection, changes []Change) (int64, error)
	DeleteWhere(ctx context.Context, c *dataset.Collection, keys []Row) (int64, error)
}

// Lookup is one Retrieve: the rows of Collection where any field of Where
// holds one of its values.
type Lookup struct {
	Collection *dataset.Collection
	Where      map[string][]any
}

// Batcher is a connector that answers several lookups in one exchange with
// its system, sending the statements Retrieve would send one by one
// together (PostgreSQL's pipeline): a request's independent collections
// then cost one round trip, not one each. Rows come back per lookup, in
// order. An error may belong to any lookup; asking them one by one tells
// which.
type Batcher interface {
	RetrieveBatch(ctx context.Context, ls []Lookup) ([][]Row, error)
}
