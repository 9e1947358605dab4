/// Every error answer: `{"error": {"status", "reason", ...}}` (docs/api.md).
public struct APIErrorResponse: Codable, Sendable, Equatable {
    public var error: APIErrorDetail

    public init(error: APIErrorDetail) { self.error = error }
}

/// What went wrong; the optional fields appear where they apply.
public struct APIErrorDetail: Codable, Sendable, Equatable {
    /// The HTTP status, repeated.
    public var status: Int
    /// What went wrong.
    public var reason: String
    /// The request field at fault (`400` for a JSON field or query parameter).
    public var field: String?
    /// A policy or sensor file that does not validate (`422`): where, and the whole message.
    public var file: String?
    public var line: Int?
    public var column: Int?
    public var key: String?
    public var message: String?
    /// The version in force, when `If-Match` named another (`409`).
    public var currentVersion: Int?

    enum CodingKeys: String, CodingKey {
        case status, reason, field, file, line, column, key, message
        case currentVersion = "current_version"
    }

    public init(status: Int, reason: String, field: String? = nil, file: String? = nil, line: Int? = nil, column: Int? = nil,
                key: String? = nil, message: String? = nil, currentVersion: Int? = nil) {
        self.status = status; self.reason = reason; self.field = field; self.file = file; self.line = line
        self.column = column; self.key = key; self.message = message; self.currentVersion = currentVersion
    }

    /// The text a client shows: the located message when there is one, else the reason.
    public var text: String { message ?? reason }
}
