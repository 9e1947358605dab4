import Foundation
import Sensors

/// `sluice sensors list --json`: the built-in sets, their sensors and rules.
struct SensorListing: Encodable {
    struct Rule: Encodable {
        var id: UInt32
        var name: String
        var context: String
        /// The check a match must pass (`luhn`, ...); absent when none.
        var validate: String?
        var severity: UInt8
        var action: String
        var patterns: Int
    }
    struct Sensor: Encodable {
        var name: String
        var rules: [Rule]
    }
    struct Set: Encodable {
        var name: String
        var sensors: [Sensor]

        init(name: String, sensors: [Sensors.Sensor]) {
            self.name = name
            self.sensors = sensors.map { s in
                Sensor(name: s.name, rules: s.rules.map { r in
                    Rule(id: r.id, name: r.name, context: "\(r.context)", validate: r.validate == .none ? nil : "\(r.validate)",
                         severity: r.severity, action: "\(r.action)", patterns: r.patterns.count)
                })
            }
        }
    }

    var sets: [Set]

    /// One line of JSON (keys sorted).
    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings and integers only: encoding cannot fail.
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
