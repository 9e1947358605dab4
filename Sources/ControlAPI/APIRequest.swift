import APITypes
import Foundation

/// A request as the router sees it: method, path, query, headers and the whole body.
public struct APIRequest: Sendable {
    /// `GET`, `PUT`, `POST`, `DELETE`.
    public var method: String
    /// The path without the query (`/v1/policy`).
    public var path: String
    /// Query parameters.
    public var query: [String: String]
    /// Header values by lower-cased name.
    public var headers: [String: String]
    /// The body.
    public var body: [UInt8]

    /// A request from its parts; `uri` may carry a query.
    public init(method: String, uri: String, headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = String(parts[0])
        var q: [String: String] = [:]
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                q[String(kv[0]).removingPercentEncoding ?? String(kv[0])] =
                    kv.count > 1 ? (String(kv[1]).removingPercentEncoding ?? String(kv[1])) : ""
            }
        }
        query = q
        var h: [String: String] = [:]
        for (k, v) in headers { h[k.lowercased()] = v }
        self.headers = h
        self.body = body
    }
}

/// A response: status, content type and body.
public struct APIResponse: Sendable {
    /// HTTP status code.
    public var status: Int
    /// `Content-Type`.
    public var contentType: String
    /// The body.
    public var body: [UInt8]
    /// Extra headers.
    public var headers: [String: String] = [:]
    /// When set, the body is followed by what is appended to this file, until the client
    /// disconnects (the event stream's follow mode); sent chunked.
    public var followFile: (path: String, offset: UInt64)?

    /// A response with `body`.
    public init(status: Int, contentType: String, body: [UInt8], headers: [String: String] = [:]) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }

    /// A JSON response of `value`, one of the APITypes the OpenAPI document describes.
    public static func json<T: Encodable>(_ status: Int, _ value: T, headers: [String: String] = [:]) -> APIResponse {
        APIResponse(status: status, contentType: "application/json", body: APIJSON.encode(value), headers: headers)
    }

    /// A JSON error: `{"error": {"status": N, "reason": "..."}}`.
    public static func error(_ status: Int, _ reason: String) -> APIResponse {
        error(APIErrorDetail(status: status, reason: reason))
    }

    /// A JSON error with its detail (the field at fault, a file position, the version in force).
    public static func error(_ detail: APIErrorDetail) -> APIResponse {
        json(detail.status, APIErrorResponse(error: detail))
    }
}
