/// `GET /v1/interfaces`: every interface attached now.
public struct InterfacesResponse: Codable, Sendable, Equatable {
    public var interfaces: [InterfaceInfo]

    public init(interfaces: [InterfaceInfo]) { self.interfaces = interfaces }
}

/// One attached interface: from the config, attached through the API, or a container's veth
/// the daemon found (docs/deploy.md).
public struct InterfaceInfo: Codable, Sendable, Equatable {
    public var name: String
    /// `inline` or `tap`.
    public var mode: String
    /// Inline: the two interfaces bridged (a container's veth and Sluice's side when interposed).
    public var pair: [String]?
    /// Tap: the interface inspected.
    public var interface: String?
    /// The policy workload (from the config, the request, or the container's labels).
    public var workload: String?
    /// `config`, `api` or `container`.
    public var origin: String
    /// The container's name and id, when the runtime named them.
    public var container: String?
    public var containerID: String?
    /// The bridge a container's veth was taken off (inline on a container).
    public var bridge: String?
    /// When the link was seen and when every worker read it (seconds since 1970, UTC).
    public var linkSeenAt: Double?
    public var attachedAt: Double

    enum CodingKeys: String, CodingKey {
        case name, mode, pair, interface, workload, origin, container, bridge
        case containerID = "container_id"
        case linkSeenAt = "link_seen_at"
        case attachedAt = "attached_at"
    }

    public init(name: String, mode: String, pair: [String]?, interface: String?, workload: String?, origin: String,
                container: String?, containerID: String?, bridge: String?, linkSeenAt: Double?, attachedAt: Double) {
        self.name = name; self.mode = mode; self.pair = pair; self.interface = interface; self.workload = workload
        self.origin = origin; self.container = container; self.containerID = containerID; self.bridge = bridge
        self.linkSeenAt = linkSeenAt; self.attachedAt = attachedAt
    }
}

/// `POST /v1/interfaces`: attach an interface by hand (for a runtime the daemon does not
/// watch): the same fields as an interface of the daemon config.
public typealias AttachRequest = InterfaceStatus
