import Digests
import L7Core

/// Extracts from the first certificate of a Certificate message what Suricata logs: subject
/// and issuer DNs, serial, SHA-1 fingerprint and validity. Walks only the start of
/// tbsCertificate, so extensions and signatures are never decoded.
enum CertificateParser {
    /// Parses a Certificate message body (TLS 1.2 and earlier layout); false when malformed.
    @discardableResult
    static func parse(_ body: UnsafeRawBufferPointer, into info: inout TLSHandshakeInfo) -> Bool {
        var r = ByteReader(body)
        guard let listLen = r.u24() else { return false }
        var list = ByteReader(body, from: r.pos, to: r.pos + listLen)
        var count = 0
        var firstCert: ByteReader?
        // Only certificates inside the buffered bytes are counted; a cut list ends early.
        while let len = list.u24(), let cert = list.sub(len) {
            if firstCert == nil { firstCert = cert }
            count += 1
        }
        info.certificateCount = count
        guard let cert = firstCert else { return false }
        info.certificateSeen = true
        parseCertificate(cert, into: &info)
        return true
    }

    static func parseCertificate(_ cert: ByteReader, into info: inout TLSHandshakeInfo) {
        info.fingerprint.removeAll()
        var firstByte = true
        SHA1.digest(cert.rest) { d in
            for b in d {
                if !firstByte { info.fingerprint.append(UInt8(ascii: ":")) }
                firstByte = false
                info.fingerprint.appendHex(b)
            }
        }

        var top = cert
        guard let certSeq = top.der(), certSeq.tag == 0x30 else { return }
        var c = top.inside(certSeq)
        guard let tbsSeq = c.der(), tbsSeq.tag == 0x30 else { return }
        var tbs = c.inside(tbsSeq)
        guard var element = tbs.der() else { return }
        if element.tag == 0xa0 {  // explicit [0] version, absent in v1 certificates
            guard let next = tbs.der() else { return }
            element = next
        }
        guard element.tag == 0x02 else { return }
        info.serial.removeAll()
        for i in element.from..<element.to {
            if i > element.from { info.serial.append(UInt8(ascii: ":")) }
            info.serial.appendHex(cert.bytes[i], upper: true)
        }
        guard let sigAlg = tbs.der(), sigAlg.tag == 0x30,
              let issuer = tbs.der(), issuer.tag == 0x30 else { return }
        DistinguishedName.format(tbs.inside(issuer), into: &info.issuer)
        guard let validity = tbs.der(), validity.tag == 0x30 else { return }
        var v = tbs.inside(validity)
        if let nb = v.der() { formatTime(v.inside(nb), tag: nb.tag, into: &info.notBefore) }
        if let na = v.der() { formatTime(v.inside(na), tag: na.tag, into: &info.notAfter) }
        guard let subject = tbs.der(), subject.tag == 0x30 else { return }
        DistinguishedName.format(tbs.inside(subject), into: &info.subject)
    }

    /// UTCTime (YYMMDDHHMMSSZ, years < 50 are 20xx) or GeneralizedTime (YYYYMMDDHHMMSSZ)
    /// to Suricata's "YYYY-MM-DDTHH:MM:SS". Non-digits leave the field empty.
    static func formatTime(_ r: ByteReader, tag: UInt8, into out: inout FixedBytes<20>) {
        out.removeAll()
        let digitsNeeded = tag == 0x17 ? 12 : 14
        guard tag == 0x17 || tag == 0x18, r.remaining >= digitsNeeded else { return }
        var d = InlineArray<14, Int>(repeating: 0)
        for i in 0..<digitsNeeded {
            let b = r.bytes[r.pos + i]
            guard b >= 0x30 && b <= 0x39 else { return }
            d[i] = Int(b - 0x30)
        }
        var i = 0
        if tag == 0x17 {
            let yy = d[0] * 10 + d[1]
            let year = yy < 50 ? 2000 + yy : 1900 + yy
            out.append2Digits(year / 100)
            out.append2Digits(year % 100)
            i = 2
        } else {
            out.append2Digits(d[0] * 10 + d[1])
            out.append2Digits(d[2] * 10 + d[3])
            i = 4
        }
        let seps: StaticString = "--T::"
        for k in 0..<5 {
            out.append(seps.utf8Start[k])
            out.append2Digits(d[i] * 10 + d[i + 1])
            i += 2
        }
    }
}
