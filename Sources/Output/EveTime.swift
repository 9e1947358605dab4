/// Formats timestamps the way Suricata's EVE output does, without Foundation or allocation.
public enum EveTime {
    /// Writes `YYYY-MM-DDTHH:MM:SS.uuuuuu+0000` for `nanos` since the epoch (UTC); returns 31.
    @inlinable
    public static func format(nanos: UInt64, into out: UnsafeMutablePointer<UInt8>) -> Int {
        let secs = Int64(nanos / 1_000_000_000)
        let micros = Int((nanos % 1_000_000_000) / 1000)
        let days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
        let rem = Int(secs - days * 86400)
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = Int(yoe + era * 400 + (month <= 2 ? 1 : 0))
        var n = 0
        func put(_ v: Int, _ width: Int) {
            var d = 1
            for _ in 1..<width { d *= 10 }
            var x = v
            while d > 0 { out[n] = UInt8(48 + (x / d) % 10); n += 1; x %= d; d /= 10 }
        }
        func sep(_ c: UInt8) { out[n] = c; n += 1 }
        put(year, 4); sep(45); put(month, 2); sep(45); put(day, 2); sep(84)
        put(rem / 3600, 2); sep(58); put(rem / 60 % 60, 2); sep(58); put(rem % 60, 2); sep(46)
        put(micros, 6)
        sep(43); put(0, 4)
        return n
    }
}
