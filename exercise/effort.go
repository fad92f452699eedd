package exercise

import (
	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

// Effort reports the completing partner, who did the work: progress counts
// the completion in that partner's activity. It implements [progress.Effort].
func (p AssignmentCompleted) Effort() (partner trust.PartnerID, done bool) { return p.Partner, true }

// Effort reports the skipping partner, who did not do the work this time:
// progress counts the skip in that partner's activity (a skip is never a
// failure; it lowers adherence, which lightens the plan). It implements
// [progress.Effort].
func (p AssignmentSkipped) Effort() (partner trust.PartnerID, done bool) { return p.Partner, false }

var (
	_ progress.Effort = AssignmentCompleted{}
	_ progress.Effort = AssignmentSkipped{}
)
