import L7Core
import Output

/// The cleartext start of an SSH connection, both directions (RFC 4253): each side's
/// identification string, then binary packets up to and including NEWKEYS, after which
/// everything is encrypted and the parser is done. It learns what Suricata's `ssh` record
/// holds: each side's protocol and software version and its HASSH (client) or HASSHServer.
///
/// All state is inline (about 35 KB, mostly the two KEXINIT buffers and HASSH strings), meant
/// to live in the L7 stage's pool and be reset in place. Chunks may split anything anywhere.
public struct SSHParser: Sendable {
    /// Longest packet accepted (OpenSSH's own limit); RFC 4253 6.1 asks for at least 35,000.
    public static let maxPacketLength = 256 * 1024
    /// Longest KEXINIT payload kept; a longer one is skipped and gets no HASSH (counted).
    public static let kexInitCapacity = 8192
    /// Lines a side may send before its identification string (RFC 4253 4.2 allows a server
    /// to); more means this is not SSH.
    public static let maxLinesBeforeBanner = 32
    @usableFromInline static let kexInit: UInt8 = 20
    @usableFromInline static let newKeys: UInt8 = 21

    /// What the client revealed.
    public internal(set) var client = SSHSide()
    /// What the server revealed.
    public internal(set) var server = SSHSide()
    @usableFromInline var toServer = SSHReader()
    @usableFromInline var toClient = SSHReader()
    @usableFromInline var counted = SSHCounters()
    @usableFromInline var reported = false
    /// What this flow's peers sent that could not be right.
    public var counters: SSHCounters { counted }

    /// An idle parser.
    public init() {}

    /// Back to a new parser's state, in place (a pooled parser is reused for the next flow).
    public mutating func reset() {
        client.reset(); server.reset(); toServer.reset(); toClient.reset()
        counted = SSHCounters()
        reported = false
    }

    /// Both directions are encrypted or lost: nothing more to learn.
    @inlinable public var finished: Bool { toServer.finished && toClient.finished }

    /// Reads the next in-order bytes of one direction; reports once both sides are finished.
    @inlinable
    public mutating func feed<S: SSHSink & ~Copyable>(_ bytes: UnsafeRawBufferPointer, toServer: Bool, sink: inout S) {
        read(bytes, toServer: toServer)
        if finished { end(sink: &sink) }
    }

    /// The work of `feed`, not generic: nothing in it depends on the sink.
    @usableFromInline
    mutating func read(_ bytes: UnsafeRawBufferPointer, toServer: Bool) {
        if toServer {
            self.toServer.feed(bytes, side: &client, toServer: true, counters: &counted)
        } else {
            toClient.feed(bytes, side: &server, toServer: false, counters: &counted)
        }
    }

    /// Bytes of one direction were lost: packet boundaries cannot be found again, so that
    /// direction stops.
    public mutating func gap(toServer: Bool) {
        if toServer { self.toServer.phase = .failed } else { toClient.phase = .failed }
    }

    /// Reports what was learned, once, if either side identified itself (the flow ended, or
    /// the caller gives up on it).
    @inlinable
    public mutating func end<S: SSHSink & ~Copyable>(sink: inout S) {
        guard markReported() else { return }
        withSides { c, s in sink.sshHandshake(client: c, server: s) }
    }

    /// Whether there is a report to make that was not made yet; marks it made.
    @usableFromInline
    mutating func markReported() -> Bool {
        guard !reported, client.bannerSeen || server.bannerSeen else { return false }
        reported = true
        return true
    }

    /// Calls `body` with both sides, by address (each holds kilobytes).
    @usableFromInline
    mutating func withSides<R>(_ body: (UnsafePointer<SSHSide>, UnsafePointer<SSHSide>) -> R) -> R {
        withUnsafeMutablePointer(to: &client) { c in withUnsafeMutablePointer(to: &server) { s in body(c, s) } }
    }

    /// Writes the `ssh` object for what was learned so far (a policy record of an SSH flow).
    public mutating func writeEve(into out: inout JSONBuffer) {
        withSides { c, s in SSHEve.write(client: c, server: s, into: &out) }
    }
}
