import L7Core

/// What one direction's handshake revealed. Everything is inline and bounded so a parser
/// (and the flow holding it) never allocates; values longer than their bound are cut and
/// flagged by `FixedBytes.truncated`.
public struct TLSHandshakeInfo: Sendable {
    /// Whether a ClientHello was parsed.
    public var clientHelloSeen = false
    /// The ClientHello's legacy version field.
    public var clientVersion: UInt16 = 0
    /// The server_name host (first host_name entry).
    public var sni = FixedBytes<256>()
    /// ALPN protocols offered by the client, in wire form (1-byte length, name)*.
    public var clientALPNs = FixedBytes<256>()
    /// JA3 string ("version,ciphers,extensions,groups,pointformats", GREASE removed).
    public var ja3 = FixedBytes<2048>()
    /// MD5 of `ja3`, 32 lowercase hex digits.
    public var ja3Hash = FixedBytes<32>()
    /// JA4 fingerprint, e.g. "t13d1516h2_8daaf6152771_02713d6af862".
    public var ja4 = FixedBytes<40>()

    /// Whether a ServerHello was parsed.
    public var serverHelloSeen = false
    /// The version the server chose: supported_versions when present, else the legacy field.
    public var serverVersion: UInt16 = 0
    /// The chosen cipher suite.
    public var cipherSuite: UInt16 = 0
    /// ALPN protocol selected by the server, in wire form.
    public var serverALPNs = FixedBytes<64>()
    /// JA3S string ("version,cipher,extensions").
    public var ja3s = FixedBytes<512>()
    /// MD5 of `ja3s`.
    public var ja3sHash = FixedBytes<32>()

    /// Whether a Certificate message's first certificate was parsed.
    public var certificateSeen = false
    /// Certificates listed in the Certificate message (only those inside the buffered bytes).
    public var certificateCount = 0
    /// Subject DN in Suricata's text form, "C=US, O=Example, CN=www.example.com".
    public var subject = FixedBytes<1024>()
    /// Issuer DN, same form.
    public var issuer = FixedBytes<1024>()
    /// Serial number as colon-separated uppercase hex, "00:97:E6:...".
    public var serial = FixedBytes<128>()
    /// SHA-1 of the certificate DER, colon-separated lowercase hex.
    public var fingerprint = FixedBytes<64>()
    /// Validity start, "2016-06-24T12:33:41".
    public var notBefore = FixedBytes<20>()
    /// Validity end, same form.
    public var notAfter = FixedBytes<20>()

    /// Empty.
    public init() {}

    /// Empties it in place (every field below; keep in step with the declarations).
    public mutating func reset() {
        clientHelloSeen = false
        clientVersion = 0
        sni.removeAll()
        clientALPNs.removeAll()
        ja3.removeAll()
        ja3Hash.removeAll()
        ja4.removeAll()
        serverHelloSeen = false
        serverVersion = 0
        cipherSuite = 0
        serverALPNs.removeAll()
        ja3s.removeAll()
        ja3sHash.removeAll()
        certificateSeen = false
        certificateCount = 0
        subject.removeAll()
        issuer.removeAll()
        serial.removeAll()
        fingerprint.removeAll()
        notBefore.removeAll()
        notAfter.removeAll()
    }
}
