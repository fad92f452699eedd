package progress

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/mendkit/mend/internal/check"
	"github.com/mendkit/mend/trust"
)

// Disclaimer accompanies every set of recommendations.
const Disclaimer = "These suggestions are information, not a diagnosis. A professional's own assessment decides what fits."

// Support names a kind of professional help.
type Support string

// Kinds of support.
const (
	// SupportCrisis is immediate, confidential crisis support.
	SupportCrisis Support = "crisis_support"
	// SupportIndividual is individual therapy or counselling.
	SupportIndividual Support = "individual_therapy"
	// SupportCouples is couples therapy.
	SupportCouples Support = "couples_therapy"
	// SupportDiscernment is discernment counselling, for when partners lean different ways.
	SupportDiscernment Support = "discernment_counselling"
)

// Values lists the kinds.
func (Support) Values() []string {
	return []string{"crisis_support", "individual_therapy", "couples_therapy", "discernment_counselling"}
}

// Modality is a therapeutic approach.
type Modality string

// Modalities.
const (
	ModalityEFT           Modality = "eft"
	ModalityGottman       Modality = "gottman_method"
	ModalityCBT           Modality = "cbt"
	ModalityDBT           Modality = "dbt"
	ModalityMindfulness   Modality = "mindfulness"
	ModalityPsychodynamic Modality = "psychodynamic"
)

// Values lists the modalities.
func (Modality) Values() []string {
	return []string{"eft", "gottman_method", "cbt", "dbt", "mindfulness", "psychodynamic"}
}

// Reason is one reason for a recommendation: a stable code and a sentence a couple can read.
type Reason struct {
	// Code is stable, for apps: e.g. "safety_flag_active", "persistent_gap".
	Code string `json:"code"`
	// Text explains it in plain words.
	Text string `json:"text"`
}

// ModalitySuggestion is a modality that may fit, and why.
type ModalitySuggestion struct {
	// Modality is the approach.
	Modality Modality `json:"modality"`
	// Why says which signs it answers.
	Why string `json:"why"`
}

// Recommendation is one suggestion of professional help, with its reasons.
type Recommendation struct {
	// Support is the kind of help.
	Support Support `json:"support"`
	// For is the partner it is for, for individual and crisis support; absent for joint help.
	For *trust.PartnerID `json:"for,omitempty"`
	// Reasons say why.
	Reasons []Reason `json:"reasons"`
	// Modalities are approaches that may fit, with why, for couples therapy.
	Modalities []ModalitySuggestion `json:"modalities,omitempty"`
	// Resources are crisis resources for the locale, for crisis support.
	Resources []CrisisResource `json:"resources,omitempty"`
}

// CrisisResource is one crisis line or service. mend ships no phone numbers:
// the integrator supplies them per locale, kept current.
type CrisisResource struct {
	// Name is the service's name.
	Name string `json:"name"`
	// Phone is a number to call, if any.
	Phone string `json:"phone,omitempty"`
	// Text is how to reach it by text message, if any.
	Text string `json:"text,omitempty"`
	// URL is a web address, if any.
	URL string `json:"url,omitempty"`
	// Hours says when it is open, e.g. "24/7".
	Hours string `json:"hours,omitempty"`
}

// CrisisDirectory maps a BCP 47 locale ("en-GB", "en", or "" as the fallback)
// to its crisis resources. [CrisisDirectory.For] picks the most specific match.
type CrisisDirectory map[string][]CrisisResource

// For returns the resources for locale: the exact tag, then its language,
// then the "" entry.
func (c CrisisDirectory) For(locale string) []CrisisResource {
	for _, k := range []string{locale, strings.SplitN(locale, "-", 2)[0], ""} {
		if r, ok := c[k]; ok {
			return slices.Clone(r)
		}
	}
	return nil
}

