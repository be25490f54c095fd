package storetest

import (
	"testing"
	"time"

	"github.com/custos-privacy/custos/store"
)

// suiteCase is one test of the conformance suite.
type suiteCase struct {
	name string
	fn   func(t *testing.T, s *store.Store)
}

// Run is the conformance suite: every store method, against the store open
// returns. Each case gets a fresh store.
func Run(t *testing.T, open func(testing.TB) *store.Store) {
	var cases []suiteCase
	// One group per store file, in the order of the files.
	for _, group := range [][]suiteCase{
		auditCases(), connectorCases(), consentCases(), consentStatsCases(), existingCases(), keyCases(), policyCases(),
		recordCases(), retainedCases(), connectedRetainedCases(), requestCases(), retentionCases(), sessionCases(), storeCases(), taskCases(), tokenCases(),
	} {
		cases = append(cases, group...)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.fn(t, open(t))
		})
	}
}

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)
