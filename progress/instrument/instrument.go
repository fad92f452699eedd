package instrument

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/mendkit/mend/internal/check"
)

const pkg = "progress/instrument"

var idRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// Direction says which way a score is better.
type Direction string

// Directions.
const (
	// HigherIsBetter: a higher score means more of something good (satisfaction, trust).
	HigherIsBetter Direction = "higher_is_better"
	// HigherIsWorse: a higher score means more of something hard (distress, unforgiveness).
	HigherIsWorse Direction = "higher_is_worse"
)

// Values lists the directions.
func (Direction) Values() []string { return []string{"higher_is_better", "higher_is_worse"} }

// Aggregate says how item values combine into a score.
type Aggregate string

// Aggregates.
const (
	// Sum adds the keyed item values.
	Sum Aggregate = "sum"
	// Mean averages the keyed item values.
	Mean Aggregate = "mean"
)

// Values lists the aggregates.
func (Aggregate) Values() []string { return []string{"sum", "mean"} }

// MissingPolicy says what happens when items are skipped.
type MissingPolicy string

// Missing-data policies.
const (
	// RequireComplete: any skipped item leaves the score missing.
	RequireComplete MissingPolicy = "require_complete"
	// Prorate: with at least MinAnswered items answered, a sum is scaled up to
	// the full item count (the mean of the answered items times the count); a
	// mean is the mean of the answered items.
	Prorate MissingPolicy = "prorate"
)

// Values lists the policies.
func (MissingPolicy) Values() []string { return []string{"require_complete", "prorate"} }

// Kind says what an instrument is for.
type Kind string

// Kinds of instrument.
const (
	// Outcome instruments measure how the relationship is going; a partner
	// may share their answers.
	Outcome Kind = "outcome"
	// Screen instruments look for signs of individual distress. Their answers
	// are private to the partner who gave them, and they only ever route to a
	// suggestion of individual support.
	Screen Kind = "screen"
)

// Values lists the kinds.
func (Kind) Values() []string { return []string{"outcome", "screen"} }

// Scale is a response scale: the integer values Min..Max, optionally with an
// anchor label for each value.
type Scale struct {
	// Min is the lowest value.
	Min int `json:"min"`
	// Max is the highest value.
	Max int `json:"max"`
	// Anchors label the values from Min to Max; empty when the wording is supplied by the integrator.
	Anchors []string `json:"anchors,omitempty"`
}

// Validate checks the scale.
func (s Scale) Validate() error {
	if s.Max <= s.Min {
		return check.Invalid(pkg, "max", "must be greater than min")
	}
	if s.Max-s.Min > 100 {
		return check.Invalid(pkg, "max", "a scale has at most 101 points")
	}
	if len(s.Anchors) != 0 && len(s.Anchors) != s.Max-s.Min+1 {
		return check.Invalid(pkg, "anchors", "has %d labels for %d points", len(s.Anchors), s.Max-s.Min+1)
	}
	return nil
}

// Item is one question of an instrument.
type Item struct {
	// ID names the item within its instrument, e.g. "1" or "avoidance_3".
	ID string `json:"id"`
	// Text is the item's wording; empty for keys whose wording the integrator supplies.
	Text string `json:"text,omitempty"`
	// Reverse marks a reverse-keyed item: its value v scores as min+max-v.
	Reverse bool `json:"reverse,omitempty"`
	// Scale overrides the instrument's response scale for this item.
	Scale *Scale `json:"scale,omitempty"`
}

// Subscale is a named group of items scored on its own.
type Subscale struct {
	// ID names the subscale, e.g. "avoidance".
	ID string `json:"id"`
	// Title is a readable name.
	Title string `json:"title"`
	// Items lists the item IDs in the subscale.
	Items []string `json:"items"`
	// Aggregate is sum or mean.
	Aggregate Aggregate `json:"aggregate"`
	// Direction says which way the subscale is better.
	Direction Direction `json:"direction"`
}

// Range is the interval a score can take.
type Range struct {
	// Min is the lowest possible score.
	Min float64 `json:"min"`
	// Max is the highest possible score.
	Max float64 `json:"max"`
}

