import ClusterControl

/// Every libFuzzer target of Sluice: one case per decoder, parser or loader that sees bytes from
/// the wire, a file or an API client. `scripts/fuzz.sh` builds `sluice-fuzz` with
/// `-sanitize=fuzzer,address` and runs each case with its seed corpus from `Tests/Fuzz/corpus/NAME`;
/// `FuzzRegressionTests` runs every seed and every saved crash (`Tests/Fuzz/regressions/NAME`)
/// through the same entry points in the ordinary test build, so a fixed crash stays fixed.
///
/// A target must never trap, leak or loop without bound on any input: that is the property
/// the fuzzer checks. Targets keep their expensive set-up (sensor databases, tables) in
/// statics built once per process, since libFuzzer calls them millions of times.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// One frame through the link, IP and transport decoders, for every link type Sluice reads.
    case decode
    /// A sequence of frames through the whole replay pipeline: decode, defrag, flows, TCP
    /// reassembly, app detection, every L7 parser and the built-in sensors.
    case pipeline
    /// A capture file (pcap or pcapng) through the replay reader.
    case captureFile
    /// IPv4/IPv6 fragment sequences through the defragmenter: overlaps, reordering, limits.
    case defrag
    /// TCP segment sequences, both directions, through the stream reassembler.
    case stream
    /// The content-based app detector on the first bytes of each direction.
    case appDetect
    /// DNS messages over UDP and DNS-over-TCP framing, with the EVE writer.
    case dns
    /// TLS records and handshakes, both directions, with JA3/JA4 and certificates.
    case tls
    /// The WAF normalizers: URL decoding rounds, header lines, form bodies in pieces.
    case wafNormalize
    /// The sensor engine scanning in every context; the validators.
    case sensors
    /// Both directions of an HTTP/1 flow: pipelining, chunked and compressed bodies, gaps, h2c.
    case http1
    /// Both directions of an HTTP/2 flow: frames, padding, HPACK, gRPC, gaps.
    case http2
    /// HPACK header blocks alone (integers, Huffman, dynamic table and its size updates).
    case hpack
    /// URI normalization, gRPC path split, request targets and Host headers.
    case uri
    /// Both directions of a datastore or broker flow, the protocol picked by the first byte.
    case datastore
    /// The datastore and service probes on stream prefixes and datagrams.
    case datastoreProbe
    /// Both directions of an SSH handshake: identification lines, packet lengths, KEXINIT, HASSH.
    case ssh
    /// The threat stage's readers: DNS name walk, TLS record walk, HTTP headers, SSH versions,
    /// MySQL errors (`ThreatEngine`).
    case threats
    /// An engine settings file through `SluiceSettings.parse`.
    case engineConfig
    /// A policy document through `PolicyDocument.parse` and `CompiledPolicy`.
    case policy
    /// A sensor file through `SensorFile.parse` and the pre-compile pattern checks.
    case sensorFile
    /// A daemon config file through `DaemonConfig.parse`.
    case daemonConfig
    /// One request through the local API's router (routing, query numbers, JSON bodies)
    /// with a stub backend.
    case apiRequest
    /// An answer from etcd's JSON gateway (watch stream line, range answer) through the
    /// cluster watcher's decoders.
    case etcdAnswer
    /// What the container watcher reads from outside: an interposition record (read back after
    /// a crash), the runtime's container list (`podman ps --format json`), and an attach request
    /// body (`POST /v1/interfaces`). The first byte picks which.
    case containers

    /// Builds what the target keeps for the whole process (sensor databases), before libFuzzer
    /// starts timing inputs: a first input must not pay seconds of Hyperscan compile.
    public func prepare() {
        switch self {
        case .pipeline, .sensors: _ = PipelineFuzz.sensorSet
        case .apiRequest: _ = StubBackend.eve
        default: break
        }
    }

    /// Runs the target on one input.
    public func run(_ data: UnsafeRawBufferPointer) {
        switch self {
        case .decode: DecodeFuzz.run(data)
        case .pipeline: PipelineFuzz.run(data)
        case .captureFile: CaptureFileFuzz.run(data)
        case .defrag: DefragFuzz.run(data)
        case .stream: StreamFuzz.run(data)
        case .appDetect: AppDetectFuzz.run(data)
        case .dns: DNSFuzz.run(data)
        case .tls: TLSFuzz.run(data)
        case .wafNormalize: WAFNormalizeFuzz.run(data)
        case .sensors: SensorsFuzz.run(data)
        case .http1: HTTP1Fuzz.run(data)
        case .http2: HTTP2Fuzz.run(data)
        case .hpack: HPACKFuzz.run(data)
        case .uri: URIFuzz.run(data)
        case .datastore: DatastoreFuzz.run(data)
        case .datastoreProbe: DatastoreProbeFuzz.run(data)
        case .ssh: SSHFuzz.run(data)
        case .threats: ThreatsFuzz.run(data)
        case .engineConfig: EngineConfigFuzz.run(data)
        case .policy: PolicyFuzz.run(data)
        case .sensorFile: SensorFileFuzz.run(data)
        case .daemonConfig: DaemonConfigFuzz.run(data)
        case .apiRequest: APIRequestFuzz.run(data)
        case .etcdAnswer: EtcdAnswerDecoding.decodeAll(Array(data))
        case .containers: ContainersFuzz.run(data)
        }
    }
}
