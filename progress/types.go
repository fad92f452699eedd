package progress

import (
	"embed"

	"github.com/mendkit/mend/internal/check"
	"github.com/mendkit/mend/internal/schemafile"
	"github.com/mendkit/mend/trust"
)

// Event types of the progress package. Each has one payload type and one
// JSON Schema, named by the event's dataschema.
const (
	// TypeCheckInRecorded is a partner's check-in. Journey gates count it.
	TypeCheckInRecorded = "progress.checkin_recorded"
	// TypeCheckInNoteRecorded is the private part of a check-in: a note and
	// private answers (screens). It is only ever private or shared with a
	// professional the partner consented to.
	TypeCheckInNoteRecorded = "progress.checkin_note_recorded"
)

const (
	pkgName              = "progress"
	checkInNoteMaxRunes  = 4000
	feelingMaxRunes      = 40
	maxFeelings          = 12
	maxAnswersPerCheckIn = 12
)

// CheckInID names a check-in.
type CheckInID = trust.ID[CheckIn]

func init() {
	trust.MustRegisterEventType(trust.EventSpec{
		Type: TypeCheckInRecorded, New: func() trust.Payload { return new(CheckIn) },
		Schema:       schemafile.ID(pkgName, "checkin", "1.0"),
		Visibilities: []trust.Visibility{trust.Shared, trust.Private, trust.Sealed, trust.WithProfessional},
		Writers:      trust.ByOwner, // only the partner checking in
	})
	trust.MustRegisterEventType(trust.EventSpec{
		Type: TypeCheckInNoteRecorded, New: func() trust.Payload { return new(CheckInNote) },
		Schema:       schemafile.ID(pkgName, "checkin-note", "1.0"),
		Visibilities: []trust.Visibility{trust.Private, trust.WithProfessional},
		Writers:      trust.ByOwner,
	})
}

//go:embed schemas/*.json
var schemaFS embed.FS

var schemas = schemafile.Embedded(pkgName, schemaFS, "schemas")

// Schemas lists the JSON Schemas the progress package publishes: the two
// event payloads, the instrument definition, response and score, the
// analysis, recommendations and the report.
func Schemas() []trust.Schema { return check.Schemas(schemas()) }
