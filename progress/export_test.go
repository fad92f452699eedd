package progress

// Recommend gives the tests the recommendation rules, to check them on
// analyses whose signs a test sets.
var Recommend = recommend
