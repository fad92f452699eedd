// Package instrument defines self-report questionnaires declaratively and
// scores them: items and their response scale, reverse keying, subscales, the
// direction of the score (higher is better or worse), a missing-data policy,
// the score's range, cut-offs meant for professionals, and the instrument's
// licence and citation. A [Definition] is plain data, so an app can write its
// own in JSON; [Definition.Validate] checks it and [Definition.Score] turns a
// [Response] into a [Score].
//
// Built-in definitions ([Builtins], [Lookup]):
//   - CSI-4, the four-item Couples Satisfaction Index (Funk & Rogge 2007),
//     with its published wording; the authors make it free for research and
//     clinical use (commercial use is not addressed by them);
//   - the mend trust pulse, four items written for mend (not a validated scale);
//   - scoring keys without item text for the Dyadic Trust Scale (Larzelere &
//     Huston 1980), the Rempel–Holmes–Zanna Trust Scale (1985) and TRIM-18
//     (McCullough, Root & Cohen 2006): the integrator supplies wording they
//     are entitled to use, mapped onto the key's item IDs;
//   - PHQ-2 and GAD-2, two-item screens used only to suggest individual
//     support. Screens are private: their answers belong in a partner's
//     private entry and their cut-offs are never shown to a couple.
//
// Nothing here is a diagnosis. Cut-offs are kept for professionals and for
// routing; mend's reports never show a cut-off label to a couple.
//
// [ReliableChange] computes the Reliable Change Index of Jacobson & Truax
// (1991) from a stated reliability and standard deviation.
package instrument
