package exercise

import (
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/mendkit/mend/internal/keys"
	"github.com/mendkit/mend/trust"
)

// Snapshot is everything a [Scheduler] may look at: a read-only, plain-data
// summary of one journey at one instant. The engine builds it from the
// journey fold (trust.Journey), the agreements, the progress signals and the
// [Assignments] fold; none of it needs a replay of the history:
//
//	s := exercise.Snapshot{
//		Now: now, TimeZone: rel.TimeZone, Seed: seed,
//		Relationship: rel.ID, Partners: [2]trust.PartnerID{rel.Partners[0].ID, rel.Partners[1].ID},
//		Profile: j.Profile().Key, Phase: j.Phase().Key, PhaseSince: j.PhaseSince(),
//		Gates: gates,                        // j.Gates(now), safety gates merged (see Gates)
//		JointWorkPaused: j.JointWorkPaused(),
//		Alignment: j.Alignment(), SteppedBack: steppedBack,
//		BreachOngoing: ongoing,
//		Occurrences: occurrences,            // from the agreements' due ritual occurrences
//		History: a.History(), Recent: a.Recent(now),
//		Signals: exercise.Signals{...},      // from progress
//		Catalogue: cat,
//	}
//
// Read-only means that writing to a snapshot changes nothing in the
// journey. A snapshot is the scheduler's to keep: every slice and map in one
// the engine hands out is new, shared with nothing the engine holds or hands
// to anyone else, so a scheduler may keep it, change it or hand it on, and
// the engine's state and later plans are unaffected.
type Snapshot struct {
	// Now is the instant the plan is made for, in UTC.
	Now time.Time `json:"now"`
	// TimeZone is the relationship's IANA time zone; local times (quiet
	// hours, evenings, the day boundary) are read in it.
	TimeZone string `json:"time_zone"`
	// Location is TimeZone already loaded; optional (loaded from TimeZone when nil).
	Location *time.Location `json:"-"`
	// Seed is the randomness a scheduler may use, for reproducible plans.
	Seed uint64 `json:"seed"`
	// Relationship is the couple's journey.
	Relationship trust.RelationshipID `json:"relationship"`
	// Partners are the two partners, in relationship order.
	Partners [2]trust.PartnerID `json:"partners"`
	// Profile is the key of the journey's protocol profile.
	Profile string `json:"profile"`
	// Phase is the key of the current phase.
	Phase string `json:"phase"`
	// PhaseSince is when the current phase began.
	PhaseSince time.Time `json:"phase_since"`
	// Gates are the gates to the next phase. The engine merges safety gates
	// into "not_paused", as trust.Journey.View does for a partner who did not
	// raise the flag, so that nothing a scheduler writes can hint at a flag.
	Gates []GateStatus `json:"gates,omitempty"`
	// JointWorkPaused is true while joint work is paused, for whatever
	// reason; it never says why. While it is true only solo exercises are proposed.
	JointWorkPaused bool `json:"joint_work_paused"`
	// Alignment is whether the partners' commitment answers agree.
	Alignment trust.Alignment `json:"alignment"`
	// SteppedBack lists partners who have stepped back from the work for now;
	// the other partner gets a solo track.
	SteppedBack []trust.PartnerID `json:"stepped_back,omitempty"`
	// BreachOngoing is true while a recorded breach is still going on.
	BreachOngoing bool `json:"breach_ongoing"`
	// Occurrences are the agreements' ritual occurrences due soon (the engine
	// passes those starting within the coming week, and any still running).
	Occurrences []Occurrence `json:"occurrences,omitempty"`
	// History summarises every exercise ever proposed, by exercise key.
	History map[string]History `json:"history,omitempty"`
	// Recent lists every open assignment and the recently closed ones.
	Recent []AssignmentSummary `json:"recent,omitempty"`
	// Signals are progress signals.
	Signals Signals `json:"signals"`
	// Catalogue is the catalogue to choose from; nil means [DefaultCatalogue].
	// It is shared, not copied: a [Catalogue] never changes once loaded.
	Catalogue *Catalogue `json:"-"`
}

// GateStatus is one phase gate and whether it is met.
type GateStatus struct {
	// Kind is the gate's kind.
	Kind trust.GateKind `json:"kind"`
	// Met is whether it holds.
	Met bool `json:"met"`
	// Why explains the gate, in the profile's words.
	Why string `json:"why,omitempty"`
}

