import L7Core

/// What one side of an SSH connection revealed before encryption: its identification string
/// (RFC 4253 4.2) and the HASSH fingerprint of its KEXINIT (4 of its algorithm name-lists,
/// the ones for this side's sending direction, and their MD5).
public struct SSHSide: Sendable {
    /// `protoversion` of `SSH-protoversion-softwareversion SP comments`: "2.0" (or "1.99").
    public internal(set) var protoVersion = FixedBytes<64>()
    /// `softwareversion`: "OpenSSH_9.2p1".
    public internal(set) var softwareVersion = FixedBytes<256>()
    /// HASSH (client) or HASSHServer (server): the MD5 of `hasshString` as 32 hex digits.
    public internal(set) var hassh = FixedBytes<32>()
    /// `kex;encryption;mac;compression`, each the name-list as sent, for this side's
    /// sending direction (client to server for the client).
    public internal(set) var hasshString = FixedBytes<8192>()
    /// The identification string was read.
    public internal(set) var bannerSeen = false
    /// The KEXINIT was read (whether or not its lists parsed).
    public internal(set) var kexInitSeen = false
    /// NEWKEYS was sent: everything after is encrypted.
    public internal(set) var newKeysSeen = false

    /// Nothing seen.
    @inlinable public init() {}

    /// Back to nothing seen, in place.
    mutating func reset() {
        protoVersion.removeAll(); softwareVersion.removeAll(); hassh.removeAll(); hasshString.removeAll()
        bannerSeen = false; kexInitSeen = false; newKeysSeen = false
    }
}
