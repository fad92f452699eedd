package exercise_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mendkit/mend/exercise"
)

// Load the default catalogue and look an exercise up.
func ExampleDefaultCatalogue() {
	cat := exercise.DefaultCatalogue()
	ex, _ := cat.Lookup("regrettable-incident")
	fmt.Println(ex.Title, "-", ex.Mode, "-", ex.Minutes, "minutes")
	for _, s := range ex.Steps {
		fmt.Println(" step:", s.Key)
	}
	for _, g := range ex.Gates {
		fmt.Printf(" gate: %s -> %s when %s\n", g.From, g.To, g.Kind)
	}
	fmt.Println("for mend's rebuild phase:", len(cat.ForPhase("mend", "rebuild")), "exercises")
	// Output:
	// Talking through a regrettable incident - together - 45 minutes
	//  step: feelings
	//  step: realities
	//  step: triggers
	//  step: responsibility
	//  step: plans
	//  gate: feelings -> realities when both_calm
	//  gate: realities -> triggers when each_can_summarise
	// for mend's rebuild phase: 23 exercises
}

// An app loads its own (for example translated) catalogue from JSON. A
// dangling reference is refused with a typed error naming the field.
func ExampleParseCatalogue() {
	doc := `{
	  "version": 1, "locale": "fr", "title": "Mes exercices",
	  "exercises": [{
	    "key": "gratitude", "title": "Un merci par jour", "purpose": "Dire merci.",
	    "serves": [{"profile": "mend", "phases": ["rebuild", "sustain"]}],
	    "mode": "together", "minutes": 5, "cooldown_days": 1,
	    "contraindications": ["joint_work_paused"],
	    "steps": [{"key": "dire", "title": "Dire", "prompt": "Dites merci pour une chose précise.", "answer": "none"}]
	  }]
	}`
	cat, err := exercise.ParseCatalogue([]byte(doc))
	fmt.Println(cat.Len(), cat.Locale(), err)

	_, err = exercise.ParseCatalogue([]byte(strings.Replace(doc, `"sustain"`, `"attach"`, 1)))
	var ref *exercise.ReferenceError
	fmt.Println(errors.As(err, &ref), ref.Kind, ref.Ref)
	fmt.Println(err)
	// Output:
	// 1 fr <nil>
	// true phase attach
	// exercise: exercises.0.serves.0.phases.1: phase "attach" is not in profile mend
}
