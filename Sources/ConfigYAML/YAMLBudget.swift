// libyaml is Yams' own parser (the CYaml module Yams builds); its events are read here
// directly because Yams composes a whole document, aliases included, before anyone can look.
import CYaml

/// The most a YAML document may hold, checked before Yams composes it.
///
/// Yams resolves an alias (`*a`) to the anchored node, which costs nothing while composing but
/// makes every later walk (and Yams' own duplicate-key check, which hashes each key) visit the
/// anchored tree again: nine levels of ten aliases each are 10⁹ nodes in a few hundred bytes.
/// Nesting is bounded too, because Yams composes recursively.
public enum YAMLLimits {
    /// The largest document read (files, and texts pushed through the API).
    public static let maxDocumentBytes = 16 << 20
    /// The deepest nesting of sequences and mappings.
    public static let maxDepth = 64
    /// The most nodes a document may have once every alias is expanded.
    public static let maxNodes = 500_000

    /// Fails when `text` is larger, deeper or (aliases expanded) bigger than the limits. Cost
    /// is one pass over libyaml's events, whatever the aliases expand to. Syntax errors are
    /// left to the composer, which reports them with their position.
    static func check(_ text: String, file: String) throws(ConfigError) {
        let size = text.utf8.count
        guard size <= maxDocumentBytes else {
            throw ConfigError(file: file, line: 0, column: 0, key: "",
                              reason: "document is \(size) bytes, larger than the \(maxDocumentBytes >> 20) MiB a document may be")
        }
        var copy = text
        let outcome = copy.withUTF8 { walk($0) }
        guard let (problem, line, column) = outcome else { return }
        throw ConfigError(file: file, line: line, column: column, key: "", reason: problem)
    }

    /// One pass over the events; the problem and its 1-based position, or nil when within limits.
    private static func walk(_ bytes: UnsafeBufferPointer<UInt8>) -> (String, Int, Int)? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_input_string(&parser, bytes.baseAddress, bytes.count)
        // Expanded size of each anchor, and of each open collection so far (each value is at
        // most maxNodes, checked on every addition, so sums cannot overflow).
        var anchors: [String: Int] = [:]
        var open: [(size: Int, anchor: String?)] = []
        var aliases = 0
        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
            defer { yaml_event_delete(&event) }
            let at = (Int(event.start_mark.line) + 1, Int(event.start_mark.column) + 1)
            var finished: Int?
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return nil
            case YAML_SCALAR_EVENT:
                if let a = event.data.scalar.anchor { anchors[String(cString: a)] = 1 }
                finished = 1
            case YAML_ALIAS_EVENT:
                aliases += 1
                // An undefined alias is the composer's error to report.
                finished = event.data.alias.anchor.flatMap { anchors[String(cString: $0)] } ?? 1
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                guard open.count < maxDepth else {
                    return ("nested more than \(maxDepth) levels deep", at.0, at.1)
                }
                let a = event.type == YAML_SEQUENCE_START_EVENT ? event.data.sequence_start.anchor : event.data.mapping_start.anchor
                open.append((1, a.map { String(cString: $0) }))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let done = open.popLast() else { return nil }
                if let a = done.anchor { anchors[a] = done.size }
                finished = done.size
            default:
                break
            }
            guard let n = finished, !open.isEmpty else { continue }
            open[open.count - 1].size += n
            if open[open.count - 1].size > maxNodes {
                let why = aliases > 0 ? "too many aliases: the document expands to more than \(maxNodes) nodes"
                    : "the document has more than \(maxNodes) nodes"
                return (why, at.0, at.1)
            }
        }
    }
}
