package sqlconn_test

import (
	"testing"

	"github.com/custos-privacy/custos/connector/connectortest"
	"github.com/custos-privacy/custos/connector/connectortest/sqltest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{sqltest.Postgres, sqltest.PostgresExec, sqltest.MySQL, sqltest.SQLite} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			connectortest.Run(t, sqltest.Harness(dialect))
		})
	}
}
