import Datastore
import Engine
import Flow
import HTTP
import HTTP2
import L7Core
import Output
import Sensors
import Stream
import Threats

// The stage is the sink of every parser it runs: what a parser reports becomes an EVE record
// of the flow in `current`, and (with the sensors) the input of inspection.

extension L7Stage {
    /// The HTTP/2 parser that takes the flow over after its 101 to h2c: borrowed as `next`,
    /// fed once HTTP/1 hands off (`ParserStatus.handOff`). Nil when the pool is empty.
    @inlinable
    mutating func startHTTP2(_ s: UnsafeMutablePointer<L7Flow>) -> UnsafeMutablePointer<HTTP2FlowParser>? {
        if !s.pointee.next.isActive {
            guard let slot = borrowParser(.http2, for: .http2) else { return nil }
            s.pointee.next = slot
        }
        guard s.pointee.next.kind == .http2 else { return nil }
        return parsers.http2.slot(s.pointee.next.index)
    }

    /// Starts an application record of the current flow: the common header, then `tx_id`.
    @inlinable
    mutating func beginRecord(_ eventType: StaticString, txID: UInt64) {
        let e = UnsafePointer(flows! + Int(current))
        eve!.reserve(16384)
        FlowRecord.header(e, timestamp: e.pointee.lastSeen, eventType: eventType, into: &eve!)
        eve!.field("tx_id", txID)
    }

    @inlinable
    mutating func endRecord() {
        eve!.endObject()
        eve!.endLine()
    }
}

extension L7Stage: HTTPSink {
    public mutating func httpTransaction(_ tx: borrowing HTTPTransaction) {
        counters.httpTransactions &+= 1
        if sensors.isEnabled {
            sensors.endBodies(flow: current, flowID: flowID(current))
            reportAlerts(current, http: tx)
        }
        // (Two tests, not `&&`: its autoclosure cannot capture a borrowed parameter.)
        let upgraded = tx.flags.contains(.upgrade)
        if tx.status == 101, upgraded {
            let s = state! + Int(current)
            // Stream 1 of the HTTP/2 connection is the request that asked for the upgrade.
            if let h2 = startHTTP2(s) {
                // Copies of a few hundred bytes, once per upgrade: a borrowed transaction
                // cannot be captured by the nested closures.
                let method = tx.method, uri = tx.uri, host = tx.host, agent = tx.userAgent
                method.withBytes { m in uri.withBytes { u in host.withBytes { h in agent.withBytes { a in
                    h2.pointee.parser.startAfterUpgrade(method: m, path: u, authority: h, userAgent: a)
                } } } }
            }
        }
        guard eve != nil else { return }
        beginRecord("http", txID: tx.index)
        HTTPEve.write(tx, into: &eve!)
        endRecord()
    }

    public mutating func httpRequestHeaders(_ tx: borrowing HTTPTransaction) {
        if threats.isEnabled { threats.httpRequestHeadersDone(flow: current, entry: flows! + Int(current), now: flows![Int(current)].lastSeen) }
        let s = state! + Int(current)
        if s.pointee.namedHost.count == 0 { tx.host.withBytes { s.pointee.namedHost.set($0) } }
        // URL and request-header alerts wait for this point, so their http record is whole.
        if sensors.isEnabled { reportAlerts(current, http: tx) }
    }

    public mutating func httpRequestTarget(_ uri: UnsafeRawBufferPointer, tx: borrowing HTTPTransaction) {
        if threats.isEnabled { threats.httpRequestStarted(flow: current, entry: flows! + Int(current), now: flows![Int(current)].lastSeen) }
        guard sensors.isEnabled else { return }
        sensors.scanURL(flow: current, flowID: flowID(current), uri: uri, unit: tx.index)
    }

    public mutating func httpHeader(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, toServer: Bool,
                                    tx: borrowing HTTPTransaction) {
        if toServer && threats.isEnabled {
            threats.httpRequestHeader(name: name, value: value, flow: current, entry: flows! + Int(current),
                                      now: flows![Int(current)].lastSeen)
        }
        guard sensors.isEnabled else { return }
        sensors.scanHeader(flow: current, flowID: flowID(current), name: name, value: value, toServer: toServer, unit: tx.index)
        if !toServer { reportAlerts(current, http: tx) }
    }

