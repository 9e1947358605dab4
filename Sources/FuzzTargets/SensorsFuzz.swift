import Sensors

/// The sensor engine with the built-in sets scanning arbitrary bytes in every context, on
/// four flows, with few scanners and small depths so exhaustion and depth cuts are reached;
/// and the validators (Luhn, IBAN, SSN) on every piece.
///
/// Input: records of a control byte and a length-prefixed piece. Control bits 0-2 pick the
/// call (URL, header, query, body, stream, datagram, end of bodies, end of flow), bits 3-4
/// the flow, bit 5 the direction, bit 6 a form body (or a narrower sensor mask at flow end),
/// bit 7 a new flow in that slot.
enum SensorsFuzz {
    static var config: SensorConfig {
        var c = SensorConfig()
        c.streamDepth = 4096
        c.bodyDepth = 2048
        c.rawStreams = 2
        c.bodyStreams = 2
        c.matchesPerScan = 16
        return c
    }

    static func run(_ data: UnsafeRawBufferPointer) {
        guard let set = PipelineFuzz.sensorSet, var engine = try? SensorEngine(set: set, config: config) else { return }
        engine.attach(capacity: 4)
        var input = FuzzInput(data)
        var flowIDs: [UInt64] = [1, 2, 3, 4]
        var nextID: UInt64 = 5
        var unit: UInt64 = 0
        while !input.isAtEnd {
            let control = input.byte()
            guard let piece = input.record() else { break }
            for v in [Validation.luhn, .iban, .ssn] { _ = Validators.check(v, piece) }
            let slot = Int(control >> 3 & 3)
            let flow = UInt32(slot)
            if control & 0x80 != 0 { flowIDs[slot] = nextID; nextID += 1 }
            let id = flowIDs[slot]
            let toServer = control & 0x20 != 0
            switch control & 7 {
            case 0: unit &+= 1; engine.scanURL(flow: flow, flowID: id, uri: piece, unit: unit)
            case 1:
                let half = piece.count / 2
                engine.scanHeader(flow: flow, flowID: id, name: UnsafeRawBufferPointer(rebasing: piece[0..<half]),
                                  value: UnsafeRawBufferPointer(rebasing: piece[half...]), toServer: toServer, unit: unit)
            case 2: unit &+= 1; engine.scanQuery(flow: flow, flowID: id, text: piece, unit: unit)
            case 3: engine.scanBody(flow: flow, flowID: id, bytes: piece, toServer: toServer, unit: unit, form: control & 0x40 != 0)
            case 4: engine.scanStream(flow: flow, flowID: id, bytes: piece, toServer: toServer)
            case 5: engine.scanDatagram(flow: flow, flowID: id, bytes: piece, toServer: toServer)
            case 6: engine.endBodies(flow: flow, flowID: id); unit &+= 1
            default:
                if control & 0x40 != 0 {
                    engine.setSensors(flow: flow, flowID: id, mask: UInt64(piece.first ?? 0) | 1)
                } else {
                    engine.flowEnded(flow: flow, flowID: id)
                }
            }
            _ = engine.isBlocked(flow: flow, flowID: id)
            for i in 0..<engine.firedCount { _ = engine.fired(i).excerpt.count }
            if control & 0x18 == 0x18 { engine.clearFired() } else { engine.clearFired(flow: flow) }
        }
        for slot in 0..<4 { engine.flowEnded(flow: UInt32(slot), flowID: flowIDs[slot]) }
    }
}
