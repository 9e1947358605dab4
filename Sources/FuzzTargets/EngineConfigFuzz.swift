import SluiceConfig

/// An engine settings file (`sluice --config`, configs/engine.yaml) through
/// `SluiceSettings.parse`: YAML composition with its alias and depth bounds, then every
/// size, duration and count with its range. Input: the file's bytes.
enum EngineConfigFuzz {
    static func run(_ data: UnsafeRawBufferPointer) {
        _ = try? SluiceSettings.parse(String(decoding: data, as: UTF8.self), file: "/fuzz/engine.yaml")
    }
}