    public mutating func httpBody(_ bytes: UnsafeRawBufferPointer, toServer: Bool, raw: Bool, tx: borrowing HTTPTransaction) {
        counters.httpBodyBytes &+= UInt64(bytes.count)
        guard sensors.isEnabled else { return }
        var form = false
        if toServer { form = tx.requestContentType.withBytes { Self.isForm($0) } }
        sensors.scanBody(flow: current, flowID: flowID(current), bytes: bytes, toServer: toServer, unit: tx.index, form: form)
        reportAlerts(current, http: tx)
    }
}

extension L7Stage: HTTP2Sink {
    public mutating func http2Stream(_ stream: borrowing HTTP2StreamInfo) {
        counters.httpTransactions &+= 1
        counters.http2Streams &+= 1
        guard eve != nil else { return }
        // Suricata numbers HTTP/2 transactions by stream: tx_id = (stream_id - 1) / 2 for
        // client-initiated streams.
        beginRecord("http", txID: UInt64(max(1, stream.streamID) - 1) / 2)
        HTTP2Eve.write(stream, into: &eve!)
        endRecord()
    }

    /// Suricata's stream-0 record: the connection's SETTINGS and GOAWAY (no `tx_id`: Sluice
    /// numbers transactions by stream, and stream 0 is none of the client's).
    public mutating func http2Connection(_ c: borrowing HTTP2Connection) {
        guard eve != nil else { return }
        let e = UnsafePointer(flows! + Int(current))
        eve!.reserve(16384)
        FlowRecord.header(e, timestamp: e.pointee.lastSeen, eventType: "http", into: &eve!)
        HTTP2Eve.writeConnection(c, into: &eve!)
        endRecord()
    }

    public mutating func http2RequestHeaders(_ stream: borrowing HTTP2StreamInfo) {
        let s = state! + Int(current)
        if s.pointee.namedHost.count == 0 { stream.authority.withBytes { s.pointee.namedHost.set($0) } }
        guard sensors.isEnabled else { return }
        let flow = current, id = flowID(current), unit = UInt64(stream.streamID)
        stream.path.withBytes { sensors.scanURL(flow: flow, flowID: id, uri: $0, unit: unit) }
        reportAlerts(flow, http2: stream)
    }

    public mutating func http2Data(_ bytes: UnsafeRawBufferPointer, toServer: Bool, stream: borrowing HTTP2StreamInfo) {
        counters.httpBodyBytes &+= UInt64(bytes.count)
        guard sensors.isEnabled else { return }
        var form = false
        if toServer { form = stream.requestContentType.withBytes { Self.isForm($0) } }
        sensors.scanBody(flow: current, flowID: flowID(current), bytes: bytes, toServer: toServer,
                         unit: UInt64(stream.streamID), form: form)
        reportAlerts(current, http2: stream)
    }
}

extension L7Stage: DatastoreSink {
    public mutating func datastoreCommand(_ app: AppProto, command: UnsafeRawBufferPointer, detail: UnsafeRawBufferPointer) {
        counters.commandsByApp.bump(Int(app.rawValue))
        let s = state! + Int(current)
        s.pointee.lastCommand.set(command)
        let tx = s.pointee.commands
        s.pointee.commands &+= 1
        if sensors.isEnabled {
            sensors.scanQuery(flow: current, flowID: flowID(current), text: detail.count > 0 ? detail : command, unit: tx)
            reportAlerts(current)
        }
        guard eve != nil, datastoreEvents else { return }
        beginRecord(app.name, txID: tx)
        DatastoreEve.write(app, command: command, detail: detail, into: &eve!)
        endRecord()
    }

    public mutating func datastoreReply(_ app: AppProto, error: Bool, detail: UnsafeRawBufferPointer) {
        if error { counters.datastoreErrors &+= 1 }
        if error && app == .mysql && threats.isEnabled {
            threats.mysqlError(detail, flow: current, entry: flows! + Int(current), now: flows![Int(current)].lastSeen)
        }
    }
}
