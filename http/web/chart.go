package web

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Charts are drawn here, in Go, as inline SVG: the console's CSP allows no
// scripts and no third-party resources, so a chart library in the browser is
// not an option, and an SVG in the page needs neither. Each chart carries its
// own <title> and <desc> for screen readers, and figure() puts the numbers
// beside it in a table, so nothing is conveyed by shape or colour alone.

// series is one named row of values, one per label. NaN marks a gap: no
// value for that label (a month without answered requests has no median).
type series struct {
	Name   string
	Values []float64
}

// chart is what every kind of chart draws.
type chart struct {
	// ID is unique on the page: it names the title and desc elements the
	// SVG is labelled by.
	ID     string
	Title  string
	Desc   string // summary read by screen readers; one is made when empty
	Labels []string
	Series []series
	// Unit names what the values count ("requests", "days").
	Unit string
}

// Geometry of every chart, in SVG user units; the page scales it down.
const (
	chartWidth   = 720
	chartHeight  = 300
	chartLeft    = 56
	chartRight   = 16
	chartBottom  = 36
	chartFont    = 12
	charWidth    = 6.6 // average glyph width at chartFont, for layout only
	legendHeight = 20
	maxBar       = 64 // a lone bar stays a bar, not a block
)

// chartColour draws on Okabe and Ito's palette, distinguishable with the
// common colour-vision deficiencies; the tables carry the numbers anyway.
func chartColour(i int) string {
	p := [...]string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#332288", "#999933", "#882255", "#000000"}
	return p[i%len(p)]
}

// lineDash tells series apart where colour cannot.
func lineDash(i int) string {
	d := [...]string{"", "7 4", "2 3", "9 3 2 3"}
	return d[i%len(d)]
}

func esc(s string) string { return template.HTMLEscapeString(s) }

// num prints a value as people read it: whole numbers bare, others to one
// decimal.
func num(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	v = math.Round(v*10) / 10
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// scale picks a round top and step for the value axis so that gridlines
// fall on numbers a reader can use.
func scale(peak float64) (top, step float64) {
	if !(peak > 0) {
		return 1, 1
	}
	raw := peak / 4
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step = mag * 10
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if raw <= m*mag {
			step = m * mag
			break
		}
	}
	if peak < 4 && step < 1 { // counts: no gridline at a half
		step = 1
	}
	return math.Ceil(peak/step) * step, step
}

// frame holds the layout of one chart once its labels and legend are known.
type frame struct {
	c           chart
	top, bottom float64 // plot area, in y
	band        float64 // width given to each label
	vmax, step  float64
	rotate      bool // labels too wide for their band are set at an angle
	height      float64
	legendRows  [][]int
}

func newFrame(c chart, peak float64) *frame {
	f := &frame{c: c}
	f.vmax, f.step = scale(peak)
	n := len(c.Labels)
	if n == 0 {
		n = 1
	}
	f.band = float64(chartWidth-chartLeft-chartRight) / float64(n)
	longest := 0
	for _, l := range c.Labels {
		longest = max(longest, len([]rune(l)))
	}
	bottom := float64(chartBottom)
	if float64(longest)*charWidth > f.band-4 {
		f.rotate = true
		// sin(40°) of the longest label, and room for its descent.
		bottom = math.Min(160, float64(longest)*charWidth*0.65+20)
	}
	// Legend items flow left to right and wrap.
	if len(c.Series) > 1 {
		x, row := float64(chartLeft), []int{}
		for i, s := range c.Series {
			w := 22 + float64(len([]rune(s.Name)))*charWidth + 14
			if x+w > chartWidth-chartRight && len(row) > 0 {
				f.legendRows = append(f.legendRows, row)
				x, row = chartLeft, nil
			}
			row = append(row, i)
			x += w
		}
		f.legendRows = append(f.legendRows, row)
	}
	f.top = 16 + float64(len(f.legendRows))*legendHeight
	f.height = chartHeight + float64(len(f.legendRows))*legendHeight + bottom - chartBottom
	f.bottom = f.height - bottom
	return f
}

func (f *frame) y(v float64) float64 { return f.bottom - v/f.vmax*(f.bottom-f.top) }

