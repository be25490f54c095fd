package records

import (
	"encoding/csv"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/store"
)

// OwnFacts keeps the facts of the company's own processing: events
// processed on behalf of a controller (Customer Content) are the
// controller's to report, so the company's California statement and
// Article 30(1) record leave them out.
func OwnFacts(facts []store.Fact) []store.Fact {
	out := make([]store.Fact, 0, len(facts))
	for _, f := range facts {
		if f.Controller == "" {
			out = append(out, f)
		}
	}
	return out
}

// ProcessorActivity is one entry of the GDPR Article 30(2) record a
// processor keeps: the processing it carries out for one controller.
type ProcessorActivity struct {
	// Processor is the company (Art. 30(2)(a)).
	Processor Controller `json:"processor"`
	// Controller is who the processing is for (Art. 30(2)(a)).
	Controller ProcessorController `json:"controller"`
	// Declared is false for a controller seen in the records but not in
	// the manifest.
	Declared  bool              `json:"declared"`
	Agreement *policy.Agreement `json:"agreement,omitempty"`
	// Processing are the categories of processing carried out for the
	// controller (Art. 30(2)(b)): the uses its agreement covers.
	Processing []Described `json:"categories_of_processing"`
	// DataCategories are the categories the agreement covers.
	DataCategories []Described `json:"data_categories"`
	// CategoriesRecorded counts the period's events per category.
	CategoriesRecorded []CategoryCount `json:"categories_recorded"`
	// Datasets hold the controller's data in the company's systems.
	Datasets []string `json:"datasets"`
	// Transfers to third countries (Art. 30(2)(c)).
	Transfers []string `json:"transfers"`
	// SecurityMeasures (Art. 30(2)(d)).
	SecurityMeasures []string `json:"security_measures"`
	Events           int64    `json:"events"`
	Period           Period   `json:"period"`
}

// ProcessorController is a controller as the processor record names it.
type ProcessorController struct {
	Key   string `json:"key"`
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	How   string `json:"how,omitempty"`
}

// ProcessorRecord computes the Article 30(2) record for [from, to): one
// entry per controller m declares, in manifest order (with zero events if
// none were recorded), then one per undeclared controller seen in facts,
// sorted by key.
func ProcessorRecord(m *policy.Manifest, facts []store.Fact, from, to time.Time) []ProcessorActivity {
	ix := newIndex(m)
	m = ix.m
	var ob policy.OnBehalf
	if m.OnBehalf != nil {
		ob = *m.OnBehalf
	}
	describe := map[string]string{}
	for _, c := range m.Categories {
		describe[c.Key] = c.Description
	}
	for _, c := range ob.Categories {
		describe[c.Key] = c.Description
	}
	if ob.LogData != nil {
		for _, c := range ob.LogData.Categories {
			if describe[c] == "" {
				describe[c] = ob.LogData.Description
			}
		}
	}
	type tally struct {
		events int64
		cats   map[string]*CategoryCount
	}
	seen := map[string]*tally{}
	for _, f := range facts {
		if f.Controller == "" {
			continue
		}
		t := seen[f.Controller]
		if t == nil {
			t = &tally{cats: map[string]*CategoryCount{}}
			seen[f.Controller] = t
		}
		t.events += f.Events
		c := t.cats[f.Category]
		if c == nil {
			d, ok := describe[f.Category]
			c = &CategoryCount{Key: f.Category, Description: d, Declared: ok}
			t.cats[f.Category] = c
		}
		c.add(f)
	}
	processor := Controller{Name: m.Organisation.Name, Email: m.Contact.Email}
	period := newPeriod(from, to)
	order := keysOf(ob.Controllers, func(c policy.Controller) string { return c.Key })
	out := []ProcessorActivity{}
	for _, key := range order {
		ctl, _ := m.Controller(key)
		a := ProcessorActivity{
			Processor:          processor,
			Controller:         ProcessorController{Key: ctl.Key, Name: ctl.Name, Email: ctl.Contact.Email, How: ctl.Contact.How},
			Declared:           true,
			Agreement:          &ctl.Agreement,
			Processing:         []Described{},
			DataCategories:     []Described{},
			CategoriesRecorded: []CategoryCount{},
			Datasets:           append([]string{}, ctl.Datasets...),
			Transfers:          append([]string{}, ctl.Transfers...),
			SecurityMeasures:   append([]string{}, ob.SecurityMeasures...),
			Period:             period,
		}
		if len(a.Transfers) == 0 {
			a.Transfers = []string{TransfersNone}
		}
		for _, u := range ctl.Purposes {
			d := Described{Key: u, Declared: true}
			if p, ok := ix.purposes[u]; ok {
				d.Description = p.Name
			}
			a.Processing = append(a.Processing, d)
		}
		for _, c := range ctl.Categories {
			a.DataCategories = append(a.DataCategories, Described{Key: c, Description: describe[c], Declared: true})
		}
		if t := seen[key]; t != nil {
			a.Events = t.events
			for _, c := range slices.Sorted(maps.Keys(t.cats)) {
				a.CategoriesRecorded = append(a.CategoriesRecorded, *t.cats[c])
			}
		}
		out = append(out, a)
	}
	for _, key := range slices.Sorted(maps.Keys(seen)) {
		if slices.Contains(order, key) {
			continue
		}
		// Events kept under an earlier policy for a controller it no
		// longer declares still belong in the record, marked undeclared.
		t := seen[key]
		a := ProcessorActivity{
			Processor: processor, Controller: ProcessorController{Key: key},
			Processing: []Described{}, DataCategories: []Described{}, CategoriesRecorded: []CategoryCount{},
			Datasets: []string{}, Transfers: []string{TransfersNone}, SecurityMeasures: append([]string{}, ob.SecurityMeasures...),
			Events: t.events, Period: period,
		}
		for _, c := range slices.Sorted(maps.Keys(t.cats)) {
			a.CategoriesRecorded = append(a.CategoriesRecorded, *t.cats[c])
		}
		out = append(out, a)
	}
	return out
}

// ProcessorHeader is the header row ProcessorCSV writes.
var ProcessorHeader = []string{
	"controller", "controller_name", "controller_email", "controller_contact", "declared",
	"agreement_reference", "agreement_date", "processor", "processor_email",
	"categories_of_processing", "data_categories", "categories_recorded", "datasets",
	"transfers", "security_measures", "events", "period_from", "period_to",
}

// ProcessorCSV writes the processor record as RFC 4180 CSV (CRLF line
// ends) with a header row (ProcessorHeader); lists are joined with "; ".
func ProcessorCSV(w io.Writer, acts []ProcessorActivity) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(ProcessorHeader); err != nil {
		return err
	}
	join := func(ss []string) string { return strings.Join(ss, "; ") }
	for _, a := range acts {
		recorded := make([]string, len(a.CategoriesRecorded))
		for i, c := range a.CategoriesRecorded {
			recorded[i] = c.Key + ": " + strconv.FormatInt(c.Events, 10)
		}
		var ref, date string
		if a.Agreement != nil {
			ref, date = a.Agreement.Reference, a.Agreement.Date
		}
		row := []string{
			a.Controller.Key, a.Controller.Name, a.Controller.Email, a.Controller.How, strconv.FormatBool(a.Declared),
			ref, date, a.Processor.Name, a.Processor.Email,
			join(keysOf(a.Processing, func(d Described) string { return d.Key })),
			join(keysOf(a.DataCategories, func(d Described) string { return d.Key })),
			join(recorded), join(a.Datasets), join(a.Transfers), join(a.SecurityMeasures),
			strconv.FormatInt(a.Events, 10), a.Period.From, a.Period.To,
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
