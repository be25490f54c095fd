package decide

import (
	"context"
	_ "embed"
	"slices"
	"strings"
	"testing"

	"github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/types"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/custos-privacy/custos/consent"
)

//go:embed decide.rego
var regoPolicy string

//go:embed decide.cedar
var cedarPolicy []byte

// opaEngine is the Rego policy prepared once, with every question's input
// parsed ahead (OPA's fastest path: nothing converted per decision).
type opaEngine struct {
	query  rego.PreparedEvalQuery
	inputs []ast.Value
}

func (f *fixture) opaEngine(tb testing.TB) *opaEngine {
	tb.Helper()
	purposes := map[string]any{}
	for _, p := range f.purposes {
		regimes := map[string]any{}
		for j, r := range p.regimes {
			regimes[j] = r
		}
		purposes[p.key] = map[string]any{"basis": p.basis, "regimes": regimes, "sale_share": p.saleShare,
			"direct_marketing": p.directMarketing, "marketing": p.marketing, "restriction_exempt": p.restrictionExempt,
			"compelling": p.compelling, "necessary": p.necessary, "limit_exempt": p.limitExempt}
	}
	categories := map[string]any{}
	for _, c := range f.categories {
		categories[c] = true
	}
	subjects := map[string]any{}
	for _, s := range f.subjects {
		choices := map[string]any{}
		for scope, c := range s.choices {
			choices[scope] = int(c)
		}
		subjects[s.id] = map[string]any{"choices": choices, "erased": s.erased, "restricted": s.restricted, "minor": s.minor}
	}
	kinds := map[string]any{}
	for c, k := range f.kinds {
		kinds[c] = k
	}
	laws := map[string]any{}
	for j, l := range f.laws {
		laws[j] = map[string]any{"known": l.known, "model": l.model, "sale_never": l.saleNever, "sale_needs_consent": l.saleNeedsConsent}
	}
	store := inmem.NewFromObjectWithOpts(map[string]any{"purposes": purposes, "categories": categories, "kinds": kinds, "laws": laws, "subjects": subjects},
		inmem.OptReturnASTValuesOnRead(true), inmem.OptRoundTripOnWrite(false))
	q, err := rego.New(rego.Query("data.custos.decision"), rego.Module("decide.rego", regoPolicy), rego.Store(store)).
		PrepareForEval(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	o := &opaEngine{query: q}
	for _, q := range f.questions {
		v, err := ast.InterfaceToValue(map[string]any{"principal": q.principal, "purpose": q.purpose,
			"category": q.category, "jurisdiction": q.jurisdiction})
		if err != nil {
			tb.Fatal(err)
		}
		o.inputs = append(o.inputs, v)
	}
	return o
}

// decide evaluates question i.
func (o *opaEngine) decide(ctx context.Context, i int) (consent.Decision, error) {
	rs, err := o.query.Eval(ctx, rego.EvalParsedInput(o.inputs[i]))
	if err != nil {
		return consent.Decision{}, err
	}
	m, _ := rs[0].Expressions[0].Value.(map[string]any)
	d := consent.Decision{}
	d.Allowed, _ = m["allowed"].(bool)
	d.Reason, _ = m["reason"].(string)
	d.Basis, _ = m["basis"].(string)
	d.Regime, _ = m["regime"].(string)
	return d, nil
}

// cedarEngine is the Cedar policy set, the entities, and every question's
// request built ahead.
type cedarEngine struct {
	policies *cedar.PolicySet
	entities types.EntityMap
	requests []cedar.Request
}

func (f *fixture) cedarEngine(tb testing.TB) *cedarEngine {
	tb.Helper()
	ps, err := cedar.NewPolicySetFromBytes("decide.cedar", cedarPolicy)
	if err != nil {
		tb.Fatal(err)
	}
	ents := types.EntityMap{}
	add := func(typ, id string, attrs types.RecordMap) {
		uid := types.NewEntityUID(types.EntityType(typ), types.String(id))
		ents[uid] = types.Entity{UID: uid, Attributes: types.NewRecord(attrs)}
	}
	scope := func(key string) types.Value { return types.NewEntityUID("Scope", types.String(key)) }
	for _, p := range f.purposes {
		var declared, optOut []types.Value
		for j, r := range p.regimes {
			declared = append(declared, types.String(j))
			if r == "opt_out" {
				optOut = append(optOut, types.String(j))
			}
		}
		add("Scope", p.key, types.RecordMap{"basis": types.String(p.basis), "saleShare": types.Boolean(p.saleShare),
			"directMarketing": types.Boolean(p.directMarketing), "marketing": types.Boolean(p.marketing),
			"restrictionExempt": types.Boolean(p.restrictionExempt), "compelling": types.Boolean(p.compelling),
			"necessary": types.Boolean(p.necessary), "limitExempt": types.Boolean(p.limitExempt),
			"regimes": types.NewSet(declared...), "optOut": types.NewSet(optOut...)})
	}
	var cats []types.Value
	for _, c := range f.categories {
		cats = append(cats, types.String(c))
		add("Category", c, types.RecordMap{"kind": types.String(f.kinds[c])})
	}
	add("Policy", "in_force", types.RecordMap{"categories": types.NewSet(cats...)})
	for _, j := range jurisdictions {
		country := j
		if len(j) > 2 && j[2] == '-' {
			country = j[:2]
		}
		eu := slices.Contains(strings.Fields(euCountries), country)
		eea := eu || country == "IS" || country == "LI" || country == "NO"
		l := f.laws[j]
		add("Jurisdiction", j, types.RecordMap{"code": types.String(j), "country": types.String(country),
			"eu": types.Boolean(eu), "eea": types.Boolean(eea), "usState": types.Boolean(strings.HasPrefix(j, "US-")),
			"california": types.Boolean(j == "US-CA"), "sensKnown": types.Boolean(l.known), "sensModel": types.String(l.model),
			"saleNever": types.Boolean(l.saleNever), "saleNeedsConsent": types.Boolean(l.saleNeedsConsent)})
	}
	for _, s := range f.subjects {
		var granted, withdrawn []types.Value
		for sc, c := range s.choices {
			if c > 0 {
				granted = append(granted, scope(sc))
			} else {
				withdrawn = append(withdrawn, scope(sc))
			}
		}
		add("Subject", s.id, types.RecordMap{"erased": types.Boolean(s.erased), "restricted": types.Boolean(s.restricted),
			"minor": types.Boolean(s.minor), "granted": types.NewSet(granted...), "withdrawn": types.NewSet(withdrawn...)})
	}
	c := &cedarEngine{policies: ps, entities: ents}
	use := types.NewEntityUID("Action", "use")
	for _, q := range f.questions {
		ctx := types.RecordMap{"category": types.String(q.category), "jurisdiction": types.NewEntityUID("Jurisdiction", types.String(q.jurisdiction))}
		if q.category != "" {
			// The category's entity, for its kind; an undeclared one has
			// none, and the first forbid refuses it.
			ctx["cat"] = types.NewEntityUID("Category", types.String(q.category))
		}
		c.requests = append(c.requests, cedar.Request{
			Principal: types.NewEntityUID("Subject", types.String(q.principal)),
			Action:    use,
			Resource:  types.NewEntityUID("Scope", types.String(q.purpose)),
			Context:   types.NewRecord(ctx),
		})
	}
	return c
}

// euCountries are the EU's members, as consent's isEU lists them, for the
// Jurisdiction entities' attributes.
const euCountries = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE"

func (c *cedarEngine) decide(i int) bool {
	d, _ := cedar.Authorize(c.policies, c.entities, c.requests[i])
	return d == cedar.Allow
}
