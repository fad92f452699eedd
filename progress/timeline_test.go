package progress_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

func TestTimelineAppendIsOrderedAndIdempotent(t *testing.T) {
	j := newJourney(t, 1)
	j.checkIn(j.A, day(1), 5, "", "")
	j.checkIn(j.B, day(1), 6, "", "")
	tl := progress.NewTimeline()
	n, err := tl.AppendAll(j.events)
	require.NoError(t, err)
	require.Equal(t, 3, n)

	tests := []struct {
		name    string
		event   func() trust.Event
		added   bool
		wantErr error
		reason  string
	}{
		{name: "retry", event: func() trust.Event { return j.events[1] }, reason: "the same event again is a no-op"},
		{name: "gap", event: func() trust.Event {
			e := j.checkIn(j.A, day(2), 5, "", "")
			e.Sequence = 9
			return e
		}, wantErr: trust.ErrConflict, reason: "sequence must follow"},
		{name: "reused id", event: func() trust.Event {
			e := j.events[1]
			e.Sequence = 4
			return e
		}, wantErr: trust.ErrConflict, reason: "the same ID with other content conflicts"},
		{name: "invalid", event: func() trust.Event {
			e := j.events[1]
			e.SpecVersion = "0.3"
			return e
		}, wantErr: trust.ErrInvalid, reason: "invalid envelopes are refused"},
		{name: "other relationship", event: func() trust.Event {
			o := newJourney(t, 99)
			e := o.events[0]
			e.Sequence = 4
			return e
		}, wantErr: trust.ErrConflict, reason: "one timeline is one journey"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			added, err := tl.Append(tc.event())
			if tc.wantErr != nil {
				require.Error(t, err, tc.reason)
				assert.True(t, errors.Is(err, tc.wantErr), "%s: %v", tc.reason, err)
			} else {
				require.NoError(t, err, tc.reason)
			}
			assert.Equal(t, tc.added, added, tc.reason)
			assert.Equal(t, 3, tl.Len(), "a refused or repeated append changes nothing")
		})
	}
}

func TestTimelineReadFiltersByViewerTypeAndWindow(t *testing.T) {
	j := newJourney(t, 2)
	j.checkIn(j.A, day(1), 5, trust.Shared, "")
	j.checkIn(j.B, day(1), 4, trust.Private, "")
	j.note(j.A, day(1), "only mine", trust.Private)
	j.checkIn(j.A, day(2), 6, trust.Sealed, "")
	j.safetyFlag(j.B, day(3))
	j.raw("myapp.gratitude_note", day(4), trust.PartnerActor(j.A), `{"text":"thanks"}`)
	tl := progress.NewTimeline()
	_, err := tl.AppendAll(j.events)
	require.NoError(t, err)

	types := func(es []trust.Event) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.Type)
		}
		return out
	}
	a, b := trust.PartnerViewer(j.A), trust.PartnerViewer(j.B)
	assert.Equal(t, []string{trust.TypeJourneyStarted, progress.TypeCheckInRecorded, progress.TypeCheckInNoteRecorded,
		progress.TypeCheckInRecorded, "myapp.gratitude_note"}, types(tl.Read(a, progress.Query{})), "A sees shared, own private and own sealed")
	assert.Equal(t, []string{trust.TypeJourneyStarted, progress.TypeCheckInRecorded, progress.TypeCheckInRecorded,
		trust.TypeSafetyFlagRaised, "myapp.gratitude_note"}, types(tl.Read(b, progress.Query{})), "B sees shared, own private and own flag, not A's sealed answer")
	assert.Len(t, tl.Read(a, progress.Query{Types: []string{progress.TypeCheckInRecorded}}), 2)
	assert.Len(t, tl.Read(a, progress.Query{From: day(2), To: day(4)}), 1, "window is [From, To)")
	assert.Len(t, tl.Read(a, progress.Query{AfterSequence: 3, Limit: 1}), 1)
	assert.Empty(t, tl.Read(trust.ProfessionalViewer(j.pro), progress.Query{}), "no consent, nothing")

	// B checks in sealed for the same day: now both see both.
	j.checkIn(j.B, day(2).Add(time.Hour), 7, trust.Sealed, "")
	_, err = tl.Append(j.events[len(j.events)-1])
	require.NoError(t, err)
	assert.Len(t, tl.Read(b, progress.Query{Types: []string{progress.TypeCheckInRecorded}}), 4, "revealed to both")
	assert.Len(t, tl.Unfiltered(), 8)
}

