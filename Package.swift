// swift-tools-version: 6.1
import PackageDescription

// Modules follow the packet: PacketIO reads frames, Codecs decodes them, Defrag rebuilds
// IP datagrams, Stream reassembles TCP, Flow tracks connections, Output writes EVE JSON,
// Engine wires one worker's pipeline, SluiceConfig loads YAML, and `sluice` is the CLI.
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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(name: "CPcap", path: "CSources/CPcap", pkgConfig: "libpcap",
                       providers: [.apt(["libpcap-dev"])]),
        .systemLibrary(name: "CHyperscan", path: "CSources/CHyperscan", pkgConfig: "libhs",
                       providers: [.apt(["libhyperscan-dev"])]),
        .systemLibrary(name: "CZlib", path: "CSources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .target(name: "CAllocCounter", path: "CSources/CAllocCounter"),

        .target(name: "Codecs", swiftSettings: hotPathSettings),
        .target(name: "Defrag", swiftSettings: hotPathSettings),
        .target(name: "Stream", swiftSettings: hotPathSettings),
        .target(name: "Flow", dependencies: ["Codecs", "Stream"], swiftSettings: hotPathSettings),
        .target(name: "Output", dependencies: ["Codecs"], swiftSettings: hotPathSettings),
        .target(name: "L7Core", dependencies: ["Stream", "Output"], swiftSettings: hotPathSettings),
        .target(name: "DNS", dependencies: ["L7Core", "Output", "Codecs"], swiftSettings: hotPathSettings),
        .target(name: "TLS", dependencies: ["L7Core", "Output"],
                swiftSettings: hotPathSettings),
        .target(name: "HTTP", dependencies: ["L7Core", "Output", "CZlib"], swiftSettings: hotPathSettings),
        .target(name: "HTTP2", dependencies: ["L7Core", "Output"], swiftSettings: hotPathSettings),
        .target(name: "Datastore", dependencies: ["L7Core"], swiftSettings: hotPathSettings),
        .target(name: "PacketIO", dependencies: ["CPcap", "Codecs"], swiftSettings: hotPathSettings),
        .target(name: "Engine",
                dependencies: ["Codecs", "Defrag", "Stream", "Flow", "Output", "PacketIO", "L7Core"],
                swiftSettings: hotPathSettings),
        .target(name: "L7", dependencies: ["Engine", "L7Core", "DNS", "TLS", "HTTP", "HTTP2", "Datastore", "Output", "Flow", "Stream", "Codecs"],
                swiftSettings: hotPathSettings),
        .target(name: "Policy", dependencies: ["Codecs", "L7Core", "SluiceConfig", .product(name: "Yams", package: "Yams")],
                swiftSettings: hotPathSettings),
        .target(name: "SluiceConfig",
                dependencies: ["Engine", "L7", .product(name: "Yams", package: "Yams")]),
        .executableTarget(name: "sluice",
                          dependencies: ["Engine", "L7", "PacketIO", "Policy", "SluiceConfig",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "SluiceBench",
                          dependencies: ["Engine", "L7", "PacketIO", "SluiceConfig", "CAllocCounter", "Codecs", "Flow",
                                         "Stream", "L7Core", "HTTP", "HTTP2", "Datastore", "DNS", "TLS"],
                          path: "perf/SluiceBench", swiftSettings: hotPathSettings),
        .executableTarget(name: "PolicyBench", dependencies: ["Policy", "Codecs", "L7Core", "CAllocCounter"],
                          path: "perf/PolicyBench", swiftSettings: hotPathSettings),

        .target(name: "SluiceTestSupport", dependencies: ["Codecs", "Engine", "Flow", "PacketIO", "Stream"],
                path: "Tests/TestSupport"),
        .testTarget(name: "CodecsTests", dependencies: ["Codecs", "SluiceTestSupport"]),
        .testTarget(name: "DefragTests", dependencies: ["Defrag", "SluiceTestSupport"]),
        .testTarget(name: "StreamTests", dependencies: ["Stream", "SluiceTestSupport"]),
        .testTarget(name: "FlowTests", dependencies: ["Flow", "Codecs", "SluiceTestSupport"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "PacketIO", "SluiceConfig", "SluiceTestSupport"]),
        .testTarget(name: "L7Tests", dependencies: ["L7", "Engine", "PacketIO", "SluiceTestSupport", "L7Core", "Codecs"]),
        .testTarget(name: "SluiceConfigTests", dependencies: ["SluiceConfig"]),
        .testTarget(name: "PolicyTests", dependencies: ["Policy", "Codecs", "L7Core", "SluiceConfig", "SluiceTestSupport"]),
        .testTarget(name: "DNSTests", dependencies: ["DNS", "Output", "Codecs", "PacketIO"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "L7Core", "Output", "PacketIO", "SluiceTestSupport"]),
        .testTarget(name: "HTTP2Tests", dependencies: ["HTTP2", "L7Core", "Output", "SluiceTestSupport"]),
        .testTarget(name: "DatastoreTests", dependencies: ["Datastore", "L7Core", "SluiceTestSupport"]),
        .testTarget(name: "TLSTests", dependencies: ["TLS", "Output", "SluiceTestSupport",
                                                .product(name: "Crypto", package: "swift-crypto")]),
    ]
)