func (f *frame) x(i int) float64 { return chartLeft + f.band*float64(i) + f.band/2 }

// open writes the svg element, its title and description, the value axis
// with gridlines, the legend and the labels.
func (f *frame) open(b *strings.Builder) {
	id := esc(f.c.ID)
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="%s-title %s-desc" viewBox="0 0 %d %.0f" width="%d" height="%.0f" font-family="system-ui, sans-serif" font-size="%d">`,
		id, id, chartWidth, f.height, chartWidth, f.height, chartFont)
	fmt.Fprintf(b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, esc(f.c.Title), id, esc(f.desc()))
	b.WriteString(`<g class="axis" fill="#1a1a1a">`)
	for v := 0.0; v <= f.vmax+f.step/2; v += f.step {
		y, stroke := f.y(v), "#d0d0d0"
		if v == 0 {
			stroke = "#1a1a1a"
		}
		fmt.Fprintf(b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="%s" stroke-width="1"/>`,
			chartLeft, chartWidth-chartRight, y, y, stroke)
		fmt.Fprintf(b, `<text x="%d" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`, chartLeft-6, y, num(v))
	}
	if f.c.Unit != "" {
		fmt.Fprintf(b, `<text x="14" y="%.1f" text-anchor="middle" transform="rotate(-90 14 %.1f)">%s</text>`,
			(f.top+f.bottom)/2, (f.top+f.bottom)/2, esc(f.c.Unit))
	}
	for i, l := range f.c.Labels {
		x := f.x(i)
		if f.rotate {
			fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="end" transform="rotate(-40 %.1f %.1f)">%s</text>`,
				x, f.bottom+14, x, f.bottom+14, esc(l))
		} else {
			fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x, f.bottom+18, esc(l))
		}
	}
	b.WriteString(`</g>`)
	if len(f.legendRows) > 0 {
		b.WriteString(`<g class="legend">`)
		for r, row := range f.legendRows {
			x, y := float64(chartLeft), 8+float64(r)*legendHeight
			for _, i := range row {
				fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="14" height="14" fill="%s"/><text x="%.1f" y="%.1f" dominant-baseline="middle">%s</text>`,
					x, y, chartColour(i), x+20, y+7, esc(f.c.Series[i].Name))
				x += 22 + float64(len([]rune(f.c.Series[i].Name)))*charWidth + 14
			}
		}
		b.WriteString(`</g>`)
	}
}

// desc summarises the chart when the caller gave no description.
func (f *frame) desc() string {
	if f.c.Desc != "" {
		return f.c.Desc
	}
	if len(f.c.Labels) == 0 {
		return "No data."
	}
	names := make([]string, len(f.c.Series))
	for i, s := range f.c.Series {
		names[i] = s.Name
	}
	return fmt.Sprintf("%s for %d labels, from %s to %s; the table beside the chart holds every value.",
		strings.Join(names, ", "), len(f.c.Labels), f.c.Labels[0], f.c.Labels[len(f.c.Labels)-1])
}

func value(s series, i int) float64 {
	if i < len(s.Values) {
		return s.Values[i]
	}
	return math.NaN()
}

// barChart draws the first series as one bar per label; every label has a
// bar, a zero one included, so the bars and the labels always line up.
func barChart(c chart) string {
	if len(c.Series) == 0 {
		c.Series = []series{{}}
	}
	c.Series = c.Series[:1]
	top := 0.0
	for i := range c.Labels {
		if v := value(c.Series[0], i); v > top {
			top = v
		}
	}
	f := newFrame(c, top)
	var b strings.Builder
	f.open(&b)
	w := min(f.band*0.7, maxBar)
	for i, l := range c.Labels {
		v := value(c.Series[0], i)
		if math.IsNaN(v) || v < 0 {
			v = 0
		}
		y := f.y(v)
		fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %s %s</title></rect>`,
			f.x(i)-w/2, y, w, f.bottom-y, chartColour(0), esc(l), num(v), esc(c.Unit))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// stackedBarChart draws one bar per label made of one segment per series
// with a value above zero.
func stackedBarChart(c chart) string {
	top := 0.0
	for i := range c.Labels {
		sum := 0.0
		for _, s := range c.Series {
			if v := value(s, i); v > 0 {
				sum += v
			}
		}
		top = math.Max(top, sum)
	}
	f := newFrame(c, top)
	var b strings.Builder
	f.open(&b)
	w := min(f.band*0.7, maxBar)
	for i, l := range c.Labels {
		fmt.Fprintf(&b, `<g class="stack"><title>%s</title>`, esc(l))
		base := 0.0
		for k, s := range c.Series {
			v := value(s, i)
			if !(v > 0) {
				continue
			}
			y0, y1 := f.y(base), f.y(base+v)
			fmt.Fprintf(&b, `<rect class="segment" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" stroke="#fff" stroke-width="0.5"><title>%s, %s: %s %s</title></rect>`,
				f.x(i)-w/2, y1, w, y0-y1, chartColour(k), esc(l), esc(s.Name), num(v), esc(c.Unit))
			base += v
		}
		b.WriteString(`</g>`)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// lineChart draws each series as a line through its values, broken where a
