package sqlconn

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strings"

	mysqldriver "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	moderncsqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// safeError restates a driver error in words that cannot hold row values.
// Drivers quote values freely (PostgreSQL's `invalid input syntax for type
// bigint: "…"`, MySQL's `Duplicate entry '…'`, pgx's encode errors), and
// connector errors end up in logs and API answers. The driver's error stays
// reachable through Unwrap for errors.Is and errors.As.
type safeError struct {
	msg string
	err error
}

func (e *safeError) Error() string { return e.msg }
func (e *safeError) Unwrap() error { return e.err }

// safe wraps err so that its text holds neither row values nor the password.
// Context errors pass through unchanged: callers test for them with ==.
func (c *conn) safe(err error) error {
	if err == nil || err == context.Canceled || err == context.DeadlineExceeded {
		return err
	}
	var se *safeError
	if errors.As(err, &se) {
		return err
	}
	return &safeError{msg: scrub(describe(err), c.secret), err: err}
}

// describe is the text of a driver error with whatever may quote data left
// out. It keeps the messages that name only tables, columns, constraints and
// connections, which are what a person needs to act.
func describe(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		class := pe.Code
		if len(class) > 2 {
			class = class[:2]
		}
		switch class {
		case "08", "0A", "23", "25", "28", "3D", "3F", "40", "42", "53", "54", "55", "57", "58", "XX":
			// Class 23 messages name the constraint; the offending values
			// are in Detail, which is left out.
			return fmt.Sprintf("%s (SQLSTATE %s)", pe.Message, pe.Code)
		case "22":
			return fmt.Sprintf("a value does not fit its column's type (SQLSTATE %s)", pe.Code)
		case "P0":
			return fmt.Sprintf("a trigger or function raised an error (SQLSTATE %s)", pe.Code)
		}
		return fmt.Sprintf("PostgreSQL error (SQLSTATE %s)", pe.Code)
	}
	var me *mysqldriver.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1044, 1045, 1046, 1048, 1049, 1051, 1054, 1064, 1109, 1142, 1143, 1146,
			1205, 1213, 1227, 1264, 1290, 1406, 1451, 1452, 1792, 1836:
			return fmt.Sprintf("%s (MySQL error %d)", me.Message, me.Number)
		}
		switch me.Number {
		case 1062, 1586:
			return fmt.Sprintf("a unique key already holds this value (MySQL error %d)", me.Number)
		case 1265, 1292, 1366, 1367:
			return fmt.Sprintf("a value does not fit its column's type (MySQL error %d)", me.Number)
		}
		if me.SQLState != [5]byte{} {
			return fmt.Sprintf("MySQL error %d (SQLSTATE %s)", me.Number, me.SQLState[:])
		}
		return fmt.Sprintf("MySQL error %d", me.Number)
	}
	var le *moderncsqlite.Error
	if errors.As(err, &le) {
		// SQLite's messages name tables, columns and constraints, never values.
		return le.Error()
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return ce.Error()
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return ne.Error()
	}
	for _, known := range []error{context.Canceled, context.DeadlineExceeded, driver.ErrBadConn,
		sql.ErrConnDone, sql.ErrTxDone, mysqldriver.ErrInvalidConn, mysqldriver.ErrMalformPkt,
		mysqldriver.ErrPktSync, mysqldriver.ErrBusyBuffer} {
		if errors.Is(err, known) {
			return known.Error()
		}
	}
	if strings.Contains(err.Error(), "failed to encode") {
		return "a value could not be sent as its column's type"
	}
	return fmt.Sprintf("the database driver failed (%T)", errors.Unwrap(err))
}

// failure is what a failed statement says about the schema or the
// credentials, for Test's report.
type failure int

const (
	failOther failure = iota
	failNoTable
	failNoColumn
	failDenied
)

func classify(err error) failure {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "42P01", "3F000":
			return failNoTable
		case "42703":
			return failNoColumn
		case "42501":
			return failDenied
		}
		return failOther
	}
	var me *mysqldriver.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1146, 1049, 1109:
			return failNoTable
		case 1054:
			return failNoColumn
		case 1044, 1142, 1143:
			return failDenied
		}
		return failOther
	}
	var le *moderncsqlite.Error
	if errors.As(err, &le) {
		switch {
		case strings.Contains(le.Error(), "no such table"):
			return failNoTable
		case strings.Contains(le.Error(), "no such column"):
			return failNoColumn
		case le.Code()&0xff == sqlite3.SQLITE_READONLY, le.Code()&0xff == sqlite3.SQLITE_AUTH,
			le.Code()&0xff == sqlite3.SQLITE_PERM:
			return failDenied
		}
	}
	return failOther
}
