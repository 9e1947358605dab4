// swift-tools-version: 6.1
import PackageDescription
import Foundation

// DPDK (Debian's libdpdk-dev, 22.11): SwiftPM's pkg-config reader rejects Debian's libdpdk.pc
// (its Description spans lines), so the flags pkg-config would give are spelled here, and only
// when the headers are installed; without them CDPDKShim builds as "no DPDK". -march=corei7
// is what Debian built DPDK for: its static-inline rte_memcpy needs SSSE3.
let dpdkInstalled = FileManager.default.fileExists(atPath: "/usr/include/dpdk/rte_ethdev.h")
#if arch(x86_64)
let dpdkArchFlags = ["-I/usr/include/x86_64-linux-gnu/dpdk", "-march=corei7"]
#else
let dpdkArchFlags = ["-I/usr/include/aarch64-linux-gnu/dpdk"]
#endif
let dpdkCSettings: [CSetting] = dpdkInstalled ? [.unsafeFlags(["-I/usr/include/dpdk"] + dpdkArchFlags)] : []
let dpdkLinkerSettings: [LinkerSetting] = dpdkInstalled
    ? ["rte_ethdev", "rte_mbuf", "rte_mempool", "rte_ring", "rte_eal"].map { .linkedLibrary($0) }
    : []

