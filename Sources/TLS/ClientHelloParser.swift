import Digests
import L7Core

/// Parses a ClientHello body and computes JA3 and JA4 from it (once per handshake, on the
/// stack: the lists are bounded inline arrays and the strings live in `TLSHandshakeInfo`).
enum ClientHelloParser {
    /// Byte range of one extension body inside the hello.
    struct Span { var from = 0; var to = 0; var present = false }

    /// Fills the client fields of `info` from `body` (handshake header already removed).
    /// Returns false when the hello is malformed; fields parsed before the fault stay set.
    @discardableResult
    static func parse(_ body: UnsafeRawBufferPointer, into info: inout TLSHandshakeInfo) -> Bool {
        var r = ByteReader(body)
        guard let version = r.u16(), r.skip(32), let sidLen = r.u8(), r.skip(Int(sidLen)),
              let cipherLen = r.u16(), var ciphers = r.sub(Int(cipherLen)),
              let compLen = r.u8(), r.skip(Int(compLen)) else { return false }
        info.clientHelloSeen = true
        info.clientVersion = version

        var cipherList = U16List<256>()
        info.ja3.removeAll()
        info.ja3.appendDecimal(UInt64(version))
        info.ja3.append(UInt8(ascii: ","))
        var first = true
        while let c = ciphers.u16() {
            guard !TLSVersion.isGrease(c) else { continue }
            if !first { info.ja3.append(UInt8(ascii: "-")) }
            first = false
            info.ja3.appendDecimal(UInt64(c))
            cipherList.append(c)
        }
        info.ja3.append(UInt8(ascii: ","))

        // Extensions are optional in old hellos; a short block ends the list quietly.
        var exts = ByteReader(body, from: 0, to: 0)
        if let extLen = r.u16(), let e = r.sub(Int(extLen)) { exts = e }
        var extList = U16List<128>()
        var sni = Span(), alpn = Span(), groups = Span(), formats = Span(), sigalgs = Span(), versions = Span()
        first = true
        while let type = exts.u16(), let len = exts.u16(), let ext = exts.sub(Int(len)) {
            let span = Span(from: ext.pos, to: ext.end, present: true)
            switch type {
            case 0x0000: sni = span
            case 0x0010: alpn = span
            case 0x000a: groups = span
            case 0x000b: formats = span
            case 0x000d: sigalgs = span
            case 0x002b: versions = span
            default: break
            }
            guard !TLSVersion.isGrease(type) else { continue }
            if !first { info.ja3.append(UInt8(ascii: "-")) }
            first = false
            info.ja3.appendDecimal(UInt64(type))
            extList.append(type)
        }
        info.ja3.append(UInt8(ascii: ","))
        if groups.present {
            var g = ByteReader(body, from: groups.from, to: groups.to)
            if let n = g.u16(), var list = g.sub(Int(n)) {
                appendList16(&list, to: &info.ja3)
            }
        }
        info.ja3.append(UInt8(ascii: ","))
        if formats.present {
            var f = ByteReader(body, from: formats.from, to: formats.to)
            if let n = f.u8(), var list = f.sub(Int(n)) {
                var firstFormat = true
                while let p = list.u8() {
                    if !firstFormat { info.ja3.append(UInt8(ascii: "-")) }
                    firstFormat = false
                    info.ja3.appendDecimal(UInt64(p))
                }
            }
        }
        let ja3 = info.ja3  // a copy: hashing reads one field of `info` while writing another
        ja3.withBytes { md5Hex($0, into: &info.ja3Hash) }

        if sni.present { readSNI(ByteReader(body, from: sni.from, to: sni.to), into: &info.sni) }
        if alpn.present {
            var a = ByteReader(body, from: alpn.from, to: alpn.to)
            if let n = a.u16(), let list = a.sub(Int(n)) { info.clientALPNs.set(list.rest) }
        }

        // JA4 version: the highest non-GREASE supported_versions entry, else the legacy field.
        var ja4Version = version
        if versions.present {
            var v = ByteReader(body, from: versions.from, to: versions.to)
            if let n = v.u8(), var list = v.sub(Int(n)) {
                var best: UInt16 = 0
                while let x = list.u16() {
                    if !TLSVersion.isGrease(x) && ja4Rank(x) > ja4Rank(best) { best = x }
                }
                if best != 0 { ja4Version = best }
            }
        }
        buildJA4(body, version: ja4Version, hasSNI: sni.present, alpn: alpn, sigalgs: sigalgs,
                 ciphers: &cipherList, extensions: &extList, into: &info.ja4)
        return true
    }

    /// Orders versions so drafts rank as 1.3 and GREASE never wins.
    static func ja4Rank(_ v: UInt16) -> Int {
        switch v {
        case 0x0304, 0x7f00...0x7fff, 0xfb00...0xfbff: return 0x0304
        case 0x0200...0x0303: return Int(v)
        default: return 0
        }
    }

