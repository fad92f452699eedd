package progress

import (
	"time"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/progress/instrument"
	"github.com/mendkit/mend/trust"
)

// Analyzer is the incremental analysis of one journey. Feed it the journey's
// events in sequence order with [Analyzer.Observe], one at a time, as they
// are appended; ask it for the [Analysis] a viewer may see at any time with
// [Analyzer.Analysis], or for their [Report] with [Analyzer.Report]. It never
// needs to replay history.
//
// The analyzer keeps what analysis needs, not the events: per partner and per
// local day, the sums of the check-in ratings and the counts of activity,
// grouped by who may see them (owner, visibility, seal key), plus the few
// discrete events that mark setbacks, milestones and phases. When asked for a
// viewer it asks [trust.Access], which it keeps up to date from the same
// stream, which of those groups and events that viewer may see, so sealed
// answers revealed later and consents given or withdrawn later are honoured
// exactly as [trust.Filter] honours them. Observe is O(1) amortised; an
// analysis is O(d log d) in the number of check-in days d, independent of
// the number of events.
//
// An Analyzer is not safe for concurrent use.
type Analyzer struct {
	opts    Options
	access  *trust.Access
	rel     trust.RelationshipID
	start   *trust.JourneyStarted
	started time.Time
	loc     *time.Location
	lastSeq trust.Sequence

	buckets map[bucketKey]*bucket
	order   []bucketKey
	facts   []fact
}

// bucketKey groups entries that the same viewers may see.
type bucketKey struct {
	owner trust.PartnerID
	vis   trust.Visibility
	seal  string
}

type bucket struct {
	probe trust.Event
	index map[int]int
	days  []dayAgg
}

// dayAgg sums one local day of one bucket. Sums are commutative, so the order
// in which sealed entries become visible does not matter.
type dayAgg struct {
	day                int
	checkIns           int
	trustSum           float64
	trustN             int
	safeSum, closeSum  float64
	safeN, closeN      int
	completed, skipped int
	kept, missed       int
	first              time.Time
}

type factKind uint8

const (
	factBreach factKind = iota + 1
	factTermBroken
	factSafetyRaised
	factSafetyCleared
	factPhase
	factAckAnswer
	factAgreement
	factCommitment
	factScores
)

// fact is a discrete event kept whole, for the few event types that mark
// setbacks, milestones, phases and signs.
type fact struct {
	kind   factKind
	e      trust.Event
	day    int
	owner  trust.PartnerID
	scores []instrument.Score
}

// NewAnalyzer returns an empty analyzer with opts (zero fields take their
// defaults). It returns an error for invalid options.
func NewAnalyzer(opts Options) (*Analyzer, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	return &Analyzer{opts: opts.withDefaults(), access: trust.NewAccess(), buckets: map[bucketKey]*bucket{}, loc: time.UTC}, nil
}

// Observe folds one event in. Events must come in sequence order; an event
// whose sequence is not after the last one observed is a repeat and is
// ignored, so observing is idempotent. An event of another relationship is
// refused with an error and changes nothing.
func (a *Analyzer) Observe(e trust.Event) error {
	if !a.rel.IsZero() && e.Relationship != a.rel {
		return &trust.TransitionError{Pkg: pkgName, Event: e.Type, Cause: trust.ErrConflict,
			Reason: "event belongs to relationship " + e.Relationship.String() + ", not " + a.rel.String()}
	}
	if e.Sequence <= a.lastSeq && a.lastSeq != 0 {
		return nil
	}
	a.rel = e.Relationship
	a.lastSeq = e.Sequence
	a.access.Observe(e)
	switch d := e.Data.(type) {
	case *CheckIn:
		a.observeCheckIn(e, d)
	case *CheckInNote:
		a.observeScores(e, d.Partner, d.Answers)
	case *trust.JourneyStarted:
		if a.start == nil {
			a.start = d
			a.started = e.Time
			if loc, err := d.Relationship.Location(); err == nil {
				a.loc = loc
			}
		}
	case *trust.Breach:
		a.addFact(factBreach, e)
	case *trust.SafetyFlag:
		a.addFact(factSafetyRaised, e)
	case *trust.SafetyFlagCleared:
		a.addFact(factSafetyCleared, e)
	case *trust.PhaseChange:
		a.addFact(factPhase, e)
	case *trust.AcknowledgementAnswer:
		a.addFact(factAckAnswer, e)
	case *trust.Commitment:
		a.addFact(factCommitment, e)
	case Effort:
		a.observeEffort(e, d)
	default:
		// Agreement events are matched by type, so they count whether they
		// were decoded to their payloads or not.
		switch e.Type {
		case agreement.TypeTermBroken:
			a.addFact(factTermBroken, e)
		case agreement.TypeSigned, agreement.TypeActivated, agreement.TypeAmended, agreement.TypeRetired:
			a.addFact(factAgreement, e)
		case agreement.TypeOccurrenceKept, agreement.TypeOccurrenceMissed:
			a.observeOccurrence(e)
		}
	}
	return nil
}

