package api

import (
	"context"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/records"
	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/retention"
)

// The interfaces below are what the handlers call, declared here where
// they are used (as WTF Dial's HTTP layer takes its services): each lists
// only the methods the API's handlers need, so a handler cannot reach past
// its service and a reader sees the whole surface in one place. The
// services (auth.Service, policy.Registry, …) satisfy them; the
// assertions in deps_test.go say so at compile time.

// Tokens checks and manages operator tokens (auth.Service).
type Tokens interface {
	Authenticate(ctx context.Context, secret string) (custos.Token, error)
	Create(ctx context.Context, actor string, role custos.Role, name string) (string, custos.Token, error)
	Revoke(ctx context.Context, actor string, id int64) error
	Tokens(ctx context.Context) ([]custos.Token, error)
}

// Policies publishes and reads the policy versions (policy.Registry).
type Policies interface {
	Active(ctx context.Context) (*policy.Policy, custos.PolicyVersion, error)
	Upcoming(ctx context.Context) ([]custos.PolicyVersion, error)
	Versions(ctx context.Context) ([]custos.PolicyVersion, error)
	Publish(ctx context.Context, actor, file string, src []byte, effective time.Time, force bool) (policy.Published, error)
	// Loader validates a manifest without publishing it.
	Loader() *policy.Loader
}

// Records records events and contracts and reads what is held about a
// person (records.Service).
type Records interface {
	Record(ctx context.Context, actor string, in records.Input) (int64, error)
	RecordBatch(ctx context.Context, actor string, ins []records.Input) (int, error)
	AddContract(ctx context.Context, actor string, c custos.Contract) (custos.Contract, error)
	Contracts(ctx context.Context) ([]custos.Contract, error)
	FindSubject(ctx context.Context, ref custos.SubjectRef) (string, error)
	SubjectRecords(ctx context.Context, actor, reason, subjectID string) (records.Records, error)
	SubjectHoldings(ctx context.Context, actor, reason, subjectID string) (records.Holdings, error)
}

// Consent records choices, answers decisions and serves receipts and
// unsubscribe links (consent.Service).
type Consent interface {
	Record(ctx context.Context, actor string, c consent.Choice, gpcHeader bool) (consent.Recorded, error)
	StateOf(ctx context.Context, actor string, ref custos.SubjectRef, deviceID string) (consent.State, error)
	DecideFor(ref custos.SubjectRef, deviceID, purpose, category, jurisdiction string) (consent.Decision, error)
	// Engine is the decision engine in force, for the policy version a
	// decision names.
	Engine() *consent.Engine
	ReceiptJWS(ctx context.Context, id string) (string, error)
	ReceiptKey() (string, []byte)
	UnsubscribeLink(ctx context.Context, email, purpose string) (consent.Link, error)
	ParseToken(ctx context.Context, token string) (consent.Unsubscription, error)
	Unsubscribe(ctx context.Context, token, jurisdiction string, gpc bool) (consent.Recorded, error)
}

// Requests takes, verifies and decides privacy requests (requests.Service).
type Requests interface {
	Submit(ctx context.Context, in requests.Intake, clientIP string, gpc bool) (string, error)
	SubmitOnBehalf(ctx context.Context, actor string, in requests.Intake) (requests.View, error)
	Verify(ctx context.Context, id, code string) (requests.Verified, error)
	ConfirmIdentity(ctx context.Context, id, token, clientIP string, in requests.IdentityProof) (requests.Verified, error)
	Status(ctx context.Context, id, token string) (requests.SubjectView, error)
	Result(ctx context.Context, id, token string) (requests.Package, error)
	Get(ctx context.Context, id string) (requests.View, error)
	ComplaintText(ctx context.Context, actor, id string) (string, error)
	Queue(ctx context.Context, status string) ([]requests.View, error)
	ApproveWith(ctx context.Context, actor, id, plan, decision string) (requests.View, error)
	ErasurePreview(ctx context.Context, actor, id string) (connected.Preview, error)
	Deny(ctx context.Context, actor, id, code, text string) (requests.View, error)
	Extend(ctx context.Context, actor, id, reason string) (requests.View, error)
	ControllerInstruction(ctx context.Context, actor, id, controller, action string) (requests.View, error)
	LiftRestriction(ctx context.Context, actor string, ref custos.SubjectRef, reason string) error
	Report(ctx context.Context, year int) (requests.MetricsReport, error)
}

// Retention sweeps, holds and records the lifecycle moments retention
// counts from (retention.Service).
type Retention interface {
	Sweep(ctx context.Context, actor string, asOf time.Time, dryRun bool) (retention.Report, error)
	Upcoming(ctx context.Context, window time.Duration) ([]retention.Line, error)
	History(ctx context.Context, since time.Time) ([]retention.MonthLine, error)
	AddHold(ctx context.Context, actor string, ref custos.SubjectRef, reason string) (int64, string, error)
	Holds(ctx context.Context, actor string, all bool) ([]retention.HoldView, error)
	ReleaseHold(ctx context.Context, actor string, ref custos.SubjectRef) (int64, error)
	ReportMinor(ctx context.Context, actor string, ref custos.SubjectRef, jurisdiction string) (string, error)
	RecordOfAge(ctx context.Context, actor string, ref custos.SubjectRef) (int, error)
	SetLifecycle(ctx context.Context, actor string, ref custos.SubjectRef, moment string, at time.Time) error
}

// Connected manages the company's datasets and connections and takes the
// answers of asynchronous systems (connected.Service).
type Connected interface {
	Catalog(ctx context.Context) (*connected.Catalog, error)
	Import(ctx context.Context, actor, fileName string, src []byte) ([]string, error)
	Connections(ctx context.Context) ([]connected.Connection, error)
	TestConnection(ctx context.Context, actor, name string) error
	Progress(ctx context.Context, requestID string) ([]connected.Task, error)
	Callback(ctx context.Context, taskID string, a connected.SignedAnswer) (requestID string, err error)
}