func TestJSONLRoundTripKeepsAppEventsUntouched(t *testing.T) {
	j := newJourney(t, 3)
	j.checkIn(j.A, day(1), 5, "", "")
	j.raw("myapp.gratitude_note", day(2), trust.PartnerActor(j.B), `{"text":"thank you","emoji":["\u2764"],"n":1.50}`)
	var buf bytes.Buffer
	require.NoError(t, progress.WriteJSONL(&buf, j.events))
	assert.Equal(t, 3, strings.Count(buf.String(), "\n"))
	got, err := progress.ReadJSONL(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)
	require.Len(t, got, 3)
	raw, ok := got[2].Data.(*trust.RawPayload)
	require.True(t, ok, "an unregistered type stays raw")
	assert.JSONEq(t, `{"text":"thank you","emoji":["\u2764"],"n":1.50}`, string(raw.JSON))
	assert.Contains(t, buf.String(), `"n":1.50`, "numbers are not re-formatted")
	var again bytes.Buffer
	require.NoError(t, progress.WriteJSONL(&again, got))
	assert.Equal(t, buf.String(), again.String(), "write(read(x)) == x")
	_, ok = got[1].Data.(*progress.CheckIn)
	assert.True(t, ok, "registered types decode typed")
}

func TestJSONLReaderReportsTheLine(t *testing.T) {
	j := newJourney(t, 4)
	var buf bytes.Buffer
	require.NoError(t, progress.WriteJSONL(&buf, j.events))
	in := buf.String() + "\n   \n" + `{"specversion":"1.0"}` + "\n"
	_, err := progress.ReadJSONL(strings.NewReader(in))
	var le *progress.LineError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, 4, le.Line, "blank lines count")
	assert.ErrorIs(t, err, trust.ErrInvalid)

	long := strings.Repeat("x", progress.MaxLineBytes+10)
	_, err = progress.ReadJSONL(strings.NewReader(long))
	assert.ErrorIs(t, err, trust.ErrInvalid, "overlong lines are refused")
}

func TestCheckInValidation(t *testing.T) {
	id := mustID[progress.CheckIn](t, trust.SeededIDs(5))
	p := mustID[trust.Partner](t, trust.SeededIDs(6))
	ok := progress.CheckIn{ID: id, Partner: p, Day: "2026-03-02"}
	tests := []struct {
		name   string
		mod    func(*progress.CheckIn)
		field  string
		reason string
	}{
		{name: "all skipped", mod: func(*progress.CheckIn) {}, reason: "every item may be skipped"},
		{name: "trust range", mod: func(c *progress.CheckIn) { c.Trust = intp(11) }, field: "trust"},
		{name: "safe range", mod: func(c *progress.CheckIn) { c.Safe = intp(-1) }, field: "safe"},
		{name: "day", mod: func(c *progress.CheckIn) { c.Day = "2026-3-2" }, field: "day"},
		{name: "feelings", mod: func(c *progress.CheckIn) { c.Feelings = []string{" "} }, field: "feelings.0"},
		{name: "screen in shared", mod: func(c *progress.CheckIn) {
			c.Answers = []progressResponse{{Instrument: "phq-2", Version: "1", Answers: nil}}
		}, field: "answers.0.instrument", reason: "screens stay private"},
		{name: "csi value", mod: func(c *progress.CheckIn) {
			c.Answers = []progressResponse{{Instrument: "csi-4", Version: "1", Answers: []progressAnswer{{Item: "1", Value: 7}}}}
		}, field: "answers.0.answers.0.value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.mod(&c)
			err := c.Validate()
			if tc.field == "" {
				assert.NoError(t, err, tc.reason)
				return
			}
			var ve *trust.ValidationError
			require.ErrorAs(t, err, &ve, tc.reason)
			assert.Equal(t, tc.field, ve.Field)
			assert.Equal(t, "progress", ve.Pkg)
		})
	}
}

