import L7Core

// UDP services, recognised from one datagram. DHCP carries a fixed magic cookie; NTP has no magic
// at all, so its probe leans on many small range checks that real clients and servers satisfy
// and that DNS headers and random bytes rarely do all at once.

extension DatastoreProbes {
    /// DHCP/BOOTP (RFC 2131): op 1 or 2, a hardware type and length that fit (Ethernet: 1 and
    /// 6), a small hop count, and the magic cookie 99.130.83.99 at offset 236.
    @inlinable public static func dhcp(_ b: UnsafeRawBufferPointer, toServer: Bool) -> DatastoreVerdict {
        guard b.count >= 240 else { return .noMatch }
        guard b[0] == 1 || b[0] == 2, b[1] >= 1, b[1] <= 32, b[2] >= 1, b[2] <= 16, b[3] <= 16 else { return .noMatch }
        if b[1] == 1 && b[2] != 6 { return .noMatch }
        return Bytes.be32(b, 236) == 0x6382_5363 ? .match(.dhcp) : .noMatch
    }

    /// NTP (RFC 5905): 48 bytes plus whole 32-bit words of extensions/MAC; version 3 or 4; mode
    /// 1–5; stratum 0–16; poll 0 or 3–17 (so DNS's RD flag byte, 1, is out); precision 0 or
    /// between -32 and -1; root delay under 1 s and dispersion under 256 s; a non-zero transmit time from a
    /// client or server.
    @inlinable public static func ntp(_ b: UnsafeRawBufferPointer, toServer: Bool) -> DatastoreVerdict {
        guard b.count >= 48, b.count <= 1024, (b.count - 48) % 4 == 0 else { return .noMatch }
        let version = (b[0] >> 3) & 7, mode = b[0] & 7
        guard version == 3 || version == 4, mode >= 1, mode <= 5 else { return .noMatch }
        guard b[1] <= 16 else { return .noMatch }
        let poll = b[2]
        guard poll == 0 || (poll >= 3 && poll <= 17) else { return .noMatch }
        guard b[3] == 0 || b[3] >= 0xe0 else { return .noMatch }
        // Root delay under 1 s (which also refuses DNS, whose question count sits there) and
        // root dispersion under 256 s.
        guard b[4] == 0, b[5] == 0, b[8] == 0 else { return .noMatch }
        if mode == 3 || mode == 4 {
            var zero = true
            for i in 40..<48 where b[i] != 0 { zero = false; break }
            if zero { return .noMatch }
        }
        if mode == 4 && (b[1] == 0 || b[1] > 15) && b[0] >> 6 != 3 { return .noMatch }   // a server's stratum, or alarm
        return .match(.ntp)
    }
}
