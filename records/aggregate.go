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
// analytics without personal data.
type AggregateReport struct {
	K      int             `json:"k"`
	Cells  []AggregateCell `json:"cells"`
	Totals []MonthTotal    `json:"totals"`
}

// AggregateCell is one category, purpose and month. When Suppressed, the
// counts are null.
type AggregateCell struct {
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
// is never published. Cells are sorted by month, category and purpose;
// totals by month.
func Aggregate(cells []store.Cell, k int) AggregateReport {
	k = max(k, MinK)
	out := AggregateReport{K: k, Cells: make([]AggregateCell, 0, len(cells)), Totals: []MonthTotal{}}
	sorted := slices.Clone(cells)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		if a.Month != b.Month {
			return a.Month < b.Month
		}
		if a.Category != b.Category {
			return a.Category < b.Category
		}
		return a.Purpose < b.Purpose
	})
	for _, c := range sorted {
		ac := AggregateCell{Category: c.Category, Purpose: c.Purpose, Month: c.Month}
		if n := len(out.Totals); n == 0 || out.Totals[n-1].Month != c.Month {
			out.Totals = append(out.Totals, MonthTotal{Month: c.Month})
		}
		t := &out.Totals[len(out.Totals)-1]
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
		out.Cells = append(out.Cells, ac)
	}
	return out
}
