import Datastore
import DNS
import HTTP
import HTTP2
import L7Core
import SSH
import TLS

// The single place that knows every parser the stage runs: which pool serves which app
// (`ParserKind.init(app:tcp:)`), the pools themselves, and the switch that hands a pool to a
// generic operation (`L7Stage.withPool`). Adding a protocol adds a case to each of the three.

/// The parser pools, one per kind; flows borrow one parser (`ParserSlot`) at a time.
@usableFromInline
enum ParserKind: UInt8, CaseIterable {
    case tls, dnsTCP, http, http2, datastore, ssh

    /// The parser that reads `app`, nil for protocols only detected (or carried over UDP,
    /// whose datagrams the stage reads whole).
    @inlinable
    init?(app: AppProto, tcp: Bool) {
        switch app {
        case .tls: self = .tls
        case .dns where tcp: self = .dnsTCP
        case .http: self = .http
        case .http2: self = .http2
        case let app where app.isDatastore && tcp: self = .datastore
        case .ssh: self = .ssh
        default: return nil
        }
    }

    /// The word in the replay summary.
    var name: String {
        switch self {
        case .tls: "tls"
        case .dnsTCP: "dns"
        case .http: "http"
        case .http2: "http2"
        case .datastore: "datastore"
        case .ssh: "ssh"
        }
    }
}

/// The parser a flow holds: its pool and the index in it. `index < 0`: none.
@usableFromInline
struct ParserSlot {
    @usableFromInline var kind: ParserKind = .tls
    @usableFromInline var index: Int32 = -1
    @inlinable init() {}
    @inlinable init(kind: ParserKind, index: Int32) { self.kind = kind; self.index = index }
    /// Whether the flow holds a parser here.
    @inlinable var isActive: Bool { index >= 0 }
}

/// Every parser pool of one stage. A handle: the parsers and free lists live in storage the
/// pools allocated once, so copying the handle (as `withPool` does, to pass the stage along
/// as the sink) copies pointers; `deallocate()` frees it all.
@usableFromInline
struct ParserPools {
    /// TLS handshakes: client and server parser per slot.
    @usableFromInline let tls: SlotPool<TLSSession>
    /// DNS-over-TCP framing of both directions, over `dnsBuffers`.
    @usableFromInline let dnsTCP: SlotPool<DNSFraming>
    @usableFromInline let dnsBuffers: UnsafeMutableRawPointer
    @usableFromInline let http: SlotPool<HTTPFlowParser>
    @usableFromInline let http2: SlotPool<HTTP2FlowParser>
    @usableFromInline let datastore: SlotPool<DatastoreParser>
    @usableFromInline let ssh: SlotPool<SSHParser>
    /// Each pool's counts, indexed by `ParserKind.rawValue`.
    @usableFromInline let counts: UnsafeMutablePointer<SlotCounts>

    /// Pools sized by `config`; HTTP parsers borrow zlib state from `inflaters`.
    init(config: L7Config, inflaters: InflaterPoolHandle) {
        let counts = UnsafeMutablePointer<SlotCounts>.allocate(capacity: ParserKind.allCases.count)
        self.counts = counts
        func of(_ kind: ParserKind) -> UnsafeMutablePointer<SlotCounts> { counts + Int(kind.rawValue) }
        tls = SlotPool(slots: config.tlsHandshakes, counts: of(.tls)) { _ in TLSSession() }
        let dns = max(1, config.dnsTCPFlows)
        let buffers = UnsafeMutableRawPointer.allocate(byteCount: 2 * dns * 65536, alignment: 64)
        dnsBuffers = buffers
        dnsTCP = SlotPool(slots: dns, counts: of(.dnsTCP)) { i in DNSFraming(storage: buffers + 2 * i * 65536, bytesEach: 65536) }
        let httpConfig = config.http
        http = SlotPool(slots: config.httpFlows, counts: of(.http)) { _ in HTTPFlowParser(config: httpConfig, inflaters: inflaters) }
        http2 = SlotPool(slots: config.http2Flows, counts: of(.http2)) { _ in HTTP2FlowParser() }
        datastore = SlotPool(slots: config.datastoreFlows, counts: of(.datastore)) { _ in DatastoreParser(app: .unknown) }
        ssh = SlotPool(slots: config.sshFlows, counts: of(.ssh)) { _ in SSHParser() }
    }

    /// Frees every pool; HTTP parsers give their inflater slots back as they go.
    func deallocate() {
        tls.deallocate(); dnsTCP.deallocate(); http.deallocate(); http2.deallocate(); datastore.deallocate(); ssh.deallocate()
        dnsBuffers.deallocate()
        counts.deallocate()
    }

    /// Borrow attempts the pool of `kind` turned away because every parser was lent.
    func exhausted(_ kind: ParserKind) -> UInt64 { counts[Int(kind.rawValue)].exhausted }
}

/// An operation on whichever pool a flow's parser comes from, written once for every parser:
/// `withPool` calls `visit` with the concrete pool, so each call is specialised.
@usableFromInline
protocol PoolVisitor {
    associatedtype Result
    func visit<P: StreamParser & ~Copyable>(_ pool: SlotPool<P>, stage: inout L7Stage) -> Result
}

extension L7Stage {
    /// The per-protocol switch: runs `visitor` on the pool of `kind`.
    @inlinable
    mutating func withPool<V: PoolVisitor>(_ kind: ParserKind, _ visitor: V) -> V.Result {
        let pools = parsers
        switch kind {
        case .tls: return visitor.visit(pools.tls, stage: &self)
        case .dnsTCP: return visitor.visit(pools.dnsTCP, stage: &self)
        case .http: return visitor.visit(pools.http, stage: &self)
        case .http2: return visitor.visit(pools.http2, stage: &self)
        case .datastore: return visitor.visit(pools.datastore, stage: &self)
        case .ssh: return visitor.visit(pools.ssh, stage: &self)
        }
    }
}
