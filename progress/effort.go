package progress

import "github.com/mendkit/mend/trust"

// Effort is implemented by the payload of an event that records one
// partner's effort on the work: an exercise done, or one skipped. The
// analysis counts every such event in that partner's [Activity]
// (AssignmentsCompleted, AssignmentsSkipped and Adherence), whatever its event
// type. mend's own exercise completions and skips implement it; so can an
// app's own event types (a practice the app offers, a worksheet filled in):
// give the payload an Effort method and register the type with
// [trust.RegisterEventType], so that it also decodes to that payload when the
// journey is read back from storage or JSON Lines (a [trust.RawPayload]
// counts for nothing).
//
// An effort event counts only where its viewer may see it: a shared event
// counts for the partner Effort names, and an event of any other visibility
// counts only when that partner is also the event's owner
// ([trust.Event.Owner]), so a private entry is never counted for someone else.
type Effort interface {
	// Effort returns the partner whose effort the event records, and whether
	// they did the work (true) or skipped it (false).
	Effort() (partner trust.PartnerID, done bool)
}
