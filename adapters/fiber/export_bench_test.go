package hoardfiber

// WriteFieldsForBench lets the benchmarks measure the adapter's header
// writing without the engine.
var WriteFieldsForBench = writeFields
