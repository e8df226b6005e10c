// Loaded into `tessera serve` only by the soak of `npm test` (node --expose-gc --import=this): SIGUSR2 runs a full
// collection, so the heap kept after one (`tessera_heap_after_full_gc_bytes`) can be read at every sample. Left to
// itself V8 collects in full when it sees fit: once in the first 46 s of a minute in CI, once in two minutes on
// Node 24, too seldom to tell a leak from what one collection happened to keep.
process.on('SIGUSR2', () => globalThis.gc?.());
