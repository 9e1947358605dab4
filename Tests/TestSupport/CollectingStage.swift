import Codecs
import Engine
import Flow
import PacketIO
import Stream

/// A piece of a reassembled stream: bytes, or a gap of missing bytes.
public enum Chunk: Equatable, CustomStringConvertible {
    case data([UInt8])
    case gap(Int)

    public var description: String {
        switch self {
        case .data(let b): return "\"" + String(decoding: b, as: UTF8.self) + "\""
        case .gap(let n): return "[\(n) bytes missing]"
        }
    }
}

/// One flow as the engine ended it, with its reassembled streams.
public struct FinishedFlow {
    public var client: IPAddress, clientPort: UInt16, server: IPAddress, serverPort: UInt16, proto: UInt8
    public var pktsToServer: UInt64, pktsToClient: UInt64, bytesToServer: UInt64, bytesToClient: UInt64
    public var state: FlowState, tcpState: TCPState, reason: FlowEndReason
    public var toServer: [Chunk], toClient: [Chunk]

    /// The stream rendered like Suricata's `payload_printable`, gaps as "[N bytes missing]".
    public func printable(_ d: Direction) -> String {
        (d == .toServer ? toServer : toClient).map { c -> String in
            switch c {
            case .data(let b): return String(decoding: b, as: UTF8.self)
            case .gap(let n): return "[\(n) bytes missing]"
            }
        }.joined()
    }

    public func bytes(_ d: Direction) -> [UInt8] {
        (d == .toServer ? toServer : toClient).flatMap { c -> [UInt8] in
            if case .data(let b) = c { return b } else { return [] }
        }
    }
}

/// A test stage that keeps everything: streams per flow, rebuilt datagrams, ended flows.
public struct CollectingStage: InspectionStage {
    var live: [UInt32: (toServer: [Chunk], toClient: [Chunk])] = [:]
    /// Ended flows with their streams, in the order they ended.
    public var finished: [FinishedFlow] = []
    /// IP datagrams of packets that came out of the defragmenter (or all IP packets when `keepAllDatagrams`).
    public var datagrams: [[UInt8]] = []
    /// The kind of every packet handed over, in order.
    public var kinds: [DecodedPacket.Kind] = []
    /// Keep every IP packet's datagram, not only the rebuilt ones.
    public var keepAllDatagrams = false

    /// Collects nothing yet.
    public init() {}

    public mutating func packet(_ p: borrowing DecodedPacket, bytes: UnsafeRawBufferPointer, flow: UInt32?,
                         direction: Direction, entry: UnsafeMutablePointer<FlowEntry>?) -> Verdict {
        let kind = p.kind, start = Int(p.l3Offset), length = Int(p.l3Length)
        kinds.append(kind)
        if kind == .ip && (keepAllDatagrams || start == 0) && length > 0 {
            datagrams.append(Array(bytes[start..<(start + length)]))
        }
        return .pass
    }

    public mutating func flowEnded(flow: UInt32, entry: UnsafeMutablePointer<FlowEntry>, reason: FlowEndReason) {
        let e = entry.pointee
        let s = live.removeValue(forKey: flow) ?? ([], [])
        finished.append(FinishedFlow(client: e.client, clientPort: e.clientPort, server: e.server, serverPort: e.serverPort,
                                     proto: e.proto, pktsToServer: e.pktsToServer, pktsToClient: e.pktsToClient,
                                     bytesToServer: e.bytesToServer, bytesToClient: e.bytesToClient,
                                     state: e.state, tcpState: e.tcpState, reason: reason,
                                     toServer: s.toServer, toClient: s.toClient))
    }

    public mutating func streamData(flow: UInt32, direction: Direction, bytes: UnsafeRawBufferPointer) {
        append(flow, direction, bytes: Array(bytes))
    }

    public mutating func streamGap(flow: UInt32, direction: Direction, length: UInt32) {
        var s = live[flow] ?? ([], [])
        if direction == .toServer { s.toServer.append(.gap(Int(length))) } else { s.toClient.append(.gap(Int(length))) }
        live[flow] = s
    }

    private mutating func append(_ flow: UInt32, _ d: Direction, bytes: [UInt8]) {
        var s = live[flow] ?? ([], [])
        func add(_ list: inout [Chunk]) {
            if case .data(let prev)? = list.last { list[list.count - 1] = .data(prev + bytes) } else { list.append(.data(bytes)) }
        }
        if d == .toServer { add(&s.toServer) } else { add(&s.toClient) }
        live[flow] = s
    }
}

/// Replays captures through a real worker for tests.
public enum TestReplay {
    /// Replays `path` through a fresh worker with a collecting stage and returns the stage
    /// after shutdown (every flow ended and flushed), plus the worker's stats.
    public static func run(_ path: String, config: EngineConfig = EngineConfig(), keepAllDatagrams: Bool = false,
                           eveFD: Int32 = -1) throws -> (stage: CollectingStage, stats: EngineStats) {
        var source = try PcapFile(path: path)
        var stage = CollectingStage()
        stage.keepAllDatagrams = keepAllDatagrams
        var worker = Worker(config: config, stage: stage, eveFD: eveFD)
        _ = try Replay.run(&source, through: &worker)
        worker.shutdown()
        let stats = worker.stats()
        return (worker.stage, stats)
    }
}