    /// Appends a 16-bit list as dash-joined decimals, GREASE removed (JA3 form).
    static func appendList16(_ list: inout ByteReader, to out: inout FixedBytes<2048>) {
        var first = true
        while let x = list.u16() {
            guard !TLSVersion.isGrease(x) else { continue }
            if !first { out.append(UInt8(ascii: "-")) }
            first = false
            out.appendDecimal(UInt64(x))
        }
    }

    /// Takes the first host_name (type 0) entry of a server_name extension.
    static func readSNI(_ ext: ByteReader, into out: inout FixedBytes<256>) {
        var e = ext
        guard let n = e.u16(), var list = e.sub(Int(n)) else { return }
        while let type = list.u8(), let len = list.u16(), let name = list.sub(Int(len)) {
            if type == 0 { out.set(name.rest); return }
        }
    }

    /// JA4 = proto+version+sni+counts+alpn "_" sha256/12(sorted ciphers) "_"
    /// sha256/12(sorted extensions minus SNI/ALPN "_" signature algorithms in order).
    static func buildJA4(_ body: UnsafeRawBufferPointer, version: UInt16, hasSNI: Bool, alpn: Span,
                         sigalgs: Span, ciphers: inout U16List<256>, extensions: inout U16List<128>,
                         into out: inout FixedBytes<40>) {
        out.removeAll()
        out.append("t")
        out.append(TLSVersion.ja4Code(version))
        out.append(hasSNI ? UInt8(ascii: "d") : UInt8(ascii: "i"))
        out.append2Digits(min(99, ciphers.count + ciphers.dropped))
        out.append2Digits(min(99, extensions.count + extensions.dropped))
        appendALPNCode(body, alpn, into: &out)
        out.append(UInt8(ascii: "_"))

        var text = FixedBytes<2048>()
        ciphers.sort()
        for i in 0..<ciphers.count {
            if i > 0 { text.append(UInt8(ascii: ",")) }
            text.appendHex16(ciphers.items[i])
        }
        appendTruncatedSHA256(text, empty: ciphers.count == 0, into: &out)
        out.append(UInt8(ascii: "_"))

        text.removeAll()
        extensions.sort()
        var wrote = 0
        for i in 0..<extensions.count where extensions.items[i] != 0x0000 && extensions.items[i] != 0x0010 {
            if wrote > 0 { text.append(UInt8(ascii: ",")) }
            text.appendHex16(extensions.items[i])
            wrote += 1
        }
        if sigalgs.present {
            var s = ByteReader(body, from: sigalgs.from, to: sigalgs.to)
            if let n = s.u16(), var list = s.sub(Int(n)), list.remaining >= 2 {
                text.append(UInt8(ascii: "_"))
                var firstAlg = true
                while let a = list.u16() {
                    if !firstAlg { text.append(UInt8(ascii: ",")) }
                    firstAlg = false
                    text.appendHex16(a)
                }
            }
        }
        appendTruncatedSHA256(text, empty: wrote == 0, into: &out)
    }

    /// First and last character of the first ALPN value; hex digits when either is not
    /// alphanumeric; "00" without ALPN.
    static func appendALPNCode(_ body: UnsafeRawBufferPointer, _ alpn: Span, into out: inout FixedBytes<40>) {
        var a = ByteReader(body, from: alpn.from, to: alpn.to)
        guard alpn.present, let n = a.u16(), var list = a.sub(Int(n)),
              let len = list.u8(), len > 0, let name = list.sub(Int(len)) else {
            out.append("00")
            return
        }
        let firstByte = body[name.pos], lastByte = body[name.end - 1]
        if isAlnum(firstByte) && isAlnum(lastByte) {
            out.append(firstByte)
            out.append(lastByte)
        } else {
            out.append(hexDigit(firstByte >> 4, upper: false))
            out.append(hexDigit(lastByte & 0xf, upper: false))
        }
    }

    static func isAlnum(_ b: UInt8) -> Bool {
        (0x30...0x39).contains(b) || (0x41...0x5a).contains(b) || (0x61...0x7a).contains(b)
    }

    static func appendTruncatedSHA256(_ text: FixedBytes<2048>, empty: Bool, into out: inout FixedBytes<40>) {
        guard !empty else { out.append("000000000000"); return }
        text.withBytes { SHA256.digest($0) { d in for i in 0..<6 { out.appendHex(d[i]) } } }
    }
}

/// Writes the MD5 of `bytes` as 32 lowercase hex digits.
func md5Hex(_ bytes: UnsafeRawBufferPointer, into out: inout FixedBytes<32>) {
    out.removeAll()
    MD5.digest(bytes) { d in
        for b in d { out.appendHex(b) }
    }
}