// Cutoff is a threshold published with an instrument. It is for
// professionals and for routing; mend never shows its label to a couple.
type Cutoff struct {
	// Score is the threshold.
	Score float64 `json:"score"`
	// AtOrAbove is true when the band starts at Score and goes up; false when
	// it is the scores below Score.
	AtOrAbove bool `json:"at_or_above"`
	// Label names the band for professionals.
	Label string `json:"label"`
	// Source cites where the cut-off was published.
	Source string `json:"source,omitempty"`
}

// Contains reports whether score falls in the cut-off's band.
func (c Cutoff) Contains(score float64) bool {
	if c.AtOrAbove {
		return score >= c.Score
	}
	return score < c.Score
}

// Licence says on what terms an instrument may be used.
type Licence struct {
	// Terms summarises the terms, e.g. "free for research and clinical use".
	Terms string `json:"terms"`
	// ItemTextIncluded is true when mend ships the item wording; false when
	// the integrator must supply wording they are entitled to use.
	ItemTextIncluded bool `json:"item_text_included"`
	// Note adds what an integrator should check before use.
	Note string `json:"note,omitempty"`
}

// Definition is a declarative self-report instrument.
type Definition struct {
	// ID names the instrument, e.g. "csi-4".
	ID string `json:"id"`
	// Version is the definition's version, e.g. "1".
	Version string `json:"version"`
	// Title is the instrument's name.
	Title string `json:"title"`
	// Kind is outcome or screen; screen answers are private.
	Kind Kind `json:"kind"`
	// Instructions introduce the items; empty when the integrator supplies wording.
	Instructions string `json:"instructions,omitempty"`
	// Scale is the default response scale of the items.
	Scale Scale `json:"scale"`
	// Items are the questions, in order.
	Items []Item `json:"items"`
	// Aggregate is how the total is computed: sum or mean.
	Aggregate Aggregate `json:"aggregate"`
	// Direction says which way the total is better.
	Direction Direction `json:"direction"`
	// Subscales are optional groups of items scored on their own.
	Subscales []Subscale `json:"subscales,omitempty"`
	// Missing is the missing-data policy.
	Missing MissingPolicy `json:"missing"`
	// MinAnswered is how many items must be answered under the prorate policy.
	MinAnswered int `json:"min_answered,omitempty"`
	// Range is the interval the total can take.
	Range Range `json:"range"`
	// Cutoffs are published thresholds of the total, for professionals.
	Cutoffs []Cutoff `json:"cutoffs,omitempty"`
	// Reliability is a stated reliability of the total (0..1) for the
	// Reliable Change Index; zero when none is stated.
	Reliability float64 `json:"reliability,omitempty"`
	// ReliabilitySource cites where Reliability comes from.
	ReliabilitySource string `json:"reliability_source,omitempty"`
	// Licence says on what terms the instrument may be used.
	Licence Licence `json:"licence"`
	// Citation cites the instrument.
	Citation string `json:"citation"`
}

// item returns the item with the given ID and its effective scale.
func (d Definition) item(id string) (Item, Scale, bool) {
	for _, it := range d.Items {
		if it.ID == id {
			s := d.Scale
			if it.Scale != nil {
				s = *it.Scale
			}
			return it, s, true
		}
	}
	return Item{}, Scale{}, false
}