// recommend suggests professional help from an analysis, with reasons, by
// the rules [Analyzer.Report] lists.
func recommend(an Analysis, opts ReportOptions) []Recommendation {
	s := an.Signs
	out := []Recommendation{}
	if len(s.SafetyFlagsActive) > 0 {
		for _, p := range s.SafetyFlagsActive {
			p := p
			out = append(out,
				Recommendation{Support: SupportCrisis, For: &p, Resources: opts.Crisis.For(opts.Locale), Reasons: []Reason{{
					Code: "safety_flag_active", Text: "You said you do not feel safe. Confidential support is there for you now, on your own, whenever you need it."}}},
				Recommendation{Support: SupportIndividual, For: &p, Reasons: []Reason{{
					Code: "safety_flag_active", Text: "While safety is a concern, individual support comes first and joint exercises stay paused; couples work is not suggested."}}})
		}
		return out
	}
	distressed := map[trust.PartnerID][]string{}
	var order []trust.PartnerID
	for _, d := range s.Distress {
		if _, ok := distressed[d.Partner]; !ok {
			order = append(order, d.Partner)
		}
		distressed[d.Partner] = append(distressed[d.Partner], d.Instrument)
	}
	for _, p := range order {
		p := p
		out = append(out, Recommendation{Support: SupportIndividual, For: &p, Reasons: []Reason{{Code: "individual_distress",
			Text: "Recent check-in answers suggest a lot of strain on you personally. Talking with an individual therapist first can make the joint work easier."}}})
	}
	if opts.JointWorkPaused {
		if p, ok := an.Viewer.Partner(); ok && len(distressed) == 0 {
			out = append(out, Recommendation{Support: SupportIndividual, For: &p, Reasons: []Reason{{Code: "joint_work_paused",
				Text: "Joint work is paused for now. Individual support can help you look after yourself in the meantime."}}})
		}
		return out
	}
	if s.CommitmentMixed || opts.Alignment == trust.AlignmentMixed {
		out = append(out, Recommendation{Support: SupportDiscernment, Reasons: []Reason{{Code: "commitment_mixed",
			Text: "You are not both sure you want to keep working on the relationship. Discernment counselling helps each of you get clear before deciding about couples therapy."}}})
		return out
	}
	var reasons []Reason
	if s.NoReliableImprovement {
		reasons = append(reasons, Reason{Code: "no_reliable_improvement", Text: "Trust has not clearly improved over the past weeks."})
	}
	if s.RepeatedSetbacks {
		reasons = append(reasons, Reason{Code: "repeated_setbacks", Text: "Several setbacks came close together."})
	}
	if s.PersistentGap {
		reasons = append(reasons, Reason{Code: "persistent_gap", Text: "Your trust levels have stayed far apart for weeks."})
	}
	if s.AcknowledgementNotYet {
		reasons = append(reasons, Reason{Code: "acknowledgement_not_yet", Text: "The acknowledgement of the breach has not yet landed for the partner who was hurt."})
	}
	if len(reasons) == 0 {
		return out
	}
	rec := Recommendation{Support: SupportCouples, Reasons: reasons}
	if s.BreachRecorded && (s.AcknowledgementNotYet || s.PersistentGap || s.NoReliableImprovement) {
		rec.Modalities = append(rec.Modalities, ModalitySuggestion{Modality: ModalityEFT,
			Why: "Emotionally focused therapy has a structured way of healing an attachment injury like the breach you are working on."})
	}
	if s.TermsBroken >= 2 || s.RepeatedSetbacks {
		rec.Modalities = append(rec.Modalities, ModalitySuggestion{Modality: ModalityGottman,
			Why: "The Gottman Method works on the patterns that keep conflict and broken agreements coming back."})
	}
	if s.TrustDrops >= 2 {
		rec.Modalities = append(rec.Modalities, ModalitySuggestion{Modality: ModalityCBT,
			Why: "Cognitive behavioural therapy helps with the thoughts and habits that can keep distrust going after sharp drops."})
	}
	if s.Volatility >= 2.5 {
		rec.Modalities = append(rec.Modalities, ModalitySuggestion{Modality: ModalityDBT,
			Why: "Dialectical behaviour therapy teaches skills for strong emotions that swing from day to day."})
		rec.Modalities = append(rec.Modalities, ModalitySuggestion{Modality: ModalityMindfulness,
			Why: "Mindfulness techniques help you notice and settle strong reactions before they take over."})
	}
	if s.Disclosures >= 2 {
		rec.Modalities = append(rec.Modalities, ModalitySuggestion{Modality: ModalityPsychodynamic,
			Why: "When the same kind of hurt keeps coming back, psychodynamic work looks at older patterns behind it."})
	}
	out = append(out, rec)
	return out
}

// Format is how sessions happen.
type Format string

// Formats.
const (
	InPerson Format = "in_person"
	Video    Format = "video"
)

// Values lists the formats.
func (Format) Values() []string { return []string{"in_person", "video"} }

// Professional is one professional listed in a [Directory].
type Professional struct {
	// ID identifies the professional.
	ID trust.ProfessionalID `json:"id"`
	// Name is how they are listed.
	Name string `json:"name"`
	// Offers lists the kinds of support they offer.
	Offers []Support `json:"offers"`
	// Modalities lists the approaches they practise.
	Modalities []Modality `json:"modalities,omitempty"`
	// Languages lists BCP 47 language tags they work in.
	Languages []string `json:"languages"`
	// Formats lists in_person and/or video.
	Formats []Format `json:"formats"`
	// NextAvailable is their next free slot.
	NextAvailable time.Time `json:"next_available"`
}

