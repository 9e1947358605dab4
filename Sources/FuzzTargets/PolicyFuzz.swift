import Policy

/// A policy document (a file, `PUT /v1/policy`, `sluice control`) through
/// `PolicyDocument.parse` and, when it validates, `CompiledPolicy`: the loader's limits must
/// keep the compile cheap for any document. Input: the document's bytes.
enum PolicyFuzz {
    static func run(_ data: UnsafeRawBufferPointer) {
        guard let doc = try? PolicyDocument.parse(String(decoding: data, as: UTF8.self), file: "/fuzz/policy.yaml") else { return }
        _ = CompiledPolicy(doc)
    }
}
