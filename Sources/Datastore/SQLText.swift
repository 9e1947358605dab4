import L7Core

/// The first keyword of SQL/CQL text, which is what policy and logs care about (a statement's
/// verb), found without parsing the statement.
@usableFromInline enum SQLText {
    /// Longest keyword kept; SQL verbs are shorter, anything longer is not a verb.
    @usableFromInline static let keywordCap = 16

    /// Where the first keyword starts and ends in `t`, after whitespace, `(`, `/* */` and `--`
    /// comments (ORMs and proxies prefix statements with them), or nil if `t` does not start with
    /// letters there.
    @inlinable static func keyword(_ t: UnsafeRawBufferPointer) -> Range<Int>? {
        var i = 0
        let n = t.count
        while i < n {
            let c = t[i]
            if c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d || c == 0x28 || c == 0x3b { i += 1; continue }
            if c == 0x2f && i + 1 < n && t[i + 1] == 0x2a {          // /* ... */
                i += 2
                while i + 1 < n && !(t[i] == 0x2a && t[i + 1] == 0x2f) { i += 1 }
                i += 2
                continue
            }
            if c == 0x2d && i + 1 < n && t[i + 1] == 0x2d {          // -- to end of line
                while i < n && t[i] != 0x0a { i += 1 }
                continue
            }
            break
        }
        guard i < n, Bytes.isLetter(t[i]) else { return nil }
        var j = i
        while j < n && (Bytes.isLetter(t[j]) || t[j] == 0x5f) && j - i < keywordCap { j += 1 }
        return i..<j
    }

    /// Reports `text`'s first keyword, upper-cased, as the command and up to 64 bytes of the text
    /// from there as detail; `fallback` when there is no keyword.
    @inlinable static func report<S: DatastoreSink & ~Copyable>(_ app: AppProto, _ whole: UnsafeRawBufferPointer,
                                                                fallback: StaticString, sink: inout S) {
        // C-string framings (PostgreSQL) end the text at a NUL; SQL itself never holds one.
        let text = Bytes.slice(whole, 0, Bytes.nul(whole, from: 0, to: whole.count) ?? whole.count)
        guard let r = keyword(text) else {
            sink.datastoreCommand(app, command: Bytes.text(fallback), detail: Bytes.slice(text, 0, 64))
            return
        }
        var word = InlineArray<16, UInt8>(repeating: 0)
        for k in r { word[k - r.lowerBound] = Bytes.upper(text[k]) }
        withUnsafeBytes(of: word) { w in
            sink.datastoreCommand(app, command: Bytes.slice(w, 0, r.count),
                                  detail: Bytes.slice(text, r.lowerBound, r.lowerBound + 64))
        }
    }

    /// Statement verbs a probe accepts as the start of a query. A probe needs a closed list so
    /// that arbitrary letters after a plausible header do not count as SQL.
    @inlinable static func isVerb(_ w: UnsafeRawBufferPointer) -> Bool {
        let verbs: [StaticString] = ["SELECT", "INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER",
                                     "TRUNCATE", "SET", "SHOW", "USE", "BEGIN", "START", "COMMIT", "ROLLBACK",
                                     "SAVEPOINT", "RELEASE", "GRANT", "REVOKE", "EXPLAIN", "DESCRIBE", "DESC", "CALL",
                                     "EXECUTE", "PREPARE", "DEALLOCATE", "LOCK", "UNLOCK", "WITH", "VALUES", "COPY",
                                     "LISTEN", "NOTIFY", "DECLARE", "FETCH", "CLOSE", "DISCARD", "RESET", "VACUUM",
                                     "ANALYZE", "KILL", "FLUSH", "LOAD", "DO", "ABORT", "END", "MERGE", "BATCH", "APPLY"]
        for v in verbs where Bytes.equalsFolded(w, v) { return true }
        return false
    }

    /// Whether `t` starts with a statement verb: `.more` while the keyword may still be growing at
    /// the end of `t` and `complete` (the whole text is present) is false.
    @inlinable static func probeVerb(_ t: UnsafeRawBufferPointer, complete: Bool) -> Tri {
        guard let r = keyword(t) else {
            var allSpace = true
            for c in t where !(c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09) { allSpace = false; break }
            return allSpace && !complete && t.count < 64 ? .more : .no
        }
        if r.upperBound == t.count && !complete && r.count < keywordCap { return .more }
        if r.upperBound < t.count {
            let c = t[r.upperBound]
            guard c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09 || c == 0x28 || c == 0x3b || c == 0x2a || c == 0 else { return .no }
        }
        return isVerb(Bytes.slice(t, r.lowerBound, r.upperBound)) ? .yes : .no
    }
}

/// A probe step's answer before it becomes a verdict.
@usableFromInline enum Tri { case yes, no, more }