// MatchRequest says what a couple or partner is looking for.
type MatchRequest struct {
	// Support is the kind of help wanted.
	Support Support `json:"support"`
	// Modalities are preferred approaches; a match practises at least one, when any are given.
	Modalities []Modality `json:"modalities,omitempty"`
	// Language is a required BCP 47 language (matched on the language part), when given.
	Language string `json:"language,omitempty"`
	// Format is a required format, when given.
	Format Format `json:"format,omitempty"`
	// AvailableBy requires a free slot at or before it, when given.
	AvailableBy time.Time `json:"available_by,omitzero"`
	// Limit caps the matches; zero means 10.
	Limit int `json:"limit,omitempty"`
}

// Match is one professional matching a request, with how well.
type Match struct {
	// Professional is who matched.
	Professional Professional `json:"professional"`
	// Modalities are the requested modalities they practise.
	Modalities []Modality `json:"modalities,omitempty"`
}

// Directory matches a couple with professionals. Apps implement it over their
// own listings; [MemoryDirectory] is an in-memory implementation.
type Directory interface {
	// Match returns professionals for the request, best first.
	Match(ctx context.Context, req MatchRequest) ([]Match, error)
}

// MatchFor builds the request for a recommendation with the couple's preferences.
func MatchFor(r Recommendation, language string, format Format, by time.Time) MatchRequest {
	req := MatchRequest{Support: r.Support, Language: language, Format: format, AvailableBy: by}
	for _, m := range r.Modalities {
		req.Modalities = append(req.Modalities, m.Modality)
	}
	return req
}

// MemoryDirectory is a Directory over a fixed list of professionals. It is
// safe for concurrent use because it is never modified after construction.
type MemoryDirectory struct {
	pros []Professional
}

// NewMemoryDirectory returns a directory of pros, validating each listing.
func NewMemoryDirectory(pros ...Professional) (*MemoryDirectory, error) {
	for i, p := range pros {
		f := "professionals." + itoa(i)
		switch {
		case p.ID.IsZero():
			return nil, check.Invalid(pkgName, f+".id", "is required")
		case strings.TrimSpace(p.Name) == "":
			return nil, check.Invalid(pkgName, f+".name", "is required")
		case len(p.Offers) == 0:
			return nil, check.Invalid(pkgName, f+".offers", "needs at least one kind of support")
		case len(p.Formats) == 0:
			return nil, check.Invalid(pkgName, f+".formats", "needs at least one format")
		}
	}
	return &MemoryDirectory{pros: slices.Clone(pros)}, nil
}

// Match returns the professionals who offer the support, speak the language,
// work in the format and are free in time, ranked by how many requested
// modalities they practise, then by the earliest free slot, then by name.
func (d *MemoryDirectory) Match(ctx context.Context, req MatchRequest) ([]Match, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !slices.Contains(req.Support.Values(), string(req.Support)) {
		return nil, check.Invalid(pkgName, "support", "%q is not a kind of support", req.Support)
	}
	if req.Support == SupportCrisis {
		return nil, check.Invalid(pkgName, "support", "crisis support comes from the crisis resources, not a directory")
	}
	lang := strings.ToLower(strings.SplitN(req.Language, "-", 2)[0])
	var out []Match
	for _, p := range d.pros {
		if !slices.Contains(p.Offers, req.Support) {
			continue
		}
		if req.Format != "" && !slices.Contains(p.Formats, req.Format) {
			continue
		}
		if lang != "" && !slices.ContainsFunc(p.Languages, func(l string) bool {
			return strings.ToLower(strings.SplitN(l, "-", 2)[0]) == lang
		}) {
			continue
		}
		if !req.AvailableBy.IsZero() && p.NextAvailable.After(req.AvailableBy) {
			continue
		}
		m := Match{Professional: p}
		for _, want := range req.Modalities {
			if slices.Contains(p.Modalities, want) {
				m.Modalities = append(m.Modalities, want)
			}
		}
		if len(req.Modalities) > 0 && len(m.Modalities) == 0 {
			continue
		}
		out = append(out, m)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if len(a.Modalities) != len(b.Modalities) {
			return len(a.Modalities) > len(b.Modalities)
		}
		if !a.Professional.NextAvailable.Equal(b.Professional.NextAvailable) {
			return a.Professional.NextAvailable.Before(b.Professional.NextAvailable)
		}
		return a.Professional.Name < b.Professional.Name
	})
	limit := req.Limit
	if limit <= 0 {
		limit = 10
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
