/// The checks behind ``Validation``, over the bytes a pattern matched.
public enum Validators {
    /// Whether `bytes` pass `validation`.
    @inlinable
    public static func check(_ validation: Validation, _ bytes: UnsafeRawBufferPointer) -> Bool {
        switch validation {
        case .none: return true
        case .luhn: return luhn(bytes)
        case .iban: return iban(bytes)
        case .ssn: return ssn(bytes)
        }
    }

    @inlinable static func digit(_ b: UInt8) -> Int? {
        b >= 0x30 && b <= 0x39 ? Int(b - 0x30) : nil
    }

    /// Luhn over the digits of `bytes` (anything else is a separator), 12 to 19 digits as
    /// card numbers have.
    @inlinable
    public static func luhn(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var sum = 0, n = 0
        var i = bytes.count - 1
        while i >= 0 {
            if let d = digit(bytes[i]) {
                let v = n & 1 == 1 ? d * 2 : d
                sum += v > 9 ? v - 9 : v
                n += 1
            }
            i -= 1
        }
        return n >= 12 && n <= 19 && sum % 10 == 0
    }

    /// IBAN: two letters, two check digits, then letters and digits (spaces and dashes
    /// ignored), 15 to 34 characters in all, whose mod-97 (country and check digits moved to
    /// the end, letters as 10...35) is 1.
    @inlinable
    public static func iban(_ bytes: UnsafeRawBufferPointer) -> Bool {
        @inline(__always) func value(_ b: UInt8) -> Int? {
            if let d = digit(b) { return d }
            let u = b & ~0x20
            return u >= 0x41 && u <= 0x5A ? Int(u - 0x41) + 10 : nil
        }
        @inline(__always) func fold(_ rem: Int, _ v: Int) -> Int { v >= 10 ? (rem * 100 + v) % 97 : (rem * 10 + v) % 97 }
        var count = 0
        var head = 0   // mod-97 of the first four characters, folded in order
        var rem = 0    // mod-97 of the rest
        for b in bytes where b != 0x20 && b != 0x2D {
            guard let v = value(b) else { return false }
            if count < 4 {
                // Two letters of the country, then two check digits.
                guard (count < 2) == (v >= 10) else { return false }
                head = fold(head, v)
            } else {
                rem = fold(rem, v)
            }
            count += 1
        }
        guard count >= 15 && count <= 34 else { return false }
        // rem * 10^6 + head: the four leading characters are 2 letters (4 digits) + 2 digits.
        var r = rem
        for _ in 0..<6 { r = (r * 10) % 97 }
        return (r + head) % 97 == 1
    }

    /// US SSN `AAA-GG-SSSS` (any non-digit separators): area not 000, 666 or 9xx, group not
    /// 00, serial not 0000.
    @inlinable
    public static func ssn(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var d = (0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        for b in bytes {
            guard let v = digit(b) else { continue }
            switch n {
            case 0: d.0 = v
            case 1: d.1 = v
            case 2: d.2 = v
            case 3: d.3 = v
            case 4: d.4 = v
            case 5: d.5 = v
            case 6: d.6 = v
            case 7: d.7 = v
            case 8: d.8 = v
            default: return false
            }
            n += 1
        }
        guard n == 9 else { return false }
        let area = d.0 * 100 + d.1 * 10 + d.2
        let group = d.3 * 10 + d.4
        let serial = d.5 * 1000 + d.6 * 100 + d.7 * 10 + d.8
        return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
    }
}
