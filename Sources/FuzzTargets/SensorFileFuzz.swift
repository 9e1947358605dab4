import Sensors
import SluiceConfig

/// A sensor file (`sensors.files`, `PUT /v1/sensors`) through `SensorFile.parse`, then each
/// rule through the checks `SensorSet` makes before compiling (length, and
/// `hs_expression_info` for width); the compile itself is left out, since Hyperscan takes
/// milliseconds to seconds per set. Input: the file's bytes.
enum SensorFileFuzz {
    static func run(_ data: UnsafeRawBufferPointer) {
        guard let sensors = try? SensorFile.parse(String(decoding: data, as: UTF8.self), file: "/fuzz/sensors.yaml") else { return }
        for s in sensors {
            for r in s.rules { _ = try? SensorSet.checkPatterns(of: r) }
        }
    }
}
