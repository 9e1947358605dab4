// The Datastore module: content probes for database, cache, queue and UDP service protocols,
// and a per-flow parser that reports each client command without buffering payloads.
// Probes live beside each protocol's framing (`MySQLParser.swift`, ...); `Probes.swift` runs them
// in order; `DatastoreParser.swift` holds the framing engine they share.