// GatesFrom converts gate results of trust.Journey.Gates into gate statuses,
// merging every safety gate into one "not_paused" status, so that a
// snapshot never tells a scheduler (or anyone who reads its reasons) about a
// safety flag.
func GatesFrom(results []trust.GateResult, jointWorkPaused bool) []GateStatus {
	out := make([]GateStatus, 0, len(results))
	merged := false
	for _, r := range results {
		g := GateStatus{Kind: r.Gate.Kind, Met: r.Met, Why: r.Gate.Why}
		if g.Kind == trust.GateNoSafetyFlag || g.Kind == trust.GateNotPaused {
			if merged {
				continue
			}
			merged = true
			g = GateStatus{Kind: trust.GateNotPaused, Met: !jointWorkPaused}
		}
		out = append(out, g)
	}
	return out
}

// Occurrence is one due occurrence of an agreement's ritual, e.g. the weekly
// check-in on Sunday at 19:00 local time.
type Occurrence struct {
	// Agreement is the agreement's ID.
	Agreement uuid.UUID `json:"agreement"`
	// AgreementTitle names the agreement, for the reason text.
	AgreementTitle string `json:"agreement_title,omitempty"`
	// Term is the key of the agreement term.
	Term string `json:"term"`
	// Ritual is what the term asks for, e.g. "weekly_checkin", "date_night",
	// "daily_reunion", "daily_appreciation": an exercise with the ritual in
	// [Exercise.Rituals] carries it out.
	Ritual string `json:"ritual"`
	// Start is when the occurrence begins, in UTC.
	Start time.Time `json:"start"`
	// End is when it stops being due, in UTC; zero means the end of the local day of Start.
	End time.Time `json:"end,omitzero"`
}

// History summarises the assignments of one exercise. The
// [Assignments] fold keeps it up to date event by event.
type History struct {
	// Exercise is the exercise key.
	Exercise string `json:"exercise"`
	// Proposed counts the assignments proposed.
	Proposed int `json:"proposed"`
	// Completed counts the assignments every participant completed.
	Completed int `json:"completed"`
	// Skipped counts the assignments skipped.
	Skipped int `json:"skipped"`
	// Expired counts the assignments that expired.
	Expired int `json:"expired"`
	// LastProposed is when it was last proposed.
	LastProposed time.Time `json:"last_proposed,omitzero"`
	// LastCompleted is when an assignment of it was last completed.
	LastCompleted time.Time `json:"last_completed,omitzero"`
	// Ratings counts the outcome ratings given.
	Ratings int `json:"ratings"`
	// RatingSum adds the ratings up.
	RatingSum int `json:"rating_sum"`
	// Helpful counts completed assignments whose mean rating was at least [HelpfulRating].
	Helpful int `json:"helpful"`
	// HelpfulStreak counts the latest completed assignments in a row that
	// were helpful; an unhelpful completion resets it, a skip or expiry does not.
	HelpfulStreak int `json:"helpful_streak"`
	// CompletedBy lists the partners who have completed it.
	CompletedBy []trust.PartnerID `json:"completed_by,omitempty"`
}

// MeanRating returns the mean outcome rating, or 0 without ratings.
func (h History) MeanRating() float64 {
	if h.Ratings == 0 {
		return 0
	}
	return float64(h.RatingSum) / float64(h.Ratings)
}

// AssignmentSummary is an assignment as a scheduler sees it.
type AssignmentSummary struct {
	// ID identifies the assignment.
	ID AssignmentID `json:"id"`
	// Exercise is the exercise key.
	Exercise string `json:"exercise"`
	// Participants are who does it.
	Participants []trust.PartnerID `json:"participants"`
	// Status is where it is in its life.
	Status Status `json:"status"`
	// DueStart is the start of the due window, in UTC.
	DueStart time.Time `json:"due_start"`
	// DueEnd is the end of the due window, in UTC.
	DueEnd time.Time `json:"due_end"`
	// Scheduler names the scheduler that proposed it.
	Scheduler string `json:"scheduler"`
	// Term is the agreement term it carries out, if any.
	Term string `json:"term,omitempty"`
	// ClosedAt is when it was completed, skipped or expired.
	ClosedAt time.Time `json:"closed_at,omitzero"`
}

