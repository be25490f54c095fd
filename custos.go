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

// Identity kinds by which a person is known.
const (
	IdentityEmail      = "email"
	IdentityPhone      = "phone"
	IdentityExternalID = "external_id"
)

// SubjectRef names a person by one or more identities, as API callers do:
// {"email": "…"}, {"phone": "+1…"}, {"external_id": "…"}.
type SubjectRef struct {
	Email      string `json:"email,omitempty"`
	Phone      string `json:"phone,omitempty"`
	ExternalID string `json:"external_id,omitempty"`
}

// Empty reports whether the reference names no identity.
func (r SubjectRef) Empty() bool { return r.Email == "" && r.Phone == "" && r.ExternalID == "" }

// Subject is a person Custos holds records about. Its ID is random, so it is
// a pseudonym: it says nothing about the person.
type Subject struct {
	ID         string
	CreatedAt  time.Time
	ErasedAt   *time.Time
	MergedInto string
}

// Event kinds.
const (
	EventCollection = "collection"
	EventDisclosure = "disclosure"
)

// Event is one recorded collection or disclosure of personal information.
// Value is held only in memory; the store keeps it sealed under the
// subject's own key.
type Event struct {
	ID            int64     `json:"id"`
	SubjectID     string    `json:"subject_id"`
	Kind          string    `json:"kind"`
	Category      string    `json:"category"`
	Purpose       string    `json:"purpose"`
	Source        string    `json:"source,omitempty"`       // collections
	Recipient     string    `json:"recipient,omitempty"`    // disclosures
	LegalGround   string    `json:"legal_ground,omitempty"` // disclosures to authorities: subpoena, court_order…
	Vendor        string    `json:"vendor,omitempty"`       // the named processor behind a recipient category, if any
	Value         *string   `json:"value,omitempty"`
	OccurredAt    time.Time `json:"occurred_at"`
	RecordedAt    time.Time `json:"recorded_at"`
	PolicyVersion int64     `json:"policy_version"`
	// NoContract flags a disclosure to a recipient that needs a contract
	// (a service provider) while none was on record.
	NoContract bool `json:"no_contract"`
	// Controller is the key of the controller the event was processed
	// for (Customer Content); empty for the company's own processing.
	Controller string `json:"controller,omitempty"`
}

// Contract is a data-processing contract on record with a recipient.
type Contract struct {
	ID        int64
	Recipient string // recipient key of the policy
	Vendor    string // empty: covers every vendor of that recipient
	SignedAt  time.Time
	ExpiresAt *time.Time
	CreatedAt time.Time
}