// value is missing, with a marked point at every value.
func lineChart(c chart) string {
	top := 0.0
	for _, s := range c.Series {
		for i := range c.Labels {
			if v := value(s, i); v > top {
				top = v
			}
		}
	}
	f := newFrame(c, top)
	var b strings.Builder
	f.open(&b)
	for k, s := range c.Series {
		var d strings.Builder
		pen := false
		for i := range c.Labels {
			v := value(s, i)
			if math.IsNaN(v) {
				pen = false
				continue
			}
			cmd := "L"
			if !pen {
				cmd = "M"
			}
			fmt.Fprintf(&d, "%s%.1f %.1f ", cmd, f.x(i), f.y(v))
			pen = true
		}
		b.WriteString(`<g class="series">`)
		if d.Len() > 0 {
			fmt.Fprintf(&b, `<path class="line" d="%s" fill="none" stroke="%s" stroke-width="2.5"`, strings.TrimSpace(d.String()), chartColour(k))
			if dash := lineDash(k); dash != "" {
				fmt.Fprintf(&b, ` stroke-dasharray="%s"`, dash)
			}
			b.WriteString(`/>`)
		}
		for i, l := range c.Labels {
			v := value(s, i)
			if math.IsNaN(v) {
				continue
			}
			fmt.Fprintf(&b, `<circle class="point" cx="%.1f" cy="%.1f" r="4" fill="%s"><title>%s, %s: %s %s</title></circle>`,
				f.x(i), f.y(v), chartColour(k), esc(l), esc(s.Name), num(v), esc(c.Unit))
		}
		b.WriteString(`</g>`)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// figure puts a drawn chart in a figure with its caption and, beside it,
// the same numbers as a table for those who cannot see the chart or need
// the exact values.
func figure(svg string, c chart) template.HTML {
	var b strings.Builder
	fmt.Fprintf(&b, `<figure class="chart-figure" id="%s"><figcaption>%s</figcaption><div class="chart-box">`, esc(c.ID), esc(c.Title))
	b.WriteString(svg)
	b.WriteString(`</div><div class="table-box" role="region" aria-label="Chart data" tabindex="0"><table class="chart-data"><caption>`)
	b.WriteString(esc(c.Title))
	b.WriteString(`: the data</caption><thead><tr><th scope="col"></th>`)
	for _, s := range c.Series {
		fmt.Fprintf(&b, `<th scope="col">%s</th>`, esc(s.Name))
	}
	b.WriteString(`</tr></thead><tbody>`)
	for i, l := range c.Labels {
		fmt.Fprintf(&b, `<tr><th scope="row">%s</th>`, esc(l))
		for _, s := range c.Series {
			fmt.Fprintf(&b, `<td>%s</td>`, num(value(s, i)))
		}
		b.WriteString(`</tr>`)
	}
	if len(c.Labels) == 0 {
		fmt.Fprintf(&b, `<tr><td colspan="%d">No data.</td></tr>`, len(c.Series)+1)
	}
	b.WriteString(`</tbody></table></div></figure>`)
	// Every piece of text above went through esc, and the SVG is built the
	// same way.
	return template.HTML(b.String())
}
