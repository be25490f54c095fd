// Package custos holds the domain types shared by every part of Custos: the
// operator roles and tokens, policy versions, audit entries and the one coded
// error type. It knows nothing of storage or HTTP; the packages below it do.
package custos

import (
	"time"
)

// Role is what an operator token may do.
type Role string

const (
	RoleAdmin          Role = "admin"
	RolePrivacyOfficer Role = "privacy_officer"
	RoleAgent          Role = "agent"
	RoleAuditor        Role = "auditor"
	RoleIngest         Role = "ingest"
)

// Roles lists every role, most powerful first.
func Roles() []Role {
	return []Role{RoleAdmin, RolePrivacyOfficer, RoleAgent, RoleAuditor, RoleIngest}
}

// ParseRole checks that s names a role.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles() {
		if string(r) == s {
			return r, nil
		}
	}
	return "", Errorf(KindInvalid, "invalid_role", "Unknown role %q; use one of admin, privacy_officer, agent, auditor, ingest.", s)
}

// Token is an operator credential. The secret is shown once at creation and
// only its SHA-256 hash is stored.
type Token struct {
	ID        int64
	Name      string
	Role      Role
	Hash      []byte
	CreatedAt time.Time
	RevokedAt *time.Time
	LastUsed  *time.Time
}

// PolicyVersion is one published version of a policy manifest. The version in
// force at a moment is the one with the latest EffectiveAt not after it.
type PolicyVersion struct {
	Version     int64
	Manifest    []byte // the YAML source exactly as published
	Digest      string // hex SHA-256 of Manifest
	LastUpdated string // the manifest's last_updated date, YYYY-MM-DD
	EffectiveAt time.Time
	PublishedAt time.Time
	PublishedBy string
	Material    bool   // whether it changed a promise relative to the version before
	Summary     string // the diff against the version before, one change a line
}

// AuditEntry is one link of the audit chain. Details never hold plaintext
// personal data: objects are named by ids and keyed hashes.
type AuditEntry struct {
	Seq      int64
	At       time.Time
	Actor    string // "token:12", "cli", "system", "subject:<pseudonym>"
	Action   string // dotted verb: "token.create", "policy.publish"
	Object   string // "token:12", "policy:3"
	Detail   string // JSON object, no personal data
	PrevHash []byte
	Hash     []byte
}

// AuditCheckpoint is a signed statement that the chain up to Seq ends in Hash.
type AuditCheckpoint struct {
	Seq       int64
	Hash      []byte
	At        time.Time
	KeyID     string
	Signature []byte
}

// Clock tells the time. It is injected so deadlines, retention and tests are
// deterministic.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

func (SystemClock) Now() time.Time { return time.Now().UTC() }

// FixedClock always tells the same time; tests move it by assignment.
type FixedClock struct{ T time.Time }

func (c *FixedClock) Now() time.Time { return c.T }
