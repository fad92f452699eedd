package instrument

import (
	"strconv"

	"github.com/mendkit/mend/internal/check"
)

// IDs of the built-in instruments.
const (
	CSI4       = "csi-4"
	TrustPulse = "mend-trust-pulse"
	DTS        = "dyadic-trust-scale"
	RHZ        = "rhz-trust-scale"
	TRIM18     = "trim-18"
	PHQ2       = "phq-2"
	GAD2       = "gad-2"
)

// Builtins returns the built-in definitions, in a fixed order: CSI-4, the
// mend trust pulse, the Dyadic Trust Scale key, the TRIM-18 key, PHQ-2 and
// GAD-2. The Rempel–Holmes–Zanna key needs the integrator's reverse keying
// and is built with [RempelHolmesZanna].
func Builtins() []Definition {
	return []Definition{csi4(), trustPulse(), dyadicTrust(), trim18(), phq2(), gad2()}
}

// Lookup returns a built-in definition by ID.
func Lookup(id string) (Definition, bool) {
	for _, d := range Builtins() {
		if d.ID == id {
			return d, true
		}
	}
	return Definition{}, false
}

// IsScreen reports whether id names a built-in screen (PHQ-2, GAD-2), whose
// answers must stay private to the partner who gave them.
func IsScreen(id string) bool { return id == PHQ2 || id == GAD2 }

func csi4() Definition {
	truth := []string{"Not at all true", "A little true", "Somewhat true", "Mostly true", "Almost completely true", "Completely true"}
	amount := []string{"Not at all", "A little", "Somewhat", "Mostly", "Almost completely", "Completely"}
	return Definition{
		ID: CSI4, Version: "1", Title: "Couples Satisfaction Index, 4-item form (CSI-4)", Kind: Outcome,
		Scale: Scale{Min: 0, Max: 5, Anchors: amount},
		Items: []Item{
			{ID: "1", Text: "Please indicate the degree of happiness, all things considered, of your relationship.",
				Scale: &Scale{Min: 0, Max: 6, Anchors: []string{"Extremely unhappy", "Fairly unhappy", "A little unhappy", "Happy", "Very happy", "Extremely happy", "Perfect"}}},
			{ID: "2", Text: "I have a warm and comfortable relationship with my partner.", Scale: &Scale{Min: 0, Max: 5, Anchors: truth}},
			{ID: "3", Text: "How rewarding is your relationship with your partner?"},
			{ID: "4", Text: "In general, how satisfied are you with your relationship?"},
		},
		Aggregate: Sum, Direction: HigherIsBetter, Missing: RequireComplete,
		Range: Range{Min: 0, Max: 21},
		Cutoffs: []Cutoff{{Score: 13.5, AtOrAbove: false, Label: "below the published cut-off for relationship dissatisfaction",
			Source: "Funk & Rogge 2007"}},
		Licence: Licence{Terms: "Free for research and clinical use without further permission (Funk & Rogge).", ItemTextIncluded: true,
			Note: "The authors do not address commercial use; confirm before using in a paid product."},
		Citation: "Funk, J. L., & Rogge, R. D. (2007). Testing the ruler with item response theory: Increasing precision of measurement for relationship satisfaction with the Couples Satisfaction Index. Journal of Family Psychology, 21(4), 572–583.",
	}
}

func trustPulse() Definition {
	anchors := []string{"Not at all", "Slightly", "Somewhat", "Moderately", "Mostly", "Very much", "Completely"}
	return Definition{
		ID: TrustPulse, Version: "1", Title: "mend trust pulse", Kind: Outcome,
		Instructions: "Think about the past week. How true is each statement for you?",
		Scale:        Scale{Min: 0, Max: 6, Anchors: anchors},
		Items: []Item{
			{ID: "follow_through", Text: "I can count on my partner to follow through on what they say they will do."},
			{ID: "honest_with", Text: "I feel able to be honest with my partner about how I feel."},
			{ID: "open_with_me", Text: "My partner is open with me about the things that matter to us."},
			{ID: "second_guess", Text: "I catch myself second-guessing what my partner tells me.", Reverse: true},
		},
		Aggregate: Sum, Direction: HigherIsBetter, Missing: Prorate, MinAnswered: 3,
		Range:    Range{Min: 0, Max: 24},
		Licence:  Licence{Terms: "Written for mend and distributed under mend's licence.", ItemTextIncluded: true, Note: "A short check-in pulse, not a validated scale: use it to follow change within a couple, not to compare couples."},
		Citation: "mend trust pulse, version 1 (the mend project).",
	}
}