// Validate checks the definition: IDs, scales, subscales naming its items,
// a range that matches the items, and the policies.
func (d Definition) Validate() error {
	switch {
	case !idRE.MatchString(d.ID):
		return check.Invalid(pkg, "id", "%q is not a lower-case instrument ID", d.ID)
	case strings.TrimSpace(d.Version) == "" || len(d.Version) > 20:
		return check.Invalid(pkg, "version", "is required (at most 20 characters)")
	case strings.TrimSpace(d.Title) == "" || len(d.Title) > 200:
		return check.Invalid(pkg, "title", "is required (at most 200 characters)")
	case !slices.Contains(d.Kind.Values(), string(d.Kind)):
		return check.Invalid(pkg, "kind", "%q is not outcome or screen", d.Kind)
	case !slices.Contains(d.Aggregate.Values(), string(d.Aggregate)):
		return check.Invalid(pkg, "aggregate", "%q is not sum or mean", d.Aggregate)
	case !slices.Contains(d.Direction.Values(), string(d.Direction)):
		return check.Invalid(pkg, "direction", "%q is not higher_is_better or higher_is_worse", d.Direction)
	case !slices.Contains(d.Missing.Values(), string(d.Missing)):
		return check.Invalid(pkg, "missing", "%q is not require_complete or prorate", d.Missing)
	case len(d.Items) == 0 || len(d.Items) > 200:
		return check.Invalid(pkg, "items", "needs 1 to 200 items")
	case d.Reliability < 0 || d.Reliability >= 1:
		return check.Invalid(pkg, "reliability", "must be in [0, 1)")
	case strings.TrimSpace(d.Citation) == "":
		return check.Invalid(pkg, "citation", "is required")
	case strings.TrimSpace(d.Licence.Terms) == "":
		return check.Invalid(pkg, "licence.terms", "is required")
	}
	if err := d.Scale.Validate(); err != nil {
		return check.Prefix("scale", err)
	}
	seen := map[string]bool{}
	var lo, hi float64
	for i, it := range d.Items {
		f := "items." + strconv.Itoa(i)
		if !idRE.MatchString(it.ID) {
			return check.Invalid(pkg, f+".id", "%q is not an item ID", it.ID)
		}
		if seen[it.ID] {
			return check.Invalid(pkg, f+".id", "%q is used twice", it.ID)
		}
		seen[it.ID] = true
		if it.Scale != nil {
			if err := it.Scale.Validate(); err != nil {
				return check.Prefix(f+".scale", err)
			}
		}
		if d.Licence.ItemTextIncluded && strings.TrimSpace(it.Text) == "" {
			return check.Invalid(pkg, f+".text", "is required when the licence says item text is included")
		}
		_, s, _ := d.item(it.ID)
		lo += float64(s.Min)
		hi += float64(s.Max)
	}
	if d.Aggregate == Mean {
		lo, hi = lo/float64(len(d.Items)), hi/float64(len(d.Items))
	}
	if !near(d.Range.Min, lo) || !near(d.Range.Max, hi) {
		return check.Invalid(pkg, "range", "is [%g, %g] but the items give [%g, %g]", d.Range.Min, d.Range.Max, lo, hi)
	}
	if d.Missing == Prorate && (d.MinAnswered < 1 || d.MinAnswered > len(d.Items)) {
		return check.Invalid(pkg, "min_answered", "must be between 1 and the item count under prorate")
	}
	subIDs := map[string]bool{}
	for i, s := range d.Subscales {
		f := "subscales." + strconv.Itoa(i)
		switch {
		case !idRE.MatchString(s.ID) || subIDs[s.ID]:
			return check.Invalid(pkg, f+".id", "%q is not a unique subscale ID", s.ID)
		case strings.TrimSpace(s.Title) == "":
			return check.Invalid(pkg, f+".title", "is required")
		case len(s.Items) == 0:
			return check.Invalid(pkg, f+".items", "needs at least one item")
		case !slices.Contains(s.Aggregate.Values(), string(s.Aggregate)):
			return check.Invalid(pkg, f+".aggregate", "%q is not sum or mean", s.Aggregate)
		case !slices.Contains(s.Direction.Values(), string(s.Direction)):
			return check.Invalid(pkg, f+".direction", "%q is not a direction", s.Direction)
		}
		subIDs[s.ID] = true
		for j, id := range s.Items {
			if !seen[id] {
				return check.Invalid(pkg, f+".items."+strconv.Itoa(j), "%q is not an item of %s", id, d.ID)
			}
		}
	}
	for i, c := range d.Cutoffs {
		if c.Score < d.Range.Min || c.Score > d.Range.Max {
			return check.Invalid(pkg, "cutoffs."+strconv.Itoa(i)+".score", "is outside the range")
		}
		if strings.TrimSpace(c.Label) == "" {
			return check.Invalid(pkg, "cutoffs."+strconv.Itoa(i)+".label", "is required")
		}
	}
	return nil
}

