import Policy

/// A policy document (a file, `PUT /v1/policy`, `sluice control`) through
/// `PolicyDocument.parse` and, when it validates, `CompiledPolicy`: the loader's limits must
/// keep the compile cheap for any document, and `PolicyDocument.yaml` must write it so it reads
/// back equal. Input: the document's bytes.
enum PolicyFuzz {
    static func run(_ data: UnsafeRawBufferPointer) {
        guard let doc = try? PolicyDocument.parse(String(decoding: data, as: UTF8.self), file: "/fuzz/policy.yaml") else { return }
        _ = CompiledPolicy(doc)
        // What `ctl policy learned --merge-into` prints must read back to the same policy.
        let written = doc.yaml
        guard let again = try? PolicyDocument.parse(written, file: "/fuzz/written.yaml"), again == doc else {
            fatalError("the written policy does not read back equal:\n\(written)")
        }
    }
}
