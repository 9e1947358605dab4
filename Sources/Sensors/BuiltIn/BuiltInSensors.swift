/// The sensor sets Sluice ships, on by default (`sluice replay FILE` runs them all). Each is
/// the text of a sensor file, loaded like any user file, so `sluice sensors show NAME` prints
/// exactly what runs.
public enum BuiltInSensors {
    /// The built-in sets' names, in load order.
    public static let names = ["dlp-pii", "dlp-secrets", "waf-core"]

    /// The sensor file text of the built-in set `name`, nil for an unknown name.
    public static func yaml(named name: String) -> String? {
        switch name {
        case "dlp-pii": return dlpPII
        case "dlp-secrets": return dlpSecrets
        case "waf-core": return wafCore
        default: return nil
        }
    }

    /// The pseudo file name errors in built-in set `name` are reported under.
    public static func fileName(_ name: String) -> String { "<built-in \(name)>" }
}
