import Foundation

/// Finds and reads corpus files for the replaying runner and the regression tests.
public enum FuzzCorpus {
    /// Every regular file under `paths` (files as given, folders walked), sorted.
    public static func files(_ paths: [String]) -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        for p in paths {
            var dir: ObjCBool = false
            guard fm.fileExists(atPath: p, isDirectory: &dir) else { continue }
            if !dir.boolValue { out.append(p); continue }
            let e = fm.enumerator(atPath: p)
            while let rel = e?.nextObject() as? String {
                var isDir: ObjCBool = false
                let full = p + "/" + rel
                if fm.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue, !rel.hasPrefix(".") { out.append(full) }
            }
        }
        return out.sorted()
    }

    /// A file's bytes, nil when unreadable.
    public static func read(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { [UInt8]($0) }
    }
}
