package connected

import (
	"context"
	"crypto/sha256"
	"errors"
	"sync"

	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/dataset"
)

// caches keeps what every run would otherwise build again: the parsed
// dataset files (a digest names its content, so an entry never goes stale)
// and the opened connectors (each a pool: connecting to a database costs
// more than the queries of a whole request).
type caches struct {
	mu      sync.Mutex
	parsed  map[string][]*dataset.Dataset // by file digest
	conns   map[[32]byte]opened
	catalog *Catalog // the last one built
	// shapes are the plans recent previews showed, by digest, so that a
	// plan_changed answer can name what changed; bounded (maxShapes).
	shapes     map[string]PlanShape
	shapeOrder []string
}

// maxShapes bounds the previewed plans kept in memory.
const maxShapes = 256

// remember keeps a previewed plan's shape.
func (s *Service) remember(p PlanShape) {
	d := p.Digest()
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	if s.cache.shapes == nil {
		s.cache.shapes = map[string]PlanShape{}
	}
	if _, ok := s.cache.shapes[d]; ok {
		return
	}
	if len(s.cache.shapeOrder) >= maxShapes {
		delete(s.cache.shapes, s.cache.shapeOrder[0])
		s.cache.shapeOrder = s.cache.shapeOrder[1:]
	}
	s.cache.shapes[d] = p
	s.cache.shapeOrder = append(s.cache.shapeOrder, d)
}

// previewed is the shape a recent preview showed with this digest, if this
// process still has it.
func (s *Service) previewed(digest string) *PlanShape {
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	if p, ok := s.cache.shapes[digest]; ok {
		return &p
	}
	return nil
}

type opened struct {
	name string
	conn connector.Connector
}

// parsed returns the datasets of a file already parsed.
func (s *Service) parsed(digest string) ([]*dataset.Dataset, bool) {
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	sets, ok := s.cache.parsed[digest]
	return sets, ok
}

// parse returns the datasets of a stored file, parsing it once.
func (s *Service) parse(digest, fileName string, src []byte) ([]*dataset.Dataset, error) {
	if sets, ok := s.parsed(digest); ok {
		return sets, nil
	}
	sets, err := dataset.Load(fileName, src)
	if err != nil {
		return nil, err
	}
	s.cache.mu.Lock()
	if s.cache.parsed == nil {
		s.cache.parsed = map[string][]*dataset.Dataset{}
	}
	s.cache.parsed[digest] = sets
	s.cache.mu.Unlock()
	return sets, nil
}

// connKey names a connection as opened: a changed URL, secret or mode is
// another connector.
func connKey(c Connection) [32]byte {
	h := sha256.New()
	for _, part := range [][]byte{[]byte(c.Name), {0}, []byte(c.URL), {0}, c.Secret, {0}} {
		h.Write(part)
	}
	if c.ReadOnly {
		h.Write([]byte{1})
	}
	var k [32]byte
	copy(k[:], h.Sum(nil))
	return k
}

// connector returns the open connector of a connection, opening it once.
func (s *Service) connector(ctx context.Context, c Connection) (connector.Connector, error) {
	k := connKey(c)
	s.cache.mu.Lock()
	o, ok := s.cache.conns[k]
	s.cache.mu.Unlock()
	if ok {
		return o.conn, nil
	}
	cn, err := s.Open(ctx, c.URL, connector.Options{ReadOnly: c.ReadOnly, Secret: c.Secret})
	if err != nil {
		return nil, errors.New(scrub(err, c.URL))
	}
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	if s.cache.conns == nil {
		s.cache.conns = map[[32]byte]opened{}
	}
	if prev, ok := s.cache.conns[k]; ok { // another run opened it meanwhile
		_ = cn.Close()
		return prev.conn, nil
	}
	s.cache.conns[k] = opened{name: c.Name, conn: cn}
	return cn, nil
}

// forget closes and drops the connectors of a connection, once it is
// removed. Runs still using one get an error from it and are retried.
func (s *Service) forget(name string) {
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	for k, o := range s.cache.conns {
		if o.name == name {
			_ = o.conn.Close()
			delete(s.cache.conns, k)
		}
	}
}

// Close closes every open connector; the server calls it on shutdown.
func (s *Service) Close() error {
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	var errs []error
	for k, o := range s.cache.conns {
		errs = append(errs, o.conn.Close())
		delete(s.cache.conns, k)
	}
	return errors.Join(errs...)
}
