import Dataplane

/// A daemon config file (`sluice run --config`, configs/sidecar.yaml) through
/// `DaemonConfig.parse`. Input: the file's bytes.
enum DaemonConfigFuzz {
    static func run(_ data: UnsafeRawBufferPointer) {
        _ = try? DaemonConfig.parse(String(decoding: data, as: UTF8.self), file: "/fuzz/daemon.yaml")
    }
}
