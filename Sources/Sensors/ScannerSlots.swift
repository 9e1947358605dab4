#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import PatternMatch

/// Stream scanners of one database with, per slot, the stream's position and its last bytes:
/// a validated match (a card number) may begin in an earlier chunk, and its bytes must still
/// be at hand to check.
@usableFromInline
struct ScannerSlots {
    @usableFromInline let streams: StreamSlots
    /// Bytes scanned so far per slot: the stream offset of the next chunk.
    @usableFromInline let offsets: UnsafeMutablePointer<UInt64>
    /// The last ``tailSize`` bytes scanned per slot, right-aligned.
    @usableFromInline let tails: UnsafeMutablePointer<UInt8>
    @usableFromInline static var tailSize: Int { 64 }

    init(database: HyperscanDatabase, count: Int) throws {
        streams = try StreamSlots(database: database, count: count)
        offsets = .allocate(capacity: streams.count)
        offsets.initialize(repeating: 0, count: streams.count)
        tails = .allocate(capacity: streams.count * Self.tailSize)
        tails.initialize(repeating: 0, count: streams.count * Self.tailSize)
    }

    /// No scanners (the set has no pattern of this family).
    init() {
        streams = StreamSlots()
        offsets = .allocate(capacity: 1)
        tails = .allocate(capacity: Self.tailSize)
    }

    /// Frees the scanners (a handle: the engine's deinit calls this once).
    func deallocate() {
        streams.deallocate()
        offsets.deallocate()
        tails.deallocate()
    }

    /// A fresh scanner, or -1.
    @inlinable func borrow() -> Int32 {
        let s = streams.borrow()
        if s >= 0 { offsets[Int(s)] = 0 }
        return s
    }

    @inlinable func giveBack(_ slot: Int32) { streams.giveBack(slot) }

    /// The slot's last bytes (up to ``tailSize``, fewer at the stream's start).
    @inlinable func tail(_ slot: Int32) -> UnsafeRawBufferPointer {
        let n = Int(min(offsets[Int(slot)], UInt64(Self.tailSize)))
        return UnsafeRawBufferPointer(start: tails + Int(slot) * Self.tailSize + (Self.tailSize - n), count: n)
    }

    /// Records that `bytes` were scanned on `slot`.
    @inlinable func advance(_ slot: Int32, _ bytes: UnsafeRawBufferPointer) {
        let t = tails + Int(slot) * Self.tailSize
        let size = Self.tailSize
        if bytes.count >= size {
            UnsafeMutableRawPointer(t).copyMemory(from: bytes.baseAddress! + bytes.count - size, byteCount: size)
        } else if bytes.count > 0 {
            // Shift the kept bytes left and append.
            memmoveBytes(t, t + bytes.count, size - bytes.count)
            UnsafeMutableRawPointer(t + size - bytes.count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        }
        offsets[Int(slot)] &+= UInt64(bytes.count)
    }
}

@inlinable
func memmoveBytes(_ dst: UnsafeMutablePointer<UInt8>, _ src: UnsafeMutablePointer<UInt8>, _ n: Int) {
    _ = memmove(dst, src, n)
}