func numbered(n int, reverse ...int) []Item {
	rev := map[int]bool{}
	for _, r := range reverse {
		rev[r] = true
	}
	items := make([]Item, n)
	for i := range items {
		items[i] = Item{ID: strconv.Itoa(i + 1), Reverse: rev[i+1]}
	}
	return items
}

func dyadicTrust() Definition {
	return Definition{
		ID: DTS, Version: "1", Title: "Dyadic Trust Scale (scoring key)", Kind: Outcome,
		Scale:     Scale{Min: 1, Max: 7},
		Items:     numbered(8, 1, 2, 6),
		Aggregate: Sum, Direction: HigherIsBetter, Missing: RequireComplete,
		Range:             Range{Min: 8, Max: 56},
		Reliability:       0.93,
		ReliabilitySource: "internal consistency reported by Larzelere & Huston (1980)",
		Licence: Licence{Terms: "Published in a journal without an explicit licence; widely reused in research.", ItemTextIncluded: false,
			Note: "Supply wording you are entitled to use. The key expects 1 = strongly disagree … 7 = strongly agree and reverse-keys the three negatively worded items (1, 2 and 6); if your anchors run the other way, write your own definition."},
		Citation: "Larzelere, R. E., & Huston, T. L. (1980). The Dyadic Trust Scale: Toward understanding interpersonal trust in close relationships. Journal of Marriage and the Family, 42(3), 595–604.",
	}
}

// RempelHolmesZanna returns the scoring key of the Rempel–Holmes–Zanna Trust
// Scale (1985): 17 items answered from −3 to +3, in three subscales
// (predictability: items "predictability_1".."predictability_5",
// dependability: "dependability_1".."dependability_5", faith:
// "faith_1".."faith_7"), each scored as a mean, with the total the mean of all
// items. The published scale has several reverse-worded items; pass their IDs
// in reversed, taken from the published key you use. No wording is included.
func RempelHolmesZanna(reversed ...string) (Definition, error) {
	rev := map[string]bool{}
	for _, r := range reversed {
		rev[r] = true
	}
	var items []Item
	var subs []Subscale
	for _, s := range []struct {
		id, title string
		n         int
	}{{"predictability", "Predictability", 5}, {"dependability", "Dependability", 5}, {"faith", "Faith", 7}} {
		sub := Subscale{ID: s.id, Title: s.title, Aggregate: Mean, Direction: HigherIsBetter}
		for i := 1; i <= s.n; i++ {
			id := s.id + "_" + strconv.Itoa(i)
			items = append(items, Item{ID: id, Reverse: rev[id]})
			sub.Items = append(sub.Items, id)
			delete(rev, id)
		}
		subs = append(subs, sub)
	}
	d := Definition{
		ID: RHZ, Version: "1", Title: "Trust Scale of Rempel, Holmes & Zanna (scoring key)", Kind: Outcome,
		Scale: Scale{Min: -3, Max: 3}, Items: items, Subscales: subs,
		Aggregate: Mean, Direction: HigherIsBetter, Missing: RequireComplete,
		Range: Range{Min: -3, Max: 3},
		Licence: Licence{Terms: "Published in a journal; offered for research use with acknowledgement.", ItemTextIncluded: false,
			Note: "Supply wording you are entitled to use, and the reverse keying of the published key. One item's subscale differs between published versions; check the version you use."},
		Citation: "Rempel, J. K., Holmes, J. G., & Zanna, M. P. (1985). Trust in close relationships. Journal of Personality and Social Psychology, 49(1), 95–112.",
	}
	for _, id := range reversed {
		if _, ok := rev[id]; ok {
			return Definition{}, check.Invalid(pkg, "reversed", "%q is not an item of %s", id, RHZ)
		}
	}
	return d, d.Validate()
}

