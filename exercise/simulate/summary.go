package simulate

import (
	"strconv"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

// PanelRow is one partner's week: a row of the per-week panel (panel.csv),
// in long format, one row per couple, partner and week, whether or not the
// partner did anything that week. Every value is computed from the
// exported events alone, so a researcher can recompute it from the JSON Lines.
type PanelRow struct {
	// Couple is the couple's pseudonym.
	Couple string `json:"couple" jsonschema:"pattern=^c-[0-9a-f]{16}$"`
	// Partner is the partner's pseudonym.
	Partner string `json:"partner" jsonschema:"pattern=^p-[0-9a-f]{16}$"`
	// Role is the partner's part in the first breach.
	Role Role `json:"role"`
	// Week is the week since the journey's start, from 0 (days 0–6).
	Week int `json:"week" jsonschema:"minimum=0" unit:"weeks since start"`
	// CheckIns is how many check-ins the partner recorded that week.
	CheckIns int `json:"checkins" jsonschema:"minimum=0" unit:"count"`
	// Trust is the mean trust rating of the week's check-ins, 0–10; empty when none rated it.
	Trust *float64 `json:"trust,omitempty" jsonschema:"minimum=0,maximum=10" unit:"rating 0-10"`
	// Closeness is the mean closeness rating of the week's check-ins, 0–10; empty when none rated it.
	Closeness *float64 `json:"closeness,omitempty" jsonschema:"minimum=0,maximum=10" unit:"rating 0-10"`
	// Safe is the mean felt-safety rating of the week's check-ins, 0–10; empty when none rated it.
	Safe *float64 `json:"safe,omitempty" jsonschema:"minimum=0,maximum=10" unit:"rating 0-10"`
	// Phase is the journey's phase at the end of the week.
	Phase string `json:"phase" jsonschema:"pattern=^[a-z][a-z0-9]*([_-][a-z0-9]+)*$"`
	// PhaseIndex is the phase's 0-based position in the profile.
	PhaseIndex int `json:"phase_index" jsonschema:"minimum=0" unit:"index"`
	// Completed is how many assignments the partner completed that week.
	Completed int `json:"completed" jsonschema:"minimum=0" unit:"count"`
	// Skipped is how many assignments the partner skipped that week.
	Skipped int `json:"skipped" jsonschema:"minimum=0" unit:"count"`
	// Expired is how many of the partner's assignments expired that week.
	Expired int `json:"expired" jsonschema:"minimum=0" unit:"count"`
	// Adherence is completed / (completed + skipped + expired) that week; empty when all three are zero.
	Adherence *float64 `json:"adherence,omitempty" jsonschema:"minimum=0,maximum=1" unit:"proportion"`
	// Setbacks counts the week's setbacks as the engine counts them: the couple's new disclosures, regressions and broken terms, plus this partner's check-ins at least 2 points below their smoothed trust.
	Setbacks int `json:"setbacks" jsonschema:"minimum=0" unit:"count"`
}

// CoupleSummary is one couple's row of the per-couple summary
// (couples.csv). Partner 1 ("_p1") is the first partner of the
// relationship, who in simulated data caused the first breach; partner 2
// ("_p2") is the other. The drawn traits are the simulation's ground truth.
type CoupleSummary struct {
	// Couple is the couple's pseudonym.
	Couple string `json:"couple" jsonschema:"pattern=^c-[0-9a-f]{16}$"`
	// PartnerP1 and PartnerP2 are the partners' pseudonyms.
	PartnerP1 string `json:"partner_p1" jsonschema:"pattern=^p-[0-9a-f]{16}$"`
	// PartnerP1 and PartnerP2 are the partners' pseudonyms.
	PartnerP2 string `json:"partner_p2" jsonschema:"pattern=^p-[0-9a-f]{16}$"`
	// RoleP1 and RoleP2 are their roles in the first breach.
	RoleP1 Role `json:"role_p1"`
	// RoleP1 and RoleP2 are their roles in the first breach.
	RoleP2 Role `json:"role_p2"`
	// Profile is the protocol profile key.
	Profile string `json:"profile"`
	// Scheduler is the scheduler the couple's engine ran.
	Scheduler string `json:"scheduler"`
	// BreachKind, Severity and Discovery describe the first breach.
	BreachKind string `json:"breach_kind"`
	// BreachKind, Severity and Discovery describe the first breach.
	Severity string `json:"severity"`
	// BreachKind, Severity and Discovery describe the first breach.
	Discovery string `json:"discovery"`
	// Mutual is 1 when both partners broke trust, else 0.
	Mutual int `json:"mutual" jsonschema:"minimum=0,maximum=1" unit:"0/1"`
	// Ongoing is 1 when the first breach was still going on at the start, else 0.
	Ongoing int `json:"ongoing" jsonschema:"minimum=0,maximum=1" unit:"0/1"`
	// Weeks is how many weeks the journey was followed.
	Weeks int `json:"weeks" jsonschema:"minimum=1" unit:"weeks"`
	// Events is how many events were exported for the couple.
	Events int `json:"events" jsonschema:"minimum=1" unit:"count"`
	// Breaches is how many breaches were recorded (the first and later disclosures).
	Breaches int `json:"breaches" jsonschema:"minimum=0" unit:"count"`
	// Advances and Regressions count phase changes.
	Advances int `json:"advances" jsonschema:"minimum=0" unit:"count"`
	// Advances and Regressions count phase changes.
	Regressions int `json:"regressions" jsonschema:"minimum=0" unit:"count"`
	// FinalPhase and FinalPhaseIndex are where the journey ended.
	FinalPhase string `json:"final_phase"`
	// FinalPhase and FinalPhaseIndex are where the journey ended.
	FinalPhaseIndex int `json:"final_phase_index" jsonschema:"minimum=0" unit:"index"`
	// Phases is how many phases the profile has.
	Phases int `json:"phases" jsonschema:"minimum=1" unit:"count"`
	// LastPhaseDay is the day the profile's last phase was first reached; empty if never.
	LastPhaseDay *int `json:"last_phase_day,omitempty" unit:"days since start"`
	// AckRounds is how many acknowledgements were given.
	AckRounds int `json:"ack_rounds" jsonschema:"minimum=0" unit:"count"`
	// AckAcceptedDay is the day an acknowledgement of the first breach was first accepted; empty if never.
	AckAcceptedDay *int `json:"ack_accepted_day,omitempty" unit:"days since start"`
	// NeedsRequests and NeedsAccepted count needs requests and those answered accepted or with a counter-offer.
	NeedsRequests int `json:"needs_requests" jsonschema:"minimum=0" unit:"count"`
	// NeedsRequests and NeedsAccepted count needs requests and those answered accepted or with a counter-offer.
	NeedsAccepted int `json:"needs_accepted" jsonschema:"minimum=0" unit:"count"`
	// AgreementDay is the day the first agreement came into force; empty if never.
	AgreementDay *int `json:"agreement_day,omitempty" unit:"days since start"`
	// Proposed, Completed, Skipped and Expired count assignments (Completed counts each partner's completion).
	Proposed int `json:"proposed" jsonschema:"minimum=0" unit:"count"`
	// Proposed, Completed, Skipped and Expired count assignments (Completed counts each partner's completion).
	Completed int `json:"completed" jsonschema:"minimum=0" unit:"count"`
	// Proposed, Completed, Skipped and Expired count assignments (Completed counts each partner's completion).
	Skipped int `json:"skipped" jsonschema:"minimum=0" unit:"count"`
	// Proposed, Completed, Skipped and Expired count assignments (Completed counts each partner's completion).
	Expired int `json:"expired" jsonschema:"minimum=0" unit:"count"`
	// Adherence is completed / (completed + skipped + expired) over both partners' shares; empty when all are zero.
	Adherence *float64 `json:"adherence,omitempty" jsonschema:"minimum=0,maximum=1" unit:"proportion"`
	// CheckInsP1 and CheckInsP2 count each partner's check-ins.
	CheckInsP1 int `json:"checkins_p1" jsonschema:"minimum=0" unit:"count"`
	// CheckInsP1 and CheckInsP2 count each partner's check-ins.
	CheckInsP2 int `json:"checkins_p2" jsonschema:"minimum=0" unit:"count"`
	// TrustStartP1 and TrustStartP2 are the means of each partner's first three trust ratings; empty without ratings.
	TrustStartP1 *float64 `json:"trust_start_p1,omitempty" jsonschema:"minimum=0,maximum=10" unit:"rating 0-10"`
	// TrustStartP1 and TrustStartP2 are the means of each partner's first three trust ratings; empty without ratings.
	TrustStartP2 *float64 `json:"trust_start_p2,omitempty" jsonschema:"minimum=0,maximum=10" unit:"rating 0-10"`
	// TrustEndP1 and TrustEndP2 are the means of each partner's last three trust ratings; empty without ratings.
	TrustEndP1 *float64 `json:"trust_end_p1,omitempty" jsonschema:"minimum=0,maximum=10" unit:"rating 0-10"`
	// TrustEndP1 and TrustEndP2 are the means of each partner's last three trust ratings; empty without ratings.
	TrustEndP2 *float64 `json:"trust_end_p2,omitempty" jsonschema:"minimum=0,maximum=10" unit:"rating 0-10"`
	// Setbacks is the sum of the panel's setbacks over the couple's weeks and partners, counting couple-level setbacks once.
	Setbacks int `json:"setbacks" jsonschema:"minimum=0" unit:"count"`
	// SafetyFlags is how many safety flags were raised; empty unless the dataset includes safety data.
	SafetyFlags *int `json:"safety_flags,omitempty" jsonschema:"minimum=0" unit:"count"`
	// EngagementP1 and EngagementP2 are the drawn engagement traits (ground truth).
	EngagementP1 float64 `json:"engagement_p1" jsonschema:"minimum=0,maximum=1" unit:"proportion"`
	// EngagementP1 and EngagementP2 are the drawn engagement traits (ground truth).
	EngagementP2 float64 `json:"engagement_p2" jsonschema:"minimum=0,maximum=1" unit:"proportion"`
	// HonestyP1 and HonestyP2 are the drawn honesty traits (ground truth).
	HonestyP1 float64 `json:"honesty_p1" jsonschema:"minimum=0,maximum=1" unit:"proportion"`
	// HonestyP1 and HonestyP2 are the drawn honesty traits (ground truth).
	HonestyP2 float64 `json:"honesty_p2" jsonschema:"minimum=0,maximum=1" unit:"proportion"`
	// AdherenceP1 and AdherenceP2 are the drawn adherence traits (ground truth).
	AdherenceP1 float64 `json:"adherence_p1" jsonschema:"minimum=0,maximum=1" unit:"proportion"`
	// AdherenceP1 and AdherenceP2 are the drawn adherence traits (ground truth).
	AdherenceP2 float64 `json:"adherence_p2" jsonschema:"minimum=0,maximum=1" unit:"proportion"`
	// SetbackPropensity is the drawn weekly setback probability (ground truth).
	SetbackPropensity float64 `json:"setback_propensity" jsonschema:"minimum=0,maximum=1" unit:"probability per week"`
}

type partnerWeek struct {
	checkins, completed, skipped, expired, setbacks int
	trust, close, safe                              [2]float64 // sum, n
}

// Summarise computes a couple's summary row and panel rows from its export
// (and, for the ground-truth columns and the scheduler, its draw). It reads
// only the exported events, so it is reproducible from the JSON Lines.
func Summarise(x Exported, d Draw, weeks int, includeSafety bool) (CoupleSummary, []PanelRow) {
	s := CoupleSummary{Couple: x.Couple, PartnerP1: x.Partners[0], PartnerP2: x.Partners[1], RoleP1: x.Roles[0], RoleP2: x.Roles[1],
		Scheduler: d.Scheduler, Weeks: weeks, Events: len(x.Events),
		EngagementP1: d.Engagement[0], EngagementP2: d.Engagement[1], HonestyP1: d.Honesty[0], HonestyP2: d.Honesty[1],
		AdherenceP1: d.Adherence[0], AdherenceP2: d.Adherence[1], SetbackPropensity: d.SetbackPropensity}
	if includeSafety {
		s.SafetyFlags = ptr(0)
	}
	pw := make([][2]partnerWeek, weeks)
	phaseAt := make([]int, weeks)
	coupleSetbacks := make([]int, weeks)
	var phases []string
	phase := 0
	level := [2]float64{}
	hasLevel := [2]bool{}
	participants := map[string][]string{}
	var trusts [2][]int
	firstBreach := ""
	who := func(p string) int {
		switch p {
		case x.Partners[0]:
			return 0
		case x.Partners[1]:
			return 1
		}
		return -1
	}
	week := func(day int) int { return max(0, min(weeks-1, day/7)) }
	lastWeek := 0
	for _, e := range x.Events {
		w := week(e.Day)
		for ; lastWeek < w; lastWeek++ {
			phaseAt[lastWeek] = phase
		}
		d := e.Data
		switch string(e.Type) {
		case trust.TypeJourneyStarted:
			phases = d.Phases
			s.Profile = d.Profile
		case trust.TypeBreachRecorded:
			s.Breaches++
			if firstBreach == "" {
				firstBreach = d.Breach
				s.BreachKind, s.Severity, s.Discovery = string(d.Kind), string(d.Severity), string(d.Discovery)
				s.Mutual, s.Ongoing = b01(d.Mutual), b01(d.Ongoing)
			} else {
				coupleSetbacks[w]++
			}
		case trust.TypePhaseChanged:
			for i, k := range phases {
				if k == d.To {
					phase = i
				}
			}
			if d.Direction == "regressed" {
				s.Regressions++
				coupleSetbacks[w]++
			} else {
				s.Advances++
			}
			if phase == len(phases)-1 && s.LastPhaseDay == nil {
				s.LastPhaseDay = ptr(e.Day)
			}
		case trust.TypeAcknowledgementGiven:
			s.AckRounds++
			participants[d.Acknowledgement] = []string{d.Breach}
		case trust.TypeAcknowledgementAnswered:
			if b := participants[d.Acknowledgement]; d.Response == "accepted" && len(b) == 1 && b[0] == firstBreach && s.AckAcceptedDay == nil {
				s.AckAcceptedDay = ptr(e.Day)
			}
		case trust.TypeNeedsRequested:
			s.NeedsRequests++
		case trust.TypeNeedsAnswered:
			if d.Reply == "accepted" || d.Reply == "counter_offer" {
				s.NeedsAccepted++
			}
		case trust.TypeSafetyFlagRaised:
			if s.SafetyFlags != nil {
				*s.SafetyFlags++
			}
		case agreement.TypeActivated:
			if s.AgreementDay == nil {
				s.AgreementDay = ptr(e.Day)
			}
		case agreement.TypeTermBroken:
			coupleSetbacks[w]++
		case exercise.TypeAssignmentProposed:
			s.Proposed++
			participants[d.Assignment] = d.Partners
		case exercise.TypeAssignmentCompleted:
			s.Completed++
			if i := who(d.Partner); i >= 0 {
				pw[w][i].completed++
			}
		case exercise.TypeAssignmentSkipped:
			s.Skipped++
			if i := who(d.Partner); i >= 0 {
				pw[w][i].skipped++
			}
		case exercise.TypeAssignmentExpired:
			for _, p := range participants[d.Assignment] {
				s.Expired++
				if i := who(p); i >= 0 {
					pw[w][i].expired++
				}
			}
		case progress.TypeCheckInRecorded:
			i := who(d.Partner)
			if i < 0 {
				continue
			}
			pw[w][i].checkins++
			add := func(acc *[2]float64, v *int) {
				if v != nil {
					acc[0] += float64(*v)
					acc[1]++
				}
			}
			add(&pw[w][i].trust, d.Trust)
			add(&pw[w][i].close, d.Close)
			add(&pw[w][i].safe, d.Safe)
			if d.Trust != nil {
				v := float64(*d.Trust)
				trusts[i] = append(trusts[i], *d.Trust)
				if hasLevel[i] && v <= level[i]-2 {
					pw[w][i].setbacks++
				}
				if !hasLevel[i] {
					level[i], hasLevel[i] = v, true
				}
				level[i] += 0.25 * (v - level[i])
			}
		}
	}
	for ; lastWeek < weeks; lastWeek++ {
		phaseAt[lastWeek] = phase
	}
	if len(phases) > 0 {
		s.FinalPhase, s.FinalPhaseIndex, s.Phases = phases[phase], phase, len(phases)
	}
	s.CheckInsP1, s.CheckInsP2 = count(pw, 0), count(pw, 1)
	s.TrustStartP1, s.TrustEndP1 = ends(trusts[0])
	s.TrustStartP2, s.TrustEndP2 = ends(trusts[1])
	s.Adherence = ratio(s.Completed, s.Completed+s.Skipped+s.Expired)
	rows := make([]PanelRow, 0, 2*weeks)
	for w := range weeks {
		s.Setbacks += coupleSetbacks[w]
		for i := range 2 {
			p := pw[w][i]
			s.Setbacks += p.setbacks
			r := PanelRow{Couple: x.Couple, Partner: x.Partners[i], Role: x.Roles[i], Week: w, CheckIns: p.checkins,
				Trust: mean(p.trust), Closeness: mean(p.close), Safe: mean(p.safe), PhaseIndex: phaseAt[w],
				Completed: p.completed, Skipped: p.skipped, Expired: p.expired,
				Adherence: ratio(p.completed, p.completed+p.skipped+p.expired), Setbacks: coupleSetbacks[w] + p.setbacks}
			if phaseAt[w] < len(phases) {
				r.Phase = phases[phaseAt[w]]
			}
			rows = append(rows, r)
		}
	}
	return s, rows
}

func b01(b *bool) int {
	if b != nil && *b {
		return 1
	}
	return 0
}

func count(pw [][2]partnerWeek, i int) int {
	n := 0
	for _, w := range pw {
		n += w[i].checkins
	}
	return n
}

func mean(acc [2]float64) *float64 {
	if acc[1] == 0 {
		return nil
	}
	return ptr(acc[0] / acc[1])
}

func ratio(a, b int) *float64 {
	if b == 0 {
		return nil
	}
	return ptr(float64(a) / float64(b))
}

func ends(v []int) (start, end *float64) {
	if len(v) == 0 {
		return nil, nil
	}
	k := min(3, len(v))
	a, b := 0, 0
	for i := range k {
		a += v[i]
		b += v[len(v)-1-i]
	}
	return ptr(float64(a) / float64(k)), ptr(float64(b) / float64(k))
}

// CSV encoding. The columns are the JSON names of the row types' fields, in
// declaration order; an absent optional value is an empty cell (NA in
// pandas and R). Numbers use a fixed format so the bytes are reproducible.

func appendInt(b []byte, v int) []byte { return strconv.AppendInt(b, int64(v), 10) }

func appendFloat(b []byte, v float64) []byte { return strconv.AppendFloat(b, v, 'f', 4, 64) }

func appendOptFloat(b []byte, v *float64) []byte {
	if v == nil {
		return b
	}
	return appendFloat(b, *v)
}

func appendOptInt(b []byte, v *int) []byte {
	if v == nil {
		return b
	}
	return appendInt(b, *v)
}

// appendCSV appends the row, comma-separated, ending in "\n". Values are
// pseudonyms, keys, enums and numbers: none needs quoting.
func (r PanelRow) appendCSV(b []byte) []byte {
	b = append(b, r.Couple...)
	b = append(b, ',')
	b = append(b, r.Partner...)
	b = append(b, ',')
	b = append(b, r.Role...)
	b = append(b, ',')
	b = appendInt(b, r.Week)
	b = append(b, ',')
	b = appendInt(b, r.CheckIns)
	b = append(b, ',')
	b = appendOptFloat(b, r.Trust)
	b = append(b, ',')
	b = appendOptFloat(b, r.Closeness)
	b = append(b, ',')
	b = appendOptFloat(b, r.Safe)
	b = append(b, ',')
	b = append(b, r.Phase...)
	b = append(b, ',')
	b = appendInt(b, r.PhaseIndex)
	b = append(b, ',')
	b = appendInt(b, r.Completed)
	b = append(b, ',')
	b = appendInt(b, r.Skipped)
	b = append(b, ',')
	b = appendInt(b, r.Expired)
	b = append(b, ',')
	b = appendOptFloat(b, r.Adherence)
	b = append(b, ',')
	b = appendInt(b, r.Setbacks)
	return append(b, '\n')
}

func (s CoupleSummary) appendCSV(b []byte) []byte {
	str := func(v string) { b = append(b, v...); b = append(b, ',') }
	num := func(v int) { b = appendInt(b, v); b = append(b, ',') }
	optNum := func(v *int) { b = appendOptInt(b, v); b = append(b, ',') }
	optF := func(v *float64) { b = appendOptFloat(b, v); b = append(b, ',') }
	f := func(v float64) { b = appendFloat(b, v); b = append(b, ',') }
	str(s.Couple)
	str(s.PartnerP1)
	str(s.PartnerP2)
	str(string(s.RoleP1))
	str(string(s.RoleP2))
	str(s.Profile)
	str(s.Scheduler)
	str(s.BreachKind)
	str(s.Severity)
	str(s.Discovery)
	num(s.Mutual)
	num(s.Ongoing)
	num(s.Weeks)
	num(s.Events)
	num(s.Breaches)
	num(s.Advances)
	num(s.Regressions)
	str(s.FinalPhase)
	num(s.FinalPhaseIndex)
	num(s.Phases)
	optNum(s.LastPhaseDay)
	num(s.AckRounds)
	optNum(s.AckAcceptedDay)
	num(s.NeedsRequests)
	num(s.NeedsAccepted)
	optNum(s.AgreementDay)
	num(s.Proposed)
	num(s.Completed)
	num(s.Skipped)
	num(s.Expired)
	optF(s.Adherence)
	num(s.CheckInsP1)
	num(s.CheckInsP2)
	optF(s.TrustStartP1)
	optF(s.TrustStartP2)
	optF(s.TrustEndP1)
	optF(s.TrustEndP2)
	num(s.Setbacks)
	optNum(s.SafetyFlags)
	f(s.EngagementP1)
	f(s.EngagementP2)
	f(s.HonestyP1)
	f(s.HonestyP2)
	f(s.AdherenceP1)
	f(s.AdherenceP2)
	b = appendFloat(b, s.SetbackPropensity)
	return append(b, '\n')
}
