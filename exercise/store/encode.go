package store

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/mendkit/mend/trust"
)

// envelope is trust.Event's JSON form without its data, which encode splices
// in itself so that an unregistered app payload keeps its exact bytes.
type envelope struct {
	SpecVersion     string               `json:"specversion"`
	ID              trust.EventID        `json:"id"`
	Source          string               `json:"source"`
	Type            string               `json:"type"`
	Subject         string               `json:"subject,omitempty"`
	Time            time.Time            `json:"time"`
	DataContentType string               `json:"datacontenttype"`
	DataSchema      string               `json:"dataschema,omitempty"`
	Relationship    trust.RelationshipID `json:"relationship"`
	Sequence        trust.Sequence       `json:"sequence"`
	RecordedTime    time.Time            `json:"recordedtime"`
	Actor           trust.Actor          `json:"actor"`
	Visibility      trust.Visibility     `json:"visibility"`
	SealKey         string               `json:"sealkey,omitempty"`
}

// encode returns an event's stored form: its JSON, with the fields in
// trust.Event's order, HTML characters left as they are, and the data of a
// *trust.RawPayload copied verbatim (less surrounding whitespace). Equal
// events give equal bytes, which is how retries are recognised.
func encode(e trust.Event) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(1024)
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(envelope{
		SpecVersion: e.SpecVersion, ID: e.ID, Source: e.Source, Type: e.Type, Subject: e.Subject,
		Time: e.Time, DataContentType: e.DataContentType, DataSchema: e.DataSchema,
		Relationship: e.Relationship, Sequence: e.Sequence, RecordedTime: e.RecordedTime,
		Actor: e.Actor, Visibility: e.Visibility, SealKey: e.SealKey,
	})
	if err != nil {
		return nil, err
	}
	// The encoder wrote "{…}\n"; reopen the object to add the data.
	buf.Truncate(buf.Len() - 2)
	buf.WriteString(`,"data":`)
	if raw, ok := e.Data.(*trust.RawPayload); ok {
		buf.Write(bytes.TrimSpace(raw.JSON))
	} else {
		if err := enc.Encode(e.Data); err != nil {
			return nil, err
		}
		buf.Truncate(buf.Len() - 1)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}