// ObserveAll observes events in order.
func (a *Analyzer) ObserveAll(events []trust.Event) error {
	for _, e := range events {
		if err := a.Observe(e); err != nil {
			return err
		}
	}
	return nil
}

func (a *Analyzer) addFact(k factKind, e trust.Event) {
	owner, _ := e.Owner()
	a.facts = append(a.facts, fact{kind: k, e: e, day: dayOf(e.Time, a.loc), owner: owner})
}

func (a *Analyzer) observeScores(e trust.Event, p trust.PartnerID, rs []instrument.Response) {
	var scores []instrument.Score
	for _, r := range rs {
		d, ok := instrument.Lookup(r.Instrument)
		if !ok || d.Version != r.Version {
			continue
		}
		if s, err := d.Score(r); err == nil && s.Total != nil {
			scores = append(scores, s)
		}
	}
	if len(scores) > 0 {
		a.facts = append(a.facts, fact{kind: factScores, e: e, day: dayOf(e.Time, a.loc), owner: p, scores: scores})
	}
}

func (a *Analyzer) bucketFor(e trust.Event, owner trust.PartnerID) *bucket {
	k := bucketKey{owner: owner, vis: e.Visibility, seal: e.SealKey}
	b, ok := a.buckets[k]
	if !ok {
		probe := trust.Event{Relationship: e.Relationship, Visibility: e.Visibility, SealKey: e.SealKey, Type: TypeCheckInRecorded}
		if owner.IsZero() {
			probe.Actor = trust.SystemActor
			probe.Type = "progress.activity"
			probe.Data = &trust.RawPayload{Type: probe.Type}
		} else {
			probe.Actor = trust.PartnerActor(owner)
			probe.Data = &CheckIn{Partner: owner}
		}
		if e.Visibility == trust.Sealed { // a seal is derived from what is sealed
			probe.Type, probe.Data = e.Type, e.Data
		}
		b = &bucket{probe: probe, index: map[int]int{}}
		a.buckets[k] = b
		a.order = append(a.order, k)
	}
	return b
}

func (b *bucket) day(d int, t time.Time) *dayAgg {
	i, ok := b.index[d]
	if !ok {
		i = len(b.days)
		b.index[d] = i
		b.days = append(b.days, dayAgg{day: d, first: t})
	}
	return &b.days[i]
}

func (a *Analyzer) observeCheckIn(e trust.Event, c *CheckIn) {
	day, err := parseDay(c.Day)
	if err != nil {
		day = dayOf(e.Time, a.loc)
	}
	g := a.bucketFor(e, c.Partner).day(day, e.Time)
	g.checkIns++
	if e.Time.Before(g.first) {
		g.first = e.Time
	}
	if c.Trust != nil {
		g.trustSum += float64(*c.Trust)
		g.trustN++
	}
	if c.Safe != nil {
		g.safeSum += float64(*c.Safe)
		g.safeN++
	}
	if c.Close != nil {
		g.closeSum += float64(*c.Close)
		g.closeN++
	}
	if len(c.Answers) > 0 {
		a.observeScores(e, c.Partner, c.Answers)
	}
}

// observeOccurrence counts an agreement occurrence kept or missed for the
// partner who owns the event.
func (a *Analyzer) observeOccurrence(e trust.Event) {
	owner, _ := e.Owner()
	if e.Visibility != trust.Shared && owner.IsZero() {
		return
	}
	g := a.bucketFor(e, owner).day(dayOf(e.Time, a.loc), e.Time)
	if e.Type == agreement.TypeOccurrenceKept {
		g.kept++
	} else {
		g.missed++
	}
}

// observeEffort counts an exercise done or skipped for the partner it
// names; see [Effort] for when it counts.
func (a *Analyzer) observeEffort(e trust.Event, ef Effort) {
	p, done := ef.Effort()
	if owner, _ := e.Owner(); p.IsZero() || (e.Visibility != trust.Shared && owner != p) {
		return
	}
	g := a.bucketFor(e, p).day(dayOf(e.Time, a.loc), e.Time)
	if done {
		g.completed++
	} else {
		g.skipped++
	}
}