// Signals are progress signals the engine takes from the progress package.
type Signals struct {
	// Adherence is the share, from 0 to 1, of recent assignments the couple
	// completed; nil means unknown, and the adaptive scheduler then works it
	// out from Recent.
	Adherence *float64 `json:"adherence,omitempty"`
	// LastSetback is when the latest setback was detected or recorded.
	LastSetback time.Time `json:"last_setback,omitzero"`
	// Setbacks counts setbacks so far.
	Setbacks int `json:"setbacks"`
}

// Validate checks that the snapshot can be planned from.
func (s Snapshot) Validate() error {
	switch {
	case s.Now.IsZero():
		return invalid("now", "is required")
	case s.Partners[0].IsZero() || s.Partners[1].IsZero():
		return invalid("partners", "both partners are required")
	case s.Partners[0] == s.Partners[1]:
		return invalid("partners", "the two partners must be different people")
	case !keys.Is(s.Profile):
		return invalid("profile", "%q is not a profile key", s.Profile)
	case !keys.Is(s.Phase):
		return invalid("phase", "%q is not a phase key", s.Phase)
	}
	if _, err := s.location(); err != nil {
		return err
	}
	for i, p := range s.SteppedBack {
		if p != s.Partners[0] && p != s.Partners[1] {
			return invalid("stepped_back."+strconv.Itoa(i), "%s is not a partner", p)
		}
	}
	if a := s.Signals.Adherence; a != nil && (*a < 0 || *a > 1) {
		return invalid("signals.adherence", "must be between 0 and 1")
	}
	for i, o := range s.Occurrences {
		at := "occurrences." + strconv.Itoa(i)
		switch {
		case o.Agreement == uuid.Nil:
			return invalid(at+".agreement", "is required")
		case o.Start.IsZero():
			return invalid(at+".start", "is required")
		case !o.End.IsZero() && !o.End.After(o.Start):
			return invalid(at+".end", "must be after start")
		case !keys.IsSnake(o.Ritual, 40):
			return invalid(at+".ritual", "%q is not a ritual key", o.Ritual)
		}
	}
	return nil
}

// clone returns a copy of s that shares no slice, map or pointer with it.
func (s Snapshot) clone() Snapshot {
	s.Gates = slices.Clone(s.Gates)
	s.SteppedBack = slices.Clone(s.SteppedBack)
	s.Occurrences = slices.Clone(s.Occurrences)
	if s.History != nil {
		h := make(map[string]History, len(s.History))
		for k, v := range s.History {
			v.CompletedBy = slices.Clone(v.CompletedBy)
			h[k] = v
		}
		s.History = h
	}
	s.Recent = slices.Clone(s.Recent)
	for i := range s.Recent {
		s.Recent[i].Participants = slices.Clone(s.Recent[i].Participants)
	}
	if a := s.Signals.Adherence; a != nil {
		v := *a
		s.Signals.Adherence = &v
	}
	return s
}

// location returns the relationship's time zone: Location, or TimeZone
// loaded.
func (s *Snapshot) location() (*time.Location, error) {
	if s.Location != nil {
		return s.Location, nil
	}
	return trust.Relationship{TimeZone: s.TimeZone}.Location()
}

// catalogue returns the snapshot's catalogue, or the default one.
func (s *Snapshot) catalogue() *Catalogue {
	if s.Catalogue != nil {
		return s.Catalogue
	}
	return DefaultCatalogue()
}

// steppedBack reports whether p has stepped back.
func (s *Snapshot) steppedBack(p trust.PartnerID) bool { return slices.Contains(s.SteppedBack, p) }

// openFor reports whether an open assignment of the exercise exists for the
// same participants.
func (s *Snapshot) openFor(key string, participants []trust.PartnerID) bool {
	for i := range s.Recent {
		r := &s.Recent[i]
		if r.Exercise == key && !r.Status.Closed() && slices.Equal(r.Participants, participants) {
			return true
		}
	}
	return false
}

// adherence returns the known or derived adherence, and whether it is known.
func (s *Snapshot) adherence() (float64, bool) {
	if s.Signals.Adherence != nil {
		return *s.Signals.Adherence, true
	}
	done, closed := 0, 0
	since := s.Now.Add(-14 * 24 * time.Hour)
	for _, r := range s.Recent {
		if !r.Status.Closed() || r.ClosedAt.Before(since) {
			continue
		}
		closed++
		if r.Status == StatusCompleted {
			done++
		}
	}
	if closed < 3 {
		return 0, false
	}
	return float64(done) / float64(closed), true
}
