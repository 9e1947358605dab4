import L7Core

/// Formats an X.509 Name the way Suricata's EVE shows it: RDNs in certificate order joined by
/// ", ", attributes within one RDN by " + ", each as "SHORT=value" ("C=US, O=Example, CN=x").
/// Unknown attribute types print as dotted OIDs.
enum DistinguishedName {
    static func format(_ name: ByteReader, into out: inout FixedBytes<1024>) {
        out.removeAll()
        var rdns = name
        var firstRDN = true
        while let set = rdns.der() {
            guard set.tag == 0x31 else { return }
            var attrs = rdns.inside(set)
            var firstAttr = true
            while let seq = attrs.der() {
                guard seq.tag == 0x30 else { return }
                var a = attrs.inside(seq)
                guard let oid = a.der(), oid.tag == 0x06, let value = a.der() else { return }
                if !firstRDN || !firstAttr { out.append(firstAttr ? ", " : " + ") }
                firstRDN = false
                firstAttr = false
                appendAttributeName(a.inside(oid), into: &out)
                out.append(UInt8(ascii: "="))
                appendValue(a.inside(value), tag: value.tag, into: &out)
            }
        }
    }

    /// Names as Suricata's x509 parser prints them: the classic short forms (CN, C, L, ST, O,
    /// OU, DC, Email) and the registry's long names for the rest (streetAddress, postalCode).
    static func appendAttributeName(_ oid: ByteReader, into out: inout FixedBytes<1024>) {
        let b = oid.rest
        if b.count == 3 && b[0] == 0x55 && b[1] == 0x04 {
            switch b[2] {
            case 3: out.append("CN"); return
            case 4: out.append("surname"); return
            case 5: out.append("serialNumber"); return
            case 6: out.append("C"); return
            case 7: out.append("L"); return
            case 8: out.append("ST"); return
            case 9: out.append("streetAddress"); return
            case 10: out.append("O"); return
            case 11: out.append("OU"); return
            case 12: out.append("title"); return
            case 17: out.append("postalCode"); return
            case 42: out.append("givenName"); return
            case 46: out.append("dnQualifier"); return
            default: break
            }
        }
        // 1.2.840.113549.1.9.1; tuples keep the constants off the heap.
        let email: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01)
        if withUnsafeBytes(of: email, { equal(b, $0) }) { out.append("Email"); return }
        // 0.9.2342.19200300.100.1.25
        let dc: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19)
        if withUnsafeBytes(of: dc, { equal(b, $0) }) { out.append("DC"); return }
        appendDottedOID(b, into: &out)
    }

    static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        a.count == b.count && (0..<a.count).allSatisfy { a[$0] == b[$0] }
    }

    static func appendDottedOID(_ b: UnsafeRawBufferPointer, into out: inout FixedBytes<1024>) {
        guard let first = b.first else { return }
        out.appendDecimal(UInt64(min(first / 40, 2)))
        out.append(UInt8(ascii: "."))
        out.appendDecimal(UInt64(first) - UInt64(min(first / 40, 2)) * 40)
        var value: UInt64 = 0
        for i in 1..<max(1, b.count) {
            value = value << 7 | UInt64(b[i] & 0x7f)
            if b[i] & 0x80 == 0 {
                out.append(UInt8(ascii: "."))
                out.appendDecimal(value)
                value = 0
            }
        }
    }

    /// String types are copied as-is; BMPString (UCS-2) keeps the low byte of each unit,
    /// which is exact for the ASCII names certificates use.
    static func appendValue(_ v: ByteReader, tag: UInt8, into out: inout FixedBytes<1024>) {
        let b = v.rest
        if tag == 0x1e {
            var i = 1
            while i < b.count { out.append(b[i]); i += 2 }
        } else {
            out.append(b)
        }
    }
}