func trim18() Definition {
	avoid := []int{2, 5, 7, 10, 11, 15, 18}
	revenge := []int{1, 4, 9, 13, 17}
	benev := []int{3, 6, 8, 12, 14, 16}
	ids := func(ns []int) []string {
		out := make([]string, len(ns))
		for i, n := range ns {
			out[i] = strconv.Itoa(n)
		}
		return out
	}
	return Definition{
		ID: TRIM18, Version: "1", Title: "Transgression-Related Interpersonal Motivations Inventory, 18-item form (scoring key)", Kind: Outcome,
		Scale: Scale{Min: 1, Max: 5}, Items: numbered(18, benev...),
		Subscales: []Subscale{
			{ID: "avoidance", Title: "Avoidance", Items: ids(avoid), Aggregate: Sum, Direction: HigherIsWorse},
			{ID: "revenge", Title: "Revenge", Items: ids(revenge), Aggregate: Sum, Direction: HigherIsWorse},
			{ID: "low_benevolence", Title: "Benevolence, reverse-keyed (higher means less benevolence)", Items: ids(benev), Aggregate: Sum, Direction: HigherIsWorse},
		},
		Aggregate: Sum, Direction: HigherIsWorse, Missing: RequireComplete,
		Range: Range{Min: 18, Max: 90},
		Licence: Licence{Terms: "Available for research use.", ItemTextIncluded: false,
			Note: "Supply wording you are entitled to use, answered 1 = strongly disagree … 5 = strongly agree. The total is an unforgiveness score (benevolence reverse-keyed). Check the item numbering against the published key you use."},
		Citation: "McCullough, M. E., Root, L. M., & Cohen, A. D. (2006). Writing about the benefits of an interpersonal transgression facilitates forgiveness. Journal of Consulting and Clinical Psychology, 74(5), 887–897.",
	}
}

var frequency = []string{"Not at all", "Several days", "More than half the days", "Nearly every day"}

func phq2() Definition {
	return Definition{
		ID: PHQ2, Version: "1", Title: "Patient Health Questionnaire-2 (PHQ-2)", Kind: Screen,
		Instructions: "Over the last 2 weeks, how often have you been bothered by the following problems?",
		Scale:        Scale{Min: 0, Max: 3, Anchors: frequency},
		Items: []Item{
			{ID: "1", Text: "Little interest or pleasure in doing things"},
			{ID: "2", Text: "Feeling down, depressed, or hopeless"},
		},
		Aggregate: Sum, Direction: HigherIsWorse, Missing: RequireComplete,
		Range:    Range{Min: 0, Max: 6},
		Cutoffs:  []Cutoff{{Score: 3, AtOrAbove: true, Label: "at or above the usual screening cut-off; a fuller assessment is suggested", Source: "Kroenke, Spitzer & Williams 2003"}},
		Licence:  Licence{Terms: "Free to use; no permission needed to reproduce, translate or display.", ItemTextIncluded: true},
		Citation: "Kroenke, K., Spitzer, R. L., & Williams, J. B. W. (2003). The Patient Health Questionnaire-2: Validity of a two-item depression screener. Medical Care, 41(11), 1284–1292.",
	}
}

func gad2() Definition {
	return Definition{
		ID: GAD2, Version: "1", Title: "Generalized Anxiety Disorder-2 (GAD-2)", Kind: Screen,
		Instructions: "Over the last 2 weeks, how often have you been bothered by the following problems?",
		Scale:        Scale{Min: 0, Max: 3, Anchors: frequency},
		Items: []Item{
			{ID: "1", Text: "Feeling nervous, anxious, or on edge"},
			{ID: "2", Text: "Not being able to stop or control worrying"},
		},
		Aggregate: Sum, Direction: HigherIsWorse, Missing: RequireComplete,
		Range:    Range{Min: 0, Max: 6},
		Cutoffs:  []Cutoff{{Score: 3, AtOrAbove: true, Label: "at or above the usual screening cut-off; a fuller assessment is suggested", Source: "Kroenke et al. 2007"}},
		Licence:  Licence{Terms: "Free to use; no permission needed to reproduce, translate or display.", ItemTextIncluded: true},
		Citation: "Kroenke, K., Spitzer, R. L., Williams, J. B. W., Monahan, P. O., & Löwe, B. (2007). Anxiety disorders in primary care: Prevalence, impairment, comorbidity, and detection. Annals of Internal Medicine, 146(5), 317–325.",
	}
}
