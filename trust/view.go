package trust

// Viewer is who is reading: a partner or a professional. Every read path of
// mend that returns entries takes a Viewer and shows only what that viewer may see.
type Viewer struct {
	Kind ActorKind
	ID   [16]byte
}

// PartnerViewer returns the viewer for a partner.
func PartnerViewer(id PartnerID) Viewer { return Viewer{Kind: ActorPartner, ID: id} }

// ProfessionalViewer returns the viewer for a professional.
func ProfessionalViewer(id ProfessionalID) Viewer { return Viewer{Kind: ActorProfessional, ID: id} }

// Access decides which events a viewer may read. It learns the relationship,
// the partners' current consents and which seals are open by observing the
// stream, then answers [Access.CanSee] for any event of it. Consent is read
// as of the latest observed event: withdrawing consent hides past entries too.
//
// The rules:
//   - shared: both partners; a professional only while both partners consent to them;
//   - private: only the owner (the partner it belongs to);
//   - professional: the owner, and a professional the owner consents to;
//   - sealed: the owner until the other partner has written a sealed event
//     of the same type about the same subject, then both partners (and a
//     professional both consent to). The seal is derived from the payload
//     ([SealKeyOf]), never taken on the envelope's word: an event whose
//     sealkey is not its derived key neither opens a seal nor is revealed;
//   - safety events (sensitive types) are private whatever their envelope says:
//     the owner, and a professional the owner consented to share safety data with.
//
// An Access is not safe for concurrent use.
type Access struct {
	rel      RelationshipID
	partners [2]PartnerID
	consents map[PartnerID]map[ProfessionalID]consent
	seals    map[string]map[PartnerID]bool
}

// NewAccess returns an empty Access; observe a stream's events before asking.
func NewAccess() *Access {
	return &Access{consents: map[PartnerID]map[ProfessionalID]consent{}, seals: map[string]map[PartnerID]bool{}}
}

// Observe learns from one event, in stream order.
func (a *Access) Observe(e Event) {
	switch d := e.Data.(type) {
	case *JourneyStarted:
		a.rel = d.Relationship.ID
		a.partners = [2]PartnerID{d.Relationship.Partners[0].ID, d.Relationship.Partners[1].ID}
	case *ProfessionalConsent:
		if a.consents[d.Partner] == nil {
			a.consents[d.Partner] = map[ProfessionalID]consent{}
		}
		a.consents[d.Partner][d.Professional] = consent{granted: d.Granted, safety: d.IncludeSafety}
	}
	if key, ok := sealOf(e); ok {
		if owner, ok := e.Owner(); ok {
			if a.seals[key] == nil {
				a.seals[key] = map[PartnerID]bool{}
			}
			a.seals[key][owner] = true
		}
	}
}

// sealOf returns the seal of a sealed event: the key derived from its
// payload, when the envelope carries exactly that key.
func sealOf(e Event) (string, bool) {
	if e.Visibility != Sealed {
		return "", false
	}
	_, match := sealKeyIs(e.Data, e.SealKey)
	return e.SealKey, match
}

// Revealed reports whether both partners have written a sealed entry under a
// seal key (see [SealKeyOf]).
func (a *Access) Revealed(sealKey string) bool {
	s := a.seals[sealKey]
	return s != nil && s[a.partners[0]] && s[a.partners[1]]
}

// Sealed reports whether p has written under the seal key and is still waiting
// for the other partner. The other partner's own view never learns this.
func (a *Access) Sealed(sealKey string, p PartnerID) bool {
	return a.seals[sealKey][p] && !a.Revealed(sealKey)
}

// revealed reports whether a sealed event's seal is open.
func (a *Access) revealed(e Event) bool {
	key, ok := sealOf(e)
	return ok && a.Revealed(key)
}

func (a *Access) isPartner(p PartnerID) bool {
	return !p.IsZero() && (p == a.partners[0] || p == a.partners[1])
}

// CanSee reports whether v may read e.
func (a *Access) CanSee(v Viewer, e Event) bool {
	if e.Relationship != a.rel || a.rel.IsZero() {
		return false
	}
	owner, hasOwner := e.Owner()
	vis := e.Visibility
	if e.Sensitive() {
		vis = Private
	}
	switch v.Kind {
	case ActorPartner:
		p := PartnerID(v.ID)
		if !a.isPartner(p) {
			return false
		}
		switch vis {
		case Shared:
			return true
		case Private, WithProfessional:
			return hasOwner && owner == p
		case Sealed:
			return (hasOwner && owner == p) || a.revealed(e)
		}
	case ActorProfessional:
		pro := ProfessionalID(v.ID)
		both := a.consents[a.partners[0]][pro].granted && a.consents[a.partners[1]][pro].granted
		if e.Sensitive() {
			c := a.consents[owner][pro]
			return hasOwner && c.granted && c.safety
		}
		switch vis {
		case Shared:
			return both
		case WithProfessional:
			return hasOwner && a.consents[owner][pro].granted
		case Sealed:
			return both && a.revealed(e)
		}
	}
	return false
}

// Filter returns the events of one journey's stream that v may read, in order.
// It is linear in the number of events.
func Filter(events []Event, v Viewer) []Event {
	a := NewAccess()
	for _, e := range events {
		a.Observe(e)
	}
	var out []Event
	for _, e := range events {
		if a.CanSee(v, e) {
			out = append(out, e)
		}
	}
	return out
}
