package web

import (
	"encoding/xml"
	"io"
	"math"
	"strings"
	"testing"
)

// svgCounts decodes an SVG as XML, failing on anything malformed, and counts
// its elements by "name.class" (and by name alone).
func svgCounts(t *testing.T, svg string) map[string]int {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(svg))
	dec.Strict = true
	counts := map[string]int{}
	depth := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, svg)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if depth == 0 && el.Name.Local != "svg" {
				t.Fatalf("root element is %s", el.Name.Local)
			}
			depth++
			counts[el.Name.Local]++
			for _, a := range el.Attr {
				if a.Name.Local == "class" {
					counts[el.Name.Local+"."+a.Value]++
				}
			}
		case xml.EndElement:
			depth--
		}
	}
	if depth != 0 {
		t.Fatalf("unbalanced elements: depth %d", depth)
	}
	return counts
}

func TestCharts(t *testing.T) {
	t.Parallel()
	months := []string{"2026-01", "2026-02", "2026-03", "2026-04"}
	long := []string{"marketing.communications.email", "essential.service.notifications.email", "sale_sharing"}
	cases := []struct {
		name  string
		draw  func(chart) string
		c     chart
		count string
		want  int
	}{
		{"bars, one per label, zero included", barChart,
			chart{ID: "a", Title: "Requests", Labels: months, Series: []series{{"Requests", []float64{3, 0, 7, 1}}}, Unit: "requests"},
			"rect.bar", 4},
		{"bars ignore extra series", barChart,
			chart{ID: "b", Title: "Two", Labels: months[:2], Series: []series{{"A", []float64{1, 2}}, {"B", []float64{5, 5}}}},
			"rect.bar", 2},
		{"bars without data", barChart, chart{ID: "c", Title: "Empty"}, "rect.bar", 0},
		{"stacks, one per label", stackedBarChart,
			chart{ID: "d", Title: "By type", Labels: months, Series: []series{{"access", []float64{1, 0, 2, 0}}, {"deletion", []float64{2, 0, 1, 4}}}},
			"g.stack", 4},
		{"segments only where a value is above zero", stackedBarChart,
			chart{ID: "e", Title: "By type", Labels: months, Series: []series{{"access", []float64{1, 0, 2, 0}}, {"deletion", []float64{2, 0, 1, 4}}}},
			"rect.segment", 5},
		{"long labels are turned, not dropped", stackedBarChart,
			chart{ID: "f", Title: "Consents <by scope> & \"more\"", Labels: long, Series: []series{{"granted", []float64{4, 1, 0}}, {"withdrawn", []float64{1, 0, 9}}}},
			"text", 3 + 2 + 5}, // labels, legend, ticks 0..10 by 2.5 → 0, 2.5, 5, 7.5, 10
		{"line points skip gaps", lineChart,
			chart{ID: "g", Title: "Median days", Labels: months, Series: []series{{"median", []float64{2.5, math.NaN(), 10, 4}}}, Unit: "days"},
			"circle.point", 3},
		{"one line per series", lineChart,
			chart{ID: "h", Title: "Consents", Labels: months, Series: []series{{"granted", []float64{1, 2, 3, 4}}, {"withdrawn", []float64{0, 1, 0, 1}}}},
			"path.line", 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			svg := c.draw(c.c)
			n := svgCounts(t, svg)
			if n[c.count] != c.want {
				t.Fatalf("%d %s, want %d\n%s", n[c.count], c.count, c.want, svg)
			}
			if n["svg"] != 1 || n["title"] < 1 || n["desc"] != 1 {
				t.Fatalf("svg %d, title %d, desc %d", n["svg"], n["title"], n["desc"])
			}
			if !strings.Contains(svg, `role="img"`) || !strings.Contains(svg, `aria-labelledby="`+c.c.ID+`-title `+c.c.ID+`-desc"`) {
				t.Fatalf("not labelled for assistive technology: %.200s", svg)
			}
		})
	}
}

func TestChartTextIsEscaped(t *testing.T) {
	t.Parallel()
	svg := stackedBarChart(chart{ID: "x", Title: `</title><script>alert(1)</script>`, Labels: []string{`a"b`, "<c>"},
		Series: []series{{"&", []float64{1, 2}}}})
	svgCounts(t, svg)
	if strings.Contains(svg, "<script>") {
		t.Fatal("markup in a title reached the SVG")
	}
}

func TestScale(t *testing.T) {
	t.Parallel()
	cases := []struct{ max, top, step float64 }{
		{0, 1, 1}, {1, 1, 1}, {3, 3, 1}, {7, 8, 2}, {10, 10, 2.5}, {38, 40, 10}, {101, 150, 50}, {0.4, 1, 1}, {1234, 1500, 500},
	}
	for _, c := range cases {
		if top, step := scale(c.max); top != c.top || step != c.step {
			t.Errorf("scale(%v) = %v, %v; want %v, %v", c.max, top, step, c.top, c.step)
		}
	}
}

func TestFigureHasTheDataTable(t *testing.T) {
	t.Parallel()
	c := chart{ID: "m", Title: "Median", Labels: []string{"Jan", "Feb"}, Series: []series{{"days", []float64{1.25, math.NaN()}}}}
	html := string(figure(lineChart(c), c))
	svgCounts(t, "<svg>"+html+"</svg>") // the whole figure is well-formed too
	for _, want := range []string{`<th scope="row">Jan</th><td>1.3</td>`, `<th scope="row">Feb</th><td>—</td>`, "<caption>Median: the data</caption>"} {
		if !strings.Contains(html, want) {
			t.Errorf("figure lacks %s", want)
		}
	}
}

func TestLabelsTurnOnlyWhenTheyDoNotFit(t *testing.T) {
	t.Parallel()
	short := barChart(chart{ID: "s", Title: "Short", Labels: []string{"2026-01", "2026-02"}, Series: []series{{"n", []float64{1, 2}}}})
	long := barChart(chart{ID: "l", Title: "Long", Labels: []string{"essential.service.notifications.email", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"},
		Series: []series{{"n", []float64{1, 2}}}})
	if strings.Contains(short, "rotate(-40") || !strings.Contains(long, "rotate(-40") {
		t.Fatal("labels turned when they fit, or not when they do not")
	}
	// Turned labels get room below the plot instead of running off it.
	if svgHeight(t, long) <= svgHeight(t, short) {
		t.Fatal("no room made for turned labels")
	}
}

func svgHeight(t *testing.T, svg string) float64 {
	t.Helper()
	var root struct {
		Height float64 `xml:"height,attr"`
	}
	if err := xml.Unmarshal([]byte(svg), &root); err != nil {
		t.Fatal(err)
	}
	return root.Height
}
