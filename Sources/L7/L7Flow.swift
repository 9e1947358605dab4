import L7Core

/// What the L7 stage keeps per flow: the detection state, and a handle to the parser slot the
/// flow borrowed from the stage's pools (parsers are too large to keep one per flow).
@usableFromInline
struct L7Flow {
    /// The flow this state belongs to; a different id in the entry means the slot was reused.
    @usableFromInline var flowID: UInt64 = 0
    @usableFromInline var app: AppProto = .unknown
    /// First bytes of each direction, gathered while detection needs more than one chunk.
    @usableFromInline var prefixToServer = FixedBytes<64>()
    @usableFromInline var prefixToClient = FixedBytes<64>()
    /// Stream bytes each direction sent while undecided.
    @usableFromInline var seenToServer = 0
    @usableFromInline var seenToClient = 0
    /// A direction's probe said "not anything known".
    @usableFromInline var noMatchToServer = false
    @usableFromInline var noMatchToClient = false
    /// UDP datagrams no probe recognised, either way (see `L7Config.detectionDatagrams`).
    @usableFromInline var unmatchedDatagrams: UInt8 = 0
    /// The parser the flow borrowed from the stage's pools (none while undecided, when its
    /// app has no parser, when the pool was empty, or once the parser was done).
    @usableFromInline var parser = ParserSlot()
    /// A parser waiting to take the flow over from `parser` (HTTP/2 after a 101 to h2c).
    @usableFromInline var next = ParserSlot()
    /// The last datastore command the client sent (`GET`, `SELECT`, `basic.publish`, ...):
    /// the context the policy and sensors see for datastore flows.
    @usableFromInline var lastCommand = FixedBytes<32>()
    /// Datastore commands seen on the flow (the `tx_id` of their records).
    @usableFromInline var commands: UInt64 = 0
    /// The host the client named (TLS SNI, HTTP Host, HTTP/2 :authority), first one seen:
    /// FQDN policy groups match this name before any name the address resolved from.
    @usableFromInline var namedHost = FixedBytes<128>()
    /// DNS messages seen on the flow (Suricata's tx_id).
    @usableFromInline var dnsTx: UInt64 = 0

    @inlinable init() {}

    /// The flow's endpoints were swapped (`FlowEntry.swapEndpoints`): what was kept per
    /// direction changes sides too.
    @inlinable mutating func swapDirections() {
        swap(&prefixToServer, &prefixToClient)
        swap(&seenToServer, &seenToClient)
        swap(&noMatchToServer, &noMatchToClient)
    }
}
