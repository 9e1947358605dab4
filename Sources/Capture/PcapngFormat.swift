/// The pcapng block and option codes Sluice writes (IETF draft-ietf-opsawg-pcapng), named so
/// the writer and the merge read as the format, not as magic numbers.
enum Pcapng {
    /// Section Header Block type; also the file's first four bytes.
    static let sectionHeader: UInt32 = 0x0A0D_0D0A
    /// Interface Description Block type.
    static let interfaceDescription: UInt32 = 1
    /// Enhanced Packet Block type.
    static let enhancedPacket: UInt32 = 6
    /// Byte-order magic: written in host order, a reader sees from it which order the section uses.
    static let byteOrderMagic: UInt32 = 0x1A2B_3C4D
    /// `opt_endofopt`.
    static let endOfOptions: UInt16 = 0
    /// `shb_userappl`: the application that wrote the section.
    static let userApplication: UInt16 = 4
    /// `if_name`.
    static let interfaceName: UInt16 = 2
    /// `if_tsresol`: 9 means timestamps count nanoseconds (10^-9 s).
    static let timestampResolution: UInt16 = 9
    /// `LINKTYPE_ETHERNET`.
    static let linkTypeEthernet: UInt16 = 1
    /// Fixed part of an Enhanced Packet Block: type, length, interface, timestamp (2 words),
    /// captured and original length; then the data padded to 4, then the length again.
    static let packetBlockOverhead = 32

    /// Bytes an Enhanced Packet Block with `capturedLength` bytes of data takes in the file.
    static func packetBlockLength(capturedLength: Int) -> Int {
        packetBlockOverhead + (capturedLength + 3) & ~3
    }

    /// `n` rounded up to a multiple of 4, as every block and option value is padded.
    static func padded(_ n: Int) -> Int { (n + 3) & ~3 }
}