// Answer is one item's answer. A skipped item is simply left out.
type Answer struct {
	// Item is the item's ID.
	Item string `json:"item"`
	// Value is the chosen point of the item's scale.
	Value int `json:"value"`
}

// Response is one partner's answers to one instrument. Items may be skipped.
type Response struct {
	// Instrument is the instrument's ID.
	Instrument string `json:"instrument"`
	// Version is the definition version answered.
	Version string `json:"version"`
	// Answers are the answered items; skipped items are absent.
	Answers []Answer `json:"answers"`
}

// Validate checks the response's shape without its definition.
func (r Response) Validate() error {
	if !idRE.MatchString(r.Instrument) {
		return check.Invalid(pkg, "instrument", "%q is not an instrument ID", r.Instrument)
	}
	if strings.TrimSpace(r.Version) == "" || len(r.Version) > 20 {
		return check.Invalid(pkg, "version", "is required (at most 20 characters)")
	}
	if err := check.Text(pkg, "version", r.Version, 1, 20); err != nil {
		return err
	}
	if len(r.Answers) > 200 {
		return check.Invalid(pkg, "answers", "has more than 200 answers")
	}
	seen := map[string]bool{}
	for i, a := range r.Answers {
		if !idRE.MatchString(a.Item) {
			return check.Invalid(pkg, "answers."+strconv.Itoa(i)+".item", "%q is not an item ID", a.Item)
		}
		if seen[a.Item] {
			return check.Invalid(pkg, "answers."+strconv.Itoa(i)+".item", "%q is answered twice", a.Item)
		}
		seen[a.Item] = true
	}
	return nil
}

// ValidateResponse checks a response against the definition: the right
// instrument and version, known items, values on each item's scale.
func (d Definition) ValidateResponse(r Response) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if r.Instrument != d.ID {
		return check.Invalid(pkg, "instrument", "is %q, not %q", r.Instrument, d.ID)
	}
	if r.Version != d.Version {
		return check.Invalid(pkg, "version", "is %q; %s is at version %q", r.Version, d.ID, d.Version)
	}
	for i, a := range r.Answers {
		_, s, ok := d.item(a.Item)
		if !ok {
			return check.Invalid(pkg, "answers."+strconv.Itoa(i)+".item", "%q is not an item of %s", a.Item, d.ID)
		}
		if a.Value < s.Min || a.Value > s.Max {
			return check.Invalid(pkg, "answers."+strconv.Itoa(i)+".value", "%d is outside %d..%d", a.Value, s.Min, s.Max)
		}
	}
	return nil
}

// SubscaleScore is one subscale's score.
type SubscaleScore struct {
	// Subscale is the subscale's ID.
	Subscale string `json:"subscale"`
	// Value is the score; absent when too many items were skipped.
	Value *float64 `json:"value,omitempty"`
	// Answered counts the subscale's answered items.
	Answered int `json:"answered"`
}

// Score is a scored response.
type Score struct {
	// Instrument is the instrument's ID.
	Instrument string `json:"instrument"`
	// Version is the definition version.
	Version string `json:"version"`
	// Total is the score; absent when the missing-data policy leaves it missing.
	Total *float64 `json:"total,omitempty"`
	// Answered counts the answered items.
	Answered int `json:"answered"`
	// Items is the instrument's item count.
	Items int `json:"items"`
	// Prorated is true when skipped items were filled in by prorating.
	Prorated bool `json:"prorated,omitempty"`
	// Subscales are the subscale scores, in definition order.
	Subscales []SubscaleScore `json:"subscales,omitempty"`
}

