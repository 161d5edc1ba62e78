package hoardfiber

// SetFieldsForBench lets the benchmarks measure the adapter's header writing
// without the engine.
var SetFieldsForBench = setFields
