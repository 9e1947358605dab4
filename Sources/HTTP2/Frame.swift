/// HTTP/2 frame types (RFC 9113 section 6). Other values are extensions, skipped.
@usableFromInline enum FrameType {
    @usableFromInline static let data: UInt8 = 0
    @usableFromInline static let headers: UInt8 = 1
    @usableFromInline static let priority: UInt8 = 2
    @usableFromInline static let rstStream: UInt8 = 3
    @usableFromInline static let settings: UInt8 = 4
    @usableFromInline static let pushPromise: UInt8 = 5
    @usableFromInline static let ping: UInt8 = 6
    @usableFromInline static let goaway: UInt8 = 7
    @usableFromInline static let windowUpdate: UInt8 = 8
    @usableFromInline static let continuation: UInt8 = 9
}

/// Frame flag bits (RFC 9113 section 6); their meaning depends on the frame type.
@usableFromInline enum FrameFlag {
    @usableFromInline static let endStream: UInt8 = 0x1
    @usableFromInline static let ack: UInt8 = 0x1
    @usableFromInline static let endHeaders: UInt8 = 0x4
    @usableFromInline static let padded: UInt8 = 0x8
    @usableFromInline static let priority: UInt8 = 0x20
}

/// Where one direction's frame reader is. Frames are read byte by byte only in their 9-byte
/// header and short fixed fields ("preamble": pad length, priority, promised stream, error
/// codes); payload is handed on in whole runs.
@usableFromInline struct FrameState {
    @usableFromInline enum Phase: UInt8 { case header, preamble, content, padding }

    /// Client preface bytes still expected (24 on the client side at the start, else 0).
    @usableFromInline var prefaceLeft = 0
    /// Whether this direction stopped for good (not HTTP/2, or a gap broke framing).
    @usableFromInline var stopped = false
    @usableFromInline var phase = Phase.header
    @usableFromInline var headerHave = 0
    @usableFromInline var header: UInt64 = 0
    /// Frame fields of the current frame.
    @usableFromInline var length = 0
    @usableFromInline var type: UInt8 = 0
    @usableFromInline var flags: UInt8 = 0
    @usableFromInline var stream: UInt32 = 0
    /// Preamble bytes still to read, and what was read (big-endian, last byte lowest).
    @usableFromInline var preambleLeft = 0
    @usableFromInline var preamble: UInt64 = 0
    /// Content and padding bytes still to read.
    @usableFromInline var contentLeft = 0
    @usableFromInline var paddingLeft = 0
    /// Whether the frame broke a length rule (its fields are ignored).
    @usableFromInline var malformed = false
    /// Stream slot the current DATA frame goes to (-1: none).
    @usableFromInline var slot = -1
    /// SETTINGS entry bytes read so far and their value.
    @usableFromInline var settingHave = 0
    @usableFromInline var setting: UInt64 = 0

    /// Header block state: whether a block is open (CONTINUATION expected), its stream,
    /// slot (-1: not tracked), whether it carries END_STREAM, whether it holds request fields.
    @usableFromInline var blockOpen = false
    @usableFromInline var blockStream: UInt32 = 0
    @usableFromInline var blockSlot = -1
    @usableFromInline var blockEndStream = false
    @usableFromInline var blockIsRequest = false
    /// Bytes of the block buffered and not yet decoded (a representation still incomplete).
    @usableFromInline var blockUsed = 0
    /// Whether part of the block could not be decoded.
    @usableFromInline var blockDamaged = false

    @usableFromInline init(client: Bool) { prefaceLeft = client ? 24 : 0 }
}

/// RST_STREAM / GOAWAY error code names as Suricata 7 writes them for RST_STREAM (the Rust
/// enum's variant names); unknown codes are written as numbers.
public enum HTTP2ErrorCode {
    /// The name upper case, as Suricata 7 writes a GOAWAY's error code ("NOERROR").
    public static func upperName(_ code: UInt32) -> StaticString? {
        switch code {
        case 0: return "NOERROR"
        case 1: return "PROTOCOLERROR"
        case 2: return "INTERNALERROR"
        case 3: return "FLOWCONTROLERROR"
        case 4: return "SETTINGSTIMEOUT"
        case 5: return "STREAMCLOSED"
        case 6: return "FRAMESIZEERROR"
        case 7: return "REFUSEDSTREAM"
        case 8: return "CANCEL"
        case 9: return "COMPRESSIONERROR"
        case 10: return "CONNECTERROR"
        case 11: return "ENHANCEYOURCALM"
        case 12: return "INADEQUATESECURITY"
        case 13: return "HTTP11REQUIRED"
        default: return nil
        }
    }

    /// Suricata's name for `code`, or nil when RFC 9113 does not define it.
    public static func name(_ code: UInt32) -> StaticString? {
        switch code {
        case 0: return "NoError"
        case 1: return "ProtocolError"
        case 2: return "InternalError"
        case 3: return "FlowControlError"
        case 4: return "SettingsTimeout"
        case 5: return "StreamClosed"
        case 6: return "FrameSizeError"
        case 7: return "RefusedStream"
        case 8: return "Cancel"
        case 9: return "CompressionError"
        case 10: return "ConnectError"
        case 11: return "EnhanceYourCalm"
        case 12: return "InadequateSecurity"
        case 13: return "Http11Required"
        default: return nil
        }
    }
}
