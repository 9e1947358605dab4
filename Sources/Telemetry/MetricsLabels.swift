/// What the numbers in `WorkerMetrics` are called, given at render time: interface names
/// and the names of policy rules and sensor rules. Lookups run on the scraping thread.
public struct MetricsLabels: Sendable {
    /// One interface as the daemon numbers it.
    public struct Interface: Sendable, Equatable {
        /// The interface number workers count under (`InterfaceTraffic` index).
        public var index: Int
        /// The `interface` label value (the daemon's interface name).
        public var name: String
        /// The `direction` label values: `[0]` for `TrafficDirection.aToB`, `[1]` for `bToA`.
        /// An inline pair names both (e.g. `eth0_to_eth1`, `eth1_to_eth0`); a tap one (`in`).
        public var directions: [String]

        /// An interface numbered `index`, called `name`, with its direction names.
        public init(index: Int, name: String, directions: [String]) {
            self.index = index; self.name = name; self.directions = directions
        }
    }

    /// The interfaces to label; traffic counted under a number not listed here is still
    /// shown, labelled with the number and `a_to_b` / `b_to_a`.
    public var interfaces: [Interface]
    /// A policy rule's description for the `rule` label (nil: empty label).
    public var ruleDescription: @Sendable (_ ruleID: Int) -> String?
    /// The sensor and rule name of a sensor rule sid (nil: empty labels).
    public var sensorRule: @Sendable (_ sid: Int) -> (sensor: String, rule: String)?

    /// Labels with the given interfaces and lookups (by default none: numbers only).
    public init(interfaces: [Interface] = [],
                ruleDescription: @escaping @Sendable (Int) -> String? = { _ in nil },
                sensorRule: @escaping @Sendable (Int) -> (sensor: String, rule: String)? = { _ in nil }) {
        self.interfaces = interfaces
        self.ruleDescription = ruleDescription
        self.sensorRule = sensorRule
    }
}
