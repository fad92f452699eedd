package trust

import (
	"slices"
	"strings"
)

// NeedCategory groups what a partner asks for.
type NeedCategory string

// Need categories.
const (
	NeedQualityTime  NeedCategory = "quality_time"
	NeedSupport      NeedCategory = "support"
	NeedReassurance  NeedCategory = "reassurance"
	NeedTransparency NeedCategory = "transparency"
	NeedSpace        NeedCategory = "space"
	NeedAffection    NeedCategory = "affection"
	NeedHelp         NeedCategory = "help"
	NeedOther        NeedCategory = "other"
)

// Values lists the categories.
func (NeedCategory) Values() []string {
	return []string{"quality_time", "support", "reassurance", "transparency", "space", "affection", "help", "other"}
}

// NeedsRequest is one partner asking the other for something concrete, in the
// soft start-up form "I feel <feeling> about <situation> and I need <need>".
// Its life: requested → answered (accepted, counter-offer, declined with a
// reason, or needs time, which may be answered again) → closed as fulfilled,
// lapsed or withdrawn.
type NeedsRequest struct {
	// ID identifies the request.
	ID NeedsRequestID `json:"id"`
	// From is the partner asking.
	From PartnerID `json:"from"`
	// Category groups the need.
	Category NeedCategory `json:"category"`
	// Feeling is the "I feel …" part.
	Feeling string `json:"feeling"`
	// Situation is the "about …" part.
	Situation string `json:"situation"`
	// Need is the "and I need …" part: a concrete, doable ask.
	Need string `json:"need"`
}

// EventType implements Payload.
func (NeedsRequest) EventType() string { return TypeNeedsRequested }

// EventSubject names the request.
func (n NeedsRequest) EventSubject() string { return n.ID.String() }

// Sentence renders the request in its spoken form.
func (n NeedsRequest) Sentence() string {
	return "I feel " + n.Feeling + " about " + n.Situation + " and I need " + n.Need + "."
}

// Validate checks the request's fields.
func (n NeedsRequest) Validate() error {
	switch {
	case n.ID.IsZero():
		return invalid("id", "is required")
	case n.From.IsZero():
		return invalid("from", "is required")
	case !slices.Contains(n.Category.Values(), string(n.Category)):
		return invalid("category", "%q is not one of %s", n.Category, strings.Join(n.Category.Values(), ", "))
	}
	return firstErr(text("feeling", n.Feeling, 1, 200), text("situation", n.Situation, 1, 1000),
		text("need", n.Need, 1, 1000))
}

// NeedsReply is how the asked partner answers a needs request.
type NeedsReply string

// Replies to a needs request.
const (
	NeedsAccepted     NeedsReply = "accepted"
	NeedsCounterOffer NeedsReply = "counter_offer"
	NeedsDeclined     NeedsReply = "declined"
	NeedsNeedsTime    NeedsReply = "needs_time"
)

// Values lists the replies.
func (NeedsReply) Values() []string {
	return []string{"accepted", "counter_offer", "declined", "needs_time"}
}

// NeedsAnswer is the other partner's answer to a needs request.
type NeedsAnswer struct {
	// Request is the request answered.
	Request NeedsRequestID `json:"request"`
	// Partner is the partner answering; never the one who asked.
	Partner PartnerID `json:"partner"`
	// Reply is accepted, counter_offer, declined or needs_time.
	Reply NeedsReply `json:"reply"`
	// CounterOffer is what the partner offers instead; required for counter_offer.
	CounterOffer string `json:"counter_offer,omitempty"`
	// Reason explains a decline; required for declined.
	Reason string `json:"reason,omitempty"`
}

// EventType implements Payload.
func (NeedsAnswer) EventType() string { return TypeNeedsAnswered }

// EventSubject names the request.
func (n NeedsAnswer) EventSubject() string { return n.Request.String() }

// Validate checks the answer's fields.
func (n NeedsAnswer) Validate() error {
	switch {
	case n.Request.IsZero():
		return invalid("request", "is required")
	case n.Partner.IsZero():
		return invalid("partner", "is required")
	case !slices.Contains(n.Reply.Values(), string(n.Reply)):
		return invalid("reply", "%q is not one of %s", n.Reply, strings.Join(n.Reply.Values(), ", "))
	case n.Reply == NeedsCounterOffer && strings.TrimSpace(n.CounterOffer) == "":
		return invalid("counter_offer", "is required when the reply is counter_offer")
	case n.Reply == NeedsDeclined && strings.TrimSpace(n.Reason) == "":
		return invalid("reason", "is required when the reply is declined")
	}
	return firstErr(text("counter_offer", n.CounterOffer, 0, 1000), text("reason", n.Reason, 0, 1000))
}

// NeedsOutcome is how a needs request ended.
type NeedsOutcome string

// Outcomes of a needs request.
const (
	NeedsFulfilled NeedsOutcome = "fulfilled"
	NeedsLapsed    NeedsOutcome = "lapsed"
	NeedsWithdrawn NeedsOutcome = "withdrawn"
)

// Values lists the outcomes.
func (NeedsOutcome) Values() []string { return []string{"fulfilled", "lapsed", "withdrawn"} }

// NeedsClosed ends a needs request. Only the partner who asked may say a need
// was fulfilled or withdraw it; either may mark it lapsed.
type NeedsClosed struct {
	// Request is the request closed.
	Request NeedsRequestID `json:"request"`
	// Outcome is fulfilled, lapsed or withdrawn.
	Outcome NeedsOutcome `json:"outcome"`
	// Note adds context.
	Note string `json:"note,omitempty"`
}

// EventType implements Payload.
func (NeedsClosed) EventType() string { return TypeNeedsClosed }

// EventSubject names the request.
func (n NeedsClosed) EventSubject() string { return n.Request.String() }

// Validate checks the fields.
func (n NeedsClosed) Validate() error {
	switch {
	case n.Request.IsZero():
		return invalid("request", "is required")
	case !slices.Contains(n.Outcome.Values(), string(n.Outcome)):
		return invalid("outcome", "%q is not fulfilled, lapsed or withdrawn", n.Outcome)
	}
	return text("note", n.Note, 0, 1000)
}

// NeedsStatus is where a needs request is in its life.
type NeedsStatus string

// Statuses of a needs request, derived by the journey fold.
const (
	NeedsStatusOpen           NeedsStatus = "open"
	NeedsStatusAccepted       NeedsStatus = "accepted"
	NeedsStatusCounterOffered NeedsStatus = "counter_offered"
	NeedsStatusDeclined       NeedsStatus = "declined"
	NeedsStatusNeedsTime      NeedsStatus = "needs_time"
	NeedsStatusFulfilled      NeedsStatus = "fulfilled"
	NeedsStatusLapsed         NeedsStatus = "lapsed"
	NeedsStatusWithdrawn      NeedsStatus = "withdrawn"
)

// Closed reports whether the request has ended.
func (s NeedsStatus) Closed() bool {
	return s == NeedsStatusFulfilled || s == NeedsStatusLapsed || s == NeedsStatusWithdrawn
}
