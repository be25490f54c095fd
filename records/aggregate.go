package records

import (
	"slices"
	"sort"

	"github.com/custos-privacy/custos/store"
)

// MinK is the smallest k Aggregate uses: a cell about one person is never
// published.
const MinK = 2

// AggregateReport is counts by category, purpose and month in which every
// cell of fewer than K distinct subjects is suppressed, so it can go to
// analytics without personal data. Cells and Totals count the company's
// own processing only; what it processes on behalf of controllers
// (Customer Content) is the controllers' to report, and is counted apart
// in ForControllers.
type AggregateReport struct {
	K      int             `json:"k"`
	Cells  []AggregateCell `json:"cells"`
	Totals []MonthTotal    `json:"totals"`
	// ForControllers is the processor's side, by controller: never added
	// into Cells or Totals. Nil when no such event was recorded.
	ForControllers *ControllerAggregate `json:"processed_for_controllers,omitempty"`
}

// ControllerAggregate is the aggregate of the events processed on behalf
// of controllers, suppressed with the same k.
type ControllerAggregate struct {
	// Label says what these counts are, for whoever reads the export.
	Label  string          `json:"label"`
	Cells  []AggregateCell `json:"cells"`
	Totals []MonthTotal    `json:"totals"`
}

// ForControllersLabel is ControllerAggregate.Label.
const ForControllersLabel = "Processed on behalf of controllers (Customer Content, GDPR Art. 28 / CCPA service provider): " +
	"not the company's own processing, and not included in cells or totals."

// AggregateCell is one category, purpose and month (and, for the
// processor's side, controller). When Suppressed, the counts are null.
type AggregateCell struct {
	Controller string `json:"controller,omitempty"`
	Category   string `json:"category"`
	Purpose    string `json:"purpose"`
	Month      string `json:"month"`
	Suppressed bool   `json:"suppressed"`
	Events     *int64 `json:"events"`
	Subjects   *int64 `json:"subjects"`
}

// MonthTotal sums the unsuppressed cells of a month, so suppressed counts
// cannot be recovered by subtraction. SubjectGroups is the sum of the
// cells' distinct subjects: one person in several cells counts in each.
type MonthTotal struct {
	Month           string `json:"month"`
	Events          int64  `json:"events"`
	SubjectGroups   int64  `json:"subject_groups"`
	Cells           int    `json:"cells"`
	SuppressedCells int    `json:"suppressed_cells"`
}

// Aggregate suppresses every cell with fewer than k distinct subjects. A k
// below MinK (2) is raised to MinK, not an error: a cell about one person
// is never published. Cells of the company's own processing are sorted by
// month, category and purpose, totals by month; cells processed for
// controllers go to ForControllers, sorted by month, controller, category
// and purpose.
func Aggregate(cells []store.Cell, k int) AggregateReport {
	k = max(k, MinK)
	var own, theirs []store.Cell
	for _, c := range cells {
		if c.Controller == "" {
			own = append(own, c)
		} else {
			theirs = append(theirs, c)
		}
	}
	out := AggregateReport{K: k}
	out.Cells, out.Totals = aggregate(own, k)
	if len(theirs) > 0 {
		out.ForControllers = &ControllerAggregate{Label: ForControllersLabel}
		out.ForControllers.Cells, out.ForControllers.Totals = aggregate(theirs, k)
	}
	return out
}

func aggregate(cells []store.Cell, k int) ([]AggregateCell, []MonthTotal) {
	outCells, totals := make([]AggregateCell, 0, len(cells)), []MonthTotal{}
	sorted := slices.Clone(cells)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		if a.Month != b.Month {
			return a.Month < b.Month
		}
		if a.Controller != b.Controller {
			return a.Controller < b.Controller
		}
		if a.Category != b.Category {
			return a.Category < b.Category
		}
		return a.Purpose < b.Purpose
	})
	for _, c := range sorted {
		ac := AggregateCell{Controller: c.Controller, Category: c.Category, Purpose: c.Purpose, Month: c.Month}
		if n := len(totals); n == 0 || totals[n-1].Month != c.Month {
			totals = append(totals, MonthTotal{Month: c.Month})
		}
		t := &totals[len(totals)-1]
		if c.Subjects < int64(k) {
			ac.Suppressed = true
			t.SuppressedCells++
		} else {
			events, subjects := c.Events, c.Subjects
			ac.Events, ac.Subjects = &events, &subjects
			t.Events += c.Events
			t.SubjectGroups += c.Subjects
			t.Cells++
		}
		outCells = append(outCells, ac)
	}
	return outCells, totals
}
