import Codecs
import Engine
import Flow
import HTTP
import HTTP2
import L7Core
import Output
import Sensors

// The stage feeds the sensors what its parsers decoded (URLs, header lines, bodies, datastore
// commands) and the raw streams, and writes what fired as EVE `alert` records, with the
// transaction's app record when there is one: the engine knows the rules, the stage knows
// the flow.

extension L7Stage {
    /// The flow's id in the table, which tells the sensors' per-flow state apart from that of
    /// an earlier flow in the same slot.
    @inlinable
    func flowID(_ flow: UInt32) -> UInt64 { flows![Int(flow)].flowID }

    /// Writes the alerts the last sensor calls fired on `flow`, with no app record.
    @inlinable
    mutating func reportAlerts(_ flow: UInt32) {
        reportAlerts(flow) { _ in }
    }

    /// Writes the alerts the last sensor calls fired on `flow`, with the HTTP transaction's record.
    @inlinable
    mutating func reportAlerts(_ flow: UInt32, http tx: borrowing HTTPTransaction) {
        guard sensors.firedCount > 0 else { return }
        // A copy only when there is an alert: a closure cannot capture a borrowed parameter.
        let t = copy tx
        reportAlerts(flow) { HTTPEve.write(t, into: &$0) }
    }

    /// Writes the alerts the last sensor calls fired on `flow`, with the HTTP/2 stream's record.
    @inlinable
    mutating func reportAlerts(_ flow: UInt32, http2 stream: borrowing HTTP2StreamInfo) {
        guard sensors.firedCount > 0 else { return }
        let s = copy stream
        reportAlerts(flow) { HTTP2Eve.write(s, into: &$0) }
    }

    /// Writes each alert fired on `flow` (others wait for their flow), `appRecord` between
    /// the alert object and the excerpt, then forgets them.
    @inlinable
    mutating func reportAlerts(_ flow: UInt32, appRecord: (inout JSONBuffer) -> Void) {
        guard sensors.firedCount > 0 else { return }
        for i in 0..<sensors.firedCount where sensors.fired(i).flow == flow {
            guard beginAlert(flow, sensors.fired(i)) else { continue }
            appRecord(&eve!)
            endAlert(sensors.fired(i))
        }
        sensors.clearFired(flow: flow)
    }

    /// Counts the alert and, with EVE on, writes the record up to its app record. A `block`
    /// on TCP also counts the two resets the block sends (in inline mode; replay records them).
    @inlinable
    mutating func beginAlert(_ flow: UInt32, _ a: FiredAlert) -> Bool {
        flows![Int(flow)].alerted = true
        if a.firstBlock && flows![Int(flow)].proto == IPProto.tcp { counters.sensorResets &+= 2 }
        guard eve != nil, let set = sensors.set else { return false }
        let e = UnsafePointer(flows! + Int(flow))
        let rule = Int(a.rule)
        let info = set.rules[rule]
        eve!.reserve(16384)
        FlowRecord.header(e, timestamp: e.pointee.lastSeen, eventType: "alert", into: &eve!)
        eve!.field("direction", a.toServer ? "to_server" : "to_client")
        eve!.objectKey("alert")
        eve!.field("action", a.blocks ? "blocked" : "allowed")
        eve!.field("gid", UInt64(1))
        eve!.field("signature_id", UInt64(info.id))
        eve!.field("rev", UInt64(1))
        eve!.field("signature", bytes: set.ruleName(rule))
        eve!.field("category", bytes: set.sensorName(set.sensorIndex(ofRule: rule)))
        eve!.field("severity", UInt64(info.severity))
        eve!.endObject()
        // The payload excerpt, printable as Suricata's `payload_printable`.
        a.excerpt.withBytes { bytes in
            eve!.key("payload_printable")
            Self.printable(bytes, into: &eve!)
        }
        if let alertCapture { alertCapture.write(flowID: flows![Int(a.flow)].flowID, into: &eve!) }
        return true
    }

    /// Closes an alert record with where the match was: Sluice's own `sluice` object, an item
    /// of `metadata.flowvars` (after the app record, which may add one of its own).
    @inlinable
    mutating func endAlert(_ a: FiredAlert) {
        eve!.beginVendorObject("sluice")
        eve!.field("context", a.context.name)
        if let s = a.matchStart { eve!.field("match_start", s) }
        eve!.field("match_end", a.matchEnd)
        eve!.field("excerpt_offset", a.excerptOffset)
        // Monitor-mode workloads report what protect mode would have done.
        if a.wouldBlock { eve!.field("would_block", true) }
        eve!.endVendorObject()
        eve!.endObject()
        eve!.endLine()
    }

    /// A JSON string of `bytes` with every non-printable byte shown as `.`, as Suricata does.
    @inlinable
    static func printable(_ bytes: UnsafeRawBufferPointer, into out: inout JSONBuffer) {
        withUnsafeTemporaryAllocation(byteCount: 128, alignment: 1) { buf in
            let n = min(bytes.count, 128)
            for i in 0..<n {
                let b = bytes[i]
                buf[i] = b >= 0x20 && b < 0x7F ? b : UInt8(ascii: ".")
            }
            out.string(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buf)[0..<n]))
        }
    }

    /// Whether form decoding applies to a request body of this content type.
    @inlinable
    static func isForm(_ contentType: UnsafeRawBufferPointer) -> Bool {
        let form: StaticString = "application/x-www-form-urlencoded"
        guard contentType.count >= form.utf8CodeUnitCount else { return false }
        for i in 0..<form.utf8CodeUnitCount where contentType[i] | 0x20 != form.utf8Start[i] | 0x20 { return false }
        return true
    }
}

extension L7Stage {
    /// Puts a new sensor runtime in force between two packets (a sensor push): flows' sensor
    /// state starts over, with every sensor applying until the policy binds them again.
    public mutating func replaceSensors(_ engine: consuming SensorEngine) {
        sensors = engine
        if capacity > 0 { sensors.attach(capacity: capacity) }
    }

    /// The replay summary's sensor lines: sets loaded, alerts, and what was not inspected.
    public func sensorSummaryLines() -> String {
        guard let set = sensors.set else { return "  sensors      none loaded\n" }
        let c = sensors.counters
        var out = "  sensors      \(set.sensors.map(\.name).joined(separator: ", ")) (\(set.rules.count) rules)"
            + "  alerts \(c.alerts)  blocked flows \(c.blockedFlows)"
        if c.blockedFlows > 0 { out += " (packets dropped \(counters.sensorDrops), resets \(counters.sensorResets))" }
        out += "\n  inspected    \(c.scans) scans, \(c.bytesScanned) bytes, \(c.matches) pattern matches"
            + ", \(c.validationRejected) failed validation\n"
        if c.depthExceeded + c.scannersExhausted + c.matchesDropped + c.scanErrors > 0 {
            out += "  not inspected: past depth \(c.depthExceeded), no scanner free \(c.scannersExhausted)"
                + ", matches over the per-scan limit \(c.matchesDropped), scan errors \(c.scanErrors)\n"
        }
        return out
    }
}