// Modules follow the packet: PacketIO reads frames, Codecs decodes them, Defrag rebuilds
// IP datagrams, Stream reassembles TCP, Flow tracks connections, Output writes EVE JSON,
// Capture records frames to pcapng on demand, Engine wires one worker's pipeline. L7Core is
// the parser framework; DNS, TLS, HTTP, HTTP2, Datastore and SSH (identification strings and
// HASSH) parse protocols, and L7 detects each flow's protocol and runs its parser from one pool
// per protocol. PatternMatch compiles Hyperscan databases, Sensors runs DLP/WAF rules on them.
// Policy compiles whitelist policies, Enforce applies them and the sensors' verdicts.
// ConfigYAML (a leaf: Yams only) reads YAML into located errors for every loader; SluiceConfig
// loads the engine settings. Telemetry serves metrics, ControlAPI the control API (its types and
// OpenAPI document in APITypes, a leaf shared with the clients), Dataplane
// runs the daemon's workers, ClusterControl watches the desired state in etcd, and `sluice` is
// the CLI (and the supervisor of the daemon it runs).
// FuzzTargets holds a libFuzzer target per parser and loader; `sluice-fuzz` runs them.
// docs/architecture.md shows the dependency graph.
let hotPathSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "Sluice",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sluice", targets: ["sluice"]),
        .executable(name: "sluice-bench", targets: ["SluiceBench"]),
        .executable(name: "sluice-policy-bench", targets: ["PolicyBench"]),
        .executable(name: "sluice-fuzz", targets: ["SluiceFuzz"]),
        .executable(name: "sluice-etcd-fanout", targets: ["EtcdFanout"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // etcd's v3 JSON gateway (cluster policy distribution, Sources/ClusterControl).
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.30.0"),
    ],
    targets: [
        .systemLibrary(name: "CPcap", path: "CSources/CPcap", pkgConfig: "libpcap",
                       providers: [.apt(["libpcap-dev"])]),
        .systemLibrary(name: "CHyperscan", path: "CSources/CHyperscan", pkgConfig: "libhs",
                       providers: [.apt(["libhyperscan-dev"])]),
        .systemLibrary(name: "CZlib", path: "CSources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLzma", path: "CSources/CLzma", pkgConfig: "liblzma",
                       providers: [.apt(["liblzma-dev"])]),
        // DPDK's static-inline fast path (rx/tx burst, mbufs) as plain functions for Swift.
        .target(name: "CDPDKShim", path: "CSources/CDPDKShim", cSettings: dpdkCSettings, linkerSettings: dpdkLinkerSettings),
        .target(name: "CAllocCounter", path: "CSources/CAllocCounter"),
        .target(name: "CAFPacket", path: "CSources/CAFPacket"),
        .target(name: "CHSCompile", dependencies: ["CHyperscan"], path: "CSources/CHSCompile"),

        .target(name: "Codecs", swiftSettings: hotPathSettings),
        .target(name: "Defrag", swiftSettings: hotPathSettings),
        .target(name: "Stream", swiftSettings: hotPathSettings),
        .target(name: "Flow", dependencies: ["Codecs", "Stream"], swiftSettings: hotPathSettings),
        .target(name: "Output", dependencies: ["Codecs"], swiftSettings: hotPathSettings),
        .target(name: "L7Core", dependencies: ["Stream", "Output"], swiftSettings: hotPathSettings),
        .target(name: "DNS", dependencies: ["L7Core", "Output", "Codecs"], swiftSettings: hotPathSettings),
        // Digests: MD5, SHA-1 and SHA-256 without allocating (TLS fingerprints, JA3, HASSH, Community ID).
        .target(name: "Digests", swiftSettings: hotPathSettings),
        .target(name: "TLS", dependencies: ["L7Core", "Output", "Digests"],
                swiftSettings: hotPathSettings),
        .target(name: "HTTP", dependencies: ["L7Core", "Output", "CZlib", "CLzma"], swiftSettings: hotPathSettings),
        .target(name: "HTTP2", dependencies: ["L7Core", "Output"], swiftSettings: hotPathSettings),
        .target(name: "Datastore", dependencies: ["L7Core"], swiftSettings: hotPathSettings),
        .target(name: "SSH", dependencies: ["L7Core", "Output", "TLS", "Digests"], swiftSettings: hotPathSettings),
        .target(name: "PatternMatch", dependencies: ["CHyperscan", "CHSCompile"], swiftSettings: hotPathSettings),
        .target(name: "Sensors", dependencies: ["PatternMatch"], swiftSettings: hotPathSettings),
        .target(name: "PacketIO", dependencies: ["CPcap", "CAFPacket", "Codecs"], swiftSettings: hotPathSettings),
        .target(name: "Capture", dependencies: ["CPcap"], swiftSettings: hotPathSettings),
        // The DPDK backend: ports implementing PacketIO's PacketPort (docs/dpdk.md).
        .target(name: "DPDKIO", dependencies: ["CDPDKShim", "PacketIO", "Codecs"], swiftSettings: hotPathSettings),
        .target(name: "Engine",
                dependencies: ["Codecs", "Defrag", "Stream", "Flow", "Output", "PacketIO", "L7Core", "Digests"],
                swiftSettings: hotPathSettings),
        // Network threat detection (floods, handshake anomalies, DNS/TLS/HTTP attacks): fixed
        // per-worker rate tables and per-flow state, fed by the engine and the L7 sinks.
        .target(name: "Threats", dependencies: ["Codecs", "Flow", "Stream"], swiftSettings: hotPathSettings),
        .target(name: "L7", dependencies: ["Engine", "L7Core", "Sensors", "Threats", "DNS", "TLS", "HTTP", "HTTP2", "Datastore", "SSH", "Output", "Flow", "Stream", "Codecs"],
                swiftSettings: hotPathSettings),
        // The YAML reader and located errors every config, policy and sensor loader shares; a leaf,
        // so the policy compiler and the control API build without the engine or libhs.
        .target(name: "ConfigYAML", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(name: "Policy", dependencies: ["Codecs", "L7Core", "ConfigYAML", .product(name: "Yams", package: "Yams")],
                swiftSettings: hotPathSettings),
        .target(name: "Enforce", dependencies: ["Engine", "L7", "Policy", "Sensors", "Threats", "Flow", "Codecs", "L7Core", "Output", "Stream"],
                swiftSettings: hotPathSettings),
        .target(name: "SluiceConfig",
                dependencies: ["ConfigYAML", "Engine", "L7", "Sensors", "PatternMatch", "Threats", .product(name: "Yams", package: "Yams")]),
        .target(name: "Dataplane",
                dependencies: ["Engine", "Enforce", "L7", "PacketIO", "DPDKIO", "Policy", "Sensors", "SluiceConfig", "ConfigYAML", "Codecs", "CAFPacket", "Threats",
                               "ControlAPI", "APITypes", "Capture", "Telemetry", "Output", "ClusterControl",
                               .product(name: "Logging", package: "swift-log")],
                swiftSettings: hotPathSettings),
        // The control API's request and response types and its OpenAPI document, shared by the
        // server (ControlAPI, Dataplane) and the clients (`sluice ctl`, `sluice control`).
        .target(name: "APITypes"),
        .target(name: "ControlAPI",
                dependencies: ["APITypes", "ConfigYAML", "Telemetry", .product(name: "NIOCore", package: "swift-nio"),
                               .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio")]),
        // The etcd client, the watcher that applies the desired state and the node status reporter.
        .target(name: "ClusterControl",
                dependencies: ["Telemetry", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                               .product(name: "NIOSSL", package: "swift-nio-ssl"), "ConfigYAML",
                               .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")]),
        .target(name: "Telemetry",
                dependencies: ["Codecs", "Defrag", "Stream", "L7Core", "Threats", .product(name: "NIOCore", package: "swift-nio"),
                               .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio")],
                swiftSettings: hotPathSettings),
        .executableTarget(name: "sluice",
                          dependencies: ["Engine", "Enforce", "L7", "PacketIO", "Policy", "Sensors", "SluiceConfig", "ConfigYAML", "Dataplane",
                                         "DPDKIO", "ControlAPI", "APITypes", "ClusterControl", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                                         .product(name: "Logging", package: "swift-log")]),
        .executableTarget(name: "SluiceBench",
                          dependencies: ["Engine", "Enforce", "Policy", "L7", "PacketIO", "SluiceConfig", "CAllocCounter", "Codecs", "Flow",
                                         "Stream", "L7Core", "HTTP", "HTTP2", "Datastore", "DNS", "TLS", "PatternMatch", "Sensors", "Dataplane"],
                          path: "perf/SluiceBench", swiftSettings: hotPathSettings),
        .executableTarget(name: "EtcdFanout", dependencies: ["ClusterControl"], path: "perf/EtcdFanout"),
        .executableTarget(name: "PolicyBench", dependencies: ["Policy", "Codecs", "L7Core", "CAllocCounter"],
                          path: "perf/PolicyBench", swiftSettings: hotPathSettings),

        // libFuzzer targets (scripts/fuzz.sh) and the runner that replays their inputs.
        .target(name: "FuzzTargets",
                dependencies: ["Codecs", "Defrag", "Stream", "Flow", "Engine", "L7", "L7Core", "DNS", "TLS", "HTTP", "HTTP2",
                               "Datastore", "SSH", "Sensors", "PatternMatch", "ConfigYAML", "SluiceConfig", "Policy", "PacketIO", "Output", "Dataplane", "Threats",
                               "ControlAPI", "APITypes", "ClusterControl"]),
        .executableTarget(name: "SluiceFuzz", dependencies: ["FuzzTargets"]),

        .target(name: "SluiceTestSupport", dependencies: ["Codecs", "Engine", "Flow", "PacketIO", "Stream"],
                path: "Tests/TestSupport"),
        .testTarget(name: "CodecsTests", dependencies: ["Codecs", "SluiceTestSupport"]),
        .testTarget(name: "DefragTests", dependencies: ["Defrag", "SluiceTestSupport"]),
        .testTarget(name: "StreamTests", dependencies: ["Stream", "SluiceTestSupport"]),
        .testTarget(name: "FlowTests", dependencies: ["Flow", "Codecs", "SluiceTestSupport"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "PacketIO", "SluiceConfig", "SluiceTestSupport"]),
        .testTarget(name: "L7Tests", dependencies: ["L7", "Engine", "PacketIO", "SluiceTestSupport", "L7Core", "Codecs"]),
        .testTarget(name: "SluiceConfigTests", dependencies: ["SluiceConfig", "ConfigYAML"]),
        .testTarget(name: "PolicyTests", dependencies: ["Policy", "Codecs", "L7Core", "ConfigYAML", "SluiceTestSupport"]),
        .testTarget(name: "PatternMatchTests", dependencies: ["PatternMatch", "SluiceTestSupport"]),
        .testTarget(name: "SensorsTests", dependencies: ["Sensors", "SluiceConfig", "L7", "Engine", "PacketIO", "PatternMatch",
                                                        "CAllocCounter", "SluiceTestSupport", "Enforce", "Policy"]),
        .testTarget(name: "DataplaneUnitTests", dependencies: ["Dataplane", "ControlAPI", "APITypes", "ConfigYAML", "Policy", .product(name: "Logging", package: "swift-log"),
                                                              .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "APITypesTests", dependencies: ["APITypes", "ControlAPI", .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "DataplaneTests", dependencies: []),
        .testTarget(name: "ClusterControlTests", dependencies: ["ClusterControl", "ConfigYAML"]),
        .testTarget(name: "ThreatsTests", dependencies: ["Threats", "Enforce", "Policy", "L7", "Engine", "PacketIO", "SluiceConfig"]),
        .testTarget(name: "EnforceTests", dependencies: ["Enforce", "Policy", "L7", "Engine", "PacketIO", "Codecs"]),
        .testTarget(name: "CaptureTests", dependencies: ["Capture", "PacketIO"]),
        .testTarget(name: "PacketIOTests", dependencies: ["PacketIO", "Codecs"]),
        .testTarget(name: "DPDKTests", dependencies: ["DPDKIO", "PacketIO", "CAllocCounter"]),
        .testTarget(name: "DNSTests", dependencies: ["DNS", "Output", "Codecs", "PacketIO"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "L7Core", "Output", "PacketIO", "SluiceTestSupport", "CLzma"]),
        .testTarget(name: "HTTP2Tests", dependencies: ["HTTP2", "L7Core", "Output", "SluiceTestSupport"]),
        .testTarget(name: "DatastoreTests", dependencies: ["Datastore", "L7Core", "SluiceTestSupport"]),
        .testTarget(name: "SSHTests", dependencies: ["SSH", "L7Core", "Output"]),
        .testTarget(name: "TelemetryTests", dependencies: ["Telemetry", "Codecs", "L7Core", "Threats"]),
        .testTarget(name: "FuzzTests", dependencies: ["FuzzTargets"]),
        .testTarget(name: "TLSTests", dependencies: ["TLS", "Digests", "Output", "SluiceTestSupport",
                                                .product(name: "Crypto", package: "swift-crypto")]),
    ]
)
