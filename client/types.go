package client

import (
	"encoding/json"
	"time"
)

// Subject names a person by at least one identity.
type Subject struct {
	Email      string `json:"email,omitempty"`
	Phone      string `json:"phone,omitempty"`
	ExternalID string `json:"external_id,omitempty"`
}

// Event is a collection or disclosure of personal data (POST /api/v1/events).
type Event struct {
	Kind         string     `json:"kind"` // collection or disclosure
	Subject      Subject    `json:"subject"`
	Category     string     `json:"category"`
	Source       string     `json:"source,omitempty"`
	Purpose      string     `json:"purpose"`
	Recipient    string     `json:"recipient,omitempty"`
	LegalGround  string     `json:"legal_ground,omitempty"`
	Vendor       string     `json:"vendor,omitempty"`
	Value        string     `json:"value,omitempty"`
	OccurredAt   *time.Time `json:"occurred_at,omitempty"`
	Jurisdiction string     `json:"jurisdiction,omitempty"`
	Controller   string     `json:"controller,omitempty"`
}

// Recorded is the answer to a recorded event.
type Recorded struct {
	ID int64 `json:"id"`
}

// DecisionRequest asks whether a purpose may be pursued for a person or a device.
type DecisionRequest struct {
	Subject      *Subject `json:"subject,omitempty"`
	DeviceID     string   `json:"device_id,omitempty"`
	Purpose      string   `json:"purpose"`
	Category     string   `json:"category,omitempty"`
	Jurisdiction string   `json:"jurisdiction,omitempty"`
}

// Decision is the answer: act on Allowed; Reason is for logs.
type Decision struct {
	Allowed       bool   `json:"allowed"`
	Reason        string `json:"reason"`
	Basis         string `json:"basis,omitempty"`
	Regime        string `json:"regime,omitempty"`
	PolicyVersion int64  `json:"policy_version"`
}

// Consent is a person's choice about a purpose (POST /api/v1/consents).
type Consent struct {
	Subject      *Subject `json:"subject,omitempty"`
	DeviceID     string   `json:"device_id,omitempty"`
	Purpose      string   `json:"purpose,omitempty"`
	Granted      bool     `json:"granted"`
	Jurisdiction string   `json:"jurisdiction"`
	Method       string   `json:"method,omitempty"`
	GPC          bool     `json:"gpc,omitempty"`
}

// ConsentReceipt is the signed record of a choice.
type ConsentReceipt struct {
	ReceiptID     string `json:"receipt_id"`
	PolicyVersion int64  `json:"policy_version"`
	Principal     string `json:"principal"`
	Choices       []struct {
		Scope   string `json:"scope"`
		Granted bool   `json:"granted"`
	} `json:"choices"`
	// Receipt is the Kantara consent receipt; JWS signs it.
	Receipt json.RawMessage `json:"receipt"`
	JWS     string          `json:"jws"`
}

// NewRequest is a privacy request as a person makes it; a code is mailed
// to Email to verify it.
type NewRequest struct {
	Type           string            `json:"type"`
	Email          string            `json:"email"`
	Jurisdiction   string            `json:"jurisdiction"`
	Corrections    map[string]string `json:"corrections,omitempty"`
	AppealOf       string            `json:"appeal_of,omitempty"`
	Details        string            `json:"details,omitempty"`
	Beyond12Months bool              `json:"beyond_12_months,omitempty"`
}

// Submitted is the answer to a new request: it awaits verification.
type Submitted struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// Request is the operator's view of a privacy request.
type Request struct {
	ID            string          `json:"id"`
	Type          string          `json:"type"`
	Status        string          `json:"status"`
	Jurisdiction  string          `json:"jurisdiction"`
	Law           string          `json:"law"`
	Channel       string          `json:"channel"`
	SubjectKnown  bool            `json:"subject_known"`
	ReceivedAt    time.Time       `json:"received_at"`
	VerifiedAt    *time.Time      `json:"verified_at,omitempty"`
	AcknowledgeBy *time.Time      `json:"acknowledge_by,omitempty"`
	DueAt         time.Time       `json:"due_at"`
	ExtendedUntil *time.Time      `json:"extended_until,omitempty"`
	Overdue       bool            `json:"overdue"`
	CompletedAt   *time.Time      `json:"completed_at,omitempty"`
	Decision      *RequestOutcome `json:"decision,omitempty"`
	// LawRules is the law governing the request, as its table says.
	LawRules json.RawMessage `json:"law_rules,omitempty"`
	LawFlag  string          `json:"law_flag,omitempty"`
	Reason   string          `json:"reason,omitempty"`
	History  []HistoryStep   `json:"history,omitempty"`
}

// RequestOutcome is a denial's reason.
type RequestOutcome struct {
	Code string `json:"code"`
	Text string `json:"text"`
	By   string `json:"by"`
}

// HistoryStep is one step of a request.
type HistoryStep struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Status string    `json:"status"`
	Note   string    `json:"note,omitempty"`
}

// Denial is why a request is denied.
type Denial struct {
	ReasonCode string `json:"reason_code,omitempty"`
	Reason     string `json:"reason"`
}

// Approval approves a request; Plan pins a deletion to the plan an
// erasure preview showed.
type Approval struct {
	Plan     string `json:"plan,omitempty"`
	Decision string `json:"decision,omitempty"`
}

// ErasurePreview is what approving a deletion would do in the connected
// systems: counts and field names, never a value.
type ErasurePreview struct {
	Plan        string `json:"plan"`
	Collections []struct {
		System     string `json:"system,omitempty"`
		Collection string `json:"collection"`
		Action     string `json:"action"`
		ReadOnly   bool   `json:"read_only,omitempty"`
		Found      int    `json:"found"`
		Written    int    `json:"written"`
		Note       string `json:"note,omitempty"`
	} `json:"collections"`
	Pending bool `json:"pending,omitempty"`
}

// ProcessingActivity is one purpose of the record of processing activities.
type ProcessingActivity struct {
	Purpose    string `json:"purpose"`
	Name       string `json:"name,omitempty"`
	Declared   bool   `json:"declared"`
	LegalBasis string `json:"legal_basis,omitempty"`
	Controller struct {
		Name  string `json:"name"`
		Email string `json:"email,omitempty"`
	} `json:"controller"`
	DataSubjects     []Described     `json:"data_subjects"`
	DataCategories   []Described     `json:"data_categories"`
	Recipients       json.RawMessage `json:"recipients"`
	Transfers        string          `json:"transfers"`
	Retention        []string        `json:"retention"`
	SecurityMeasures []string        `json:"security_measures"`
	Events           int64           `json:"events"`
}

// Described is a key of the policy with its words.
type Described struct {
	Key         string `json:"key"`
	Description string `json:"description,omitempty"`
	Declared    bool   `json:"declared"`
}

// Verified is a request confirmed by its code.
type Verified struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	AccessToken string `json:"access_token"`
}