// Score validates and scores a response. Reverse-keyed items score as
// min+max-value; skipped items follow the missing-data policy, which applies
// to each subscale as it does to the total (MinAnswered scaled to the subscale's size).
func (d Definition) Score(r Response) (Score, error) {
	if err := d.ValidateResponse(r); err != nil {
		return Score{}, err
	}
	keyed := make(map[string]float64, len(r.Answers))
	for _, a := range r.Answers {
		it, s, _ := d.item(a.Item)
		v := a.Value
		if it.Reverse {
			v = s.Min + s.Max - v
		}
		keyed[a.Item] = float64(v)
	}
	all := make([]string, len(d.Items))
	for i, it := range d.Items {
		all[i] = it.ID
	}
	total, answered, prorated := d.aggregate(all, keyed, d.Aggregate, d.MinAnswered)
	out := Score{Instrument: d.ID, Version: d.Version, Total: total, Answered: answered, Items: len(d.Items), Prorated: prorated}
	for _, s := range d.Subscales {
		min := 0
		if d.Missing == Prorate {
			min = int(math.Ceil(float64(d.MinAnswered) * float64(len(s.Items)) / float64(len(d.Items))))
			if min < 1 {
				min = 1
			}
		}
		v, n, _ := d.aggregate(s.Items, keyed, s.Aggregate, min)
		out.Subscales = append(out.Subscales, SubscaleScore{Subscale: s.ID, Value: v, Answered: n})
	}
	return out, nil
}

func (d Definition) aggregate(items []string, keyed map[string]float64, agg Aggregate, minAnswered int) (*float64, int, bool) {
	var sum float64
	n := 0
	for _, id := range items {
		if v, ok := keyed[id]; ok {
			sum += v
			n++
		}
	}
	complete := n == len(items)
	switch {
	case complete:
	case d.Missing == Prorate && n >= minAnswered && n > 0:
	default:
		return nil, n, false
	}
	v := sum
	if agg == Mean {
		v = sum / float64(n)
	} else if !complete {
		v = sum / float64(n) * float64(len(items))
	}
	v = round(v, 4)
	return &v, n, !complete
}

// Bands returns the cut-off bands a total falls in. They are for
// professionals and for routing only; never show their labels to a couple.
func (d Definition) Bands(total float64) []Cutoff {
	var out []Cutoff
	for _, c := range d.Cutoffs {
		if c.Contains(total) {
			out = append(out, c)
		}
	}
	return out
}

// ChangeDirection classifies a reliable change.
type ChangeDirection string

// Classes of change.
const (
	// Improved: the change is reliable and in the better direction.
	Improved ChangeDirection = "improved"
	// Worsened: the change is reliable and in the worse direction.
	Worsened ChangeDirection = "worsened"
	// NoReliableChange: the change is within measurement error.
	NoReliableChange ChangeDirection = "no_reliable_change"
)

// Values lists the classes.
func (ChangeDirection) Values() []string {
	return []string{"improved", "worsened", "no_reliable_change"}
}

// Change is a Reliable Change Index and what it means.
type Change struct {
	// Before is the earlier score.
	Before float64 `json:"before"`
	// After is the later score.
	After float64 `json:"after"`
	// Index is (after - before) / SEdiff.
	Index float64 `json:"index"`
	// Direction is improved, worsened or no_reliable_change.
	Direction ChangeDirection `json:"direction"`
}

// RCIThreshold is the two-tailed 95% criterion of the Reliable Change Index.
const RCIThreshold = 1.96

// ReliableChange computes the Reliable Change Index of Jacobson & Truax
// (1991): SE = sd·√(1−reliability), SEdiff = √2·SE, RCI = (after−before)/SEdiff.
// A change is reliable when |RCI| > 1.96. dir says which way is better. It
// returns false when sd is not positive or reliability is not in [0, 1).
func ReliableChange(before, after, sd, reliability float64, dir Direction) (Change, bool) {
	if !(sd > 0) || reliability < 0 || reliability >= 1 || math.IsNaN(before) || math.IsNaN(after) {
		return Change{}, false
	}
	sediff := math.Sqrt2 * sd * math.Sqrt(1-reliability)
	idx := (after - before) / sediff
	c := Change{Before: round(before, 4), After: round(after, 4), Index: round(idx, 3), Direction: NoReliableChange}
	if math.Abs(idx) > RCIThreshold {
		better := idx > 0
		if dir == HigherIsWorse {
			better = !better
		}
		c.Direction = Worsened
		if better {
			c.Direction = Improved
		}
	}
	return c, true
}

func round(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