func TestCheckInEventsSplitThePrivateNote(t *testing.T) {
	j := newJourney(t, 7)
	// 23:30 UTC on 28 March 2026 is 23:30 GMT; 23:30 UTC on 29 March is 00:30 BST the next day.
	at := time.Date(2026, 3, 29, 23, 30, 0, 0, time.UTC)
	en := progress.Entry{Partner: j.A, Trust: intp(6), Note: "a hard evening", Answers: []progressResponse{
		{Instrument: "phq-2", Version: "1", Answers: []progressAnswer{{Item: "1", Value: 1}, {Item: "2", Value: 2}}},
		{Instrument: "csi-4", Version: "1", Answers: []progressAnswer{{Item: "1", Value: 4}}},
	}}
	evs, err := progress.CheckInEvents(en, mustID[progress.CheckIn](t, j.ids), j.rel, trust.Header{ID: mustID[trust.Event](t, j.ids),
		Sequence: 2, Time: at, Recorded: at}, mustID[trust.Event](t, j.ids))
	require.NoError(t, err)
	require.Len(t, evs, 2)
	c := evs[0].Data.(*progress.CheckIn)
	assert.Equal(t, "2026-03-30", c.Day, "the local day follows the relationship's zone across DST")
	assert.Equal(t, trust.Shared, evs[0].Visibility)
	require.Len(t, c.Answers, 1)
	assert.Equal(t, "csi-4", c.Answers[0].Instrument)
	n := evs[1].Data.(*progress.CheckInNote)
	assert.Equal(t, trust.Private, evs[1].Visibility)
	assert.Equal(t, trust.Sequence(3), evs[1].Sequence)
	assert.Equal(t, "a hard evening", n.Note)
	require.Len(t, n.Answers, 1)
	assert.Equal(t, "phq-2", n.Answers[0].Instrument)

	_, err = trust.NewEvent(n, trust.Header{ID: mustID[trust.Event](t, j.ids), Relationship: j.rel.ID, Sequence: 4, Recorded: at,
		Actor: trust.PartnerActor(j.A), Visibility: trust.Shared})
	assert.ErrorIs(t, err, trust.ErrInvalid, "a note can never be shared")

	b, err := json.Marshal(evs[0])
	require.NoError(t, err)
	assert.NotContains(t, string(b), "hard evening")
}

// TestTimelineKeepsItsOwnEvents: neither the event a caller appended nor one
// it read reaches into the timeline.
func TestTimelineKeepsItsOwnEvents(t *testing.T) {
	j := newJourney(t, 4)
	j.checkIn(j.A, day(1), 5, trust.Shared, "")
	tl := progress.NewTimeline()
	_, err := tl.AppendAll(j.events)
	require.NoError(t, err)
	trustOf := func(es []trust.Event) int {
		c, ok := es[1].Data.(*progress.CheckIn)
		require.True(t, ok)
		return *c.Trust
	}
	*j.events[1].Data.(*progress.CheckIn).Trust = 0
	read := tl.Read(trust.PartnerViewer(j.A), progress.Query{})
	assert.Equal(t, 5, trustOf(read), "a change to the appended event does not reach the timeline")
	*read[1].Data.(*progress.CheckIn).Trust = 1
	all := tl.Unfiltered()
	assert.Equal(t, 5, trustOf(all), "nor does a change to a read one")
	*all[1].Data.(*progress.CheckIn).Trust = 2
	assert.Equal(t, 5, trustOf(tl.Read(trust.PartnerViewer(j.A), progress.Query{})))
}
