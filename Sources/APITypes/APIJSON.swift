import Foundation

/// How the API's JSON is written and read, on both sides: keys sorted (responses compare byte
/// for byte across runs), every type's field names fixed by its `CodingKeys`.
public enum APIJSON {
    /// `value` as JSON text followed by a newline, as every response body is.
    public static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // The API's types hold strings, integers, finite doubles, booleans and containers of
        // them (no custom encode that can throw, no NaN): encoding cannot fail.
        guard let data = try? encoder.encode(value) else { return Array("{}\n".utf8) }
        return Array(data) + [0x0A]
    }

    /// Reads `bytes` as a `T`.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try JSONDecoder().decode(type, from: Data(bytes))
    }
}
