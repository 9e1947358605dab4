import Foundation

/// Sluice's own object `name` in an EVE record: the item of `metadata.flowvars` named so (where
/// Sluice writes what Suricata's schema has no field for, docs/eve.md).
public func eveVendorObject(_ record: [String: Any], _ name: String) -> [String: Any]? {
    let items = (record["metadata"] as? [String: Any])?["flowvars"] as? [[String: Any]] ?? []
    return items.lazy.compactMap { $0[name] as? [String: Any] }.first
}
