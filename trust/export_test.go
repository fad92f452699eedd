package trust

import "fmt"

// StateDigest renders every field of a journey, following pointers, so tests
// can assert that a refused event changed nothing.
func StateDigest(j *Journey) string {
	breaches := make([]breachState, len(j.breaches))
	for i, b := range j.breaches {
		breaches[i] = *b
	}
	acks := map[AcknowledgementID]ackState{}
	for k, v := range j.acks {
		acks[k] = *v
	}
	needs := make([]needsState, len(j.needs))
	for i, n := range j.needs {
		needs[i] = *n
	}
	return fmt.Sprintf("%v|%v|%d|%v|%d|%v|%d|%+v|%v|%+v|%v|%v|%v|%v|%v|%+v|%v|%v|%v|%v|%d",
		j.rel, j.profile.Key, j.seq, j.last, j.phase, j.phaseSince, j.phaseSeq, breaches, j.breachIdx, acks,
		needs, j.needsIdx, j.commit, j.flags, j.flagOrder, j.consents, j.research, j.counts, j.phaseCount, j.effort, j.accepted)
}
