import Codecs
import Sensors

extension L7Counters {
    /// Adds `o` (replay workers are summed for one summary).
    public mutating func add(_ o: L7Counters) {
        flowsByApp.add(o.flowsByApp); commandsByApp.add(o.commandsByApp); parseErrors.add(o.parseErrors)
        dnsEvents &+= o.dnsEvents; tlsEvents &+= o.tlsEvents; sshEvents &+= o.sshEvents
        httpTransactions &+= o.httpTransactions; http2Streams &+= o.http2Streams; h2cUpgrades &+= o.h2cUpgrades
        httpBodyBytes &+= o.httpBodyBytes; datastoreErrors &+= o.datastoreErrors; dnsMalformed &+= o.dnsMalformed
        sensorDrops &+= o.sensorDrops; sensorResets &+= o.sensorResets
    }
}

extension L7Stage {
    /// Borrow attempts each parser pool turned away, by `ParserKind.allCases` order.
    public var parserExhaustion: [UInt64] { ParserKind.allCases.map { parsers.exhausted($0) } }

    /// Adds another replay worker's counters into this stage's, so one summary (text or JSON)
    /// covers every worker.
    public mutating func absorb(counters c: L7Counters, sensors s: SensorCounters, parserExhaustion e: [UInt64]) {
        counters.add(c)
        sensors.counters.add(s)
        for (i, kind) in ParserKind.allCases.enumerated() where i < e.count {
            parsers.counts[Int(kind.rawValue)].exhausted &+= e[i]
        }
    }
}
