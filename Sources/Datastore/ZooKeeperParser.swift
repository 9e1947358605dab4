import L7Core

// ZooKeeper's jute protocol: each message is an int32 length then its record. A session opens
// with a ConnectRequest (no xid or type) answered by a ConnectResponse; requests after that carry
// xid and an op type, replies carry xid, zxid and an error code.

extension DatastoreProbes {
    /// ZooKeeper: a ConnectRequest (length 44/45, protocolVersion 0, a non-negative zxid and
    /// session, a timeout under a day, a 16-byte password) or the matching ConnectResponse.
    @inlinable public static func zookeeper(_ b: UnsafeRawBufferPointer, toServer: Bool) -> DatastoreVerdict {
        let base = toServer ? 44 : 36
        guard b.count >= 4 else {
            for i in 0..<min(b.count, 3) where b[i] != 0 { return .noMatch }
            return .needMore
        }
        let length = Bytes.be32(b, 0)
        guard length == base || length == base + 1 else { return .noMatch }
        guard b.count >= length + 4 - (length - base) else { return .needMore }
        guard Bytes.be32(b, 4) == 0 else { return .noMatch }
        if toServer {
            let timeout = Bytes.be32(b, 16)
            guard b[8] & 0x80 == 0, timeout >= 1, timeout <= 86_400_000, b[20] & 0x80 == 0,
                  Bytes.be32(b, 28) == 16 else { return .noMatch }
        } else {
            let timeout = Bytes.be32(b, 8)
            guard timeout <= 86_400_000, b[12] & 0x80 == 0, Bytes.be32(b, 20) == 16 else { return .noMatch }
        }
        if length == base + 1 {
            guard b.count >= length + 4 else { return .needMore }
            guard b[length + 3] <= 1 else { return .noMatch }   // readOnly flag
        }
        return .match(.zookeeper)
    }
}

extension DatastoreParser {
    @inlinable func zookeeperMeasure(_ b: UnsafeRawBufferPointer) -> Measure {
        guard b.count >= 4 else { return .need(4) }
        let length = Bytes.be32(b, 0)
        return length < 1 << 26 ? .frame(4 + length) : .bad
    }

    @inlinable mutating func zookeeperEmit<S: DatastoreSink & ~Copyable>(_ b: UnsafeRawBufferPointer, total: Int, toServer: Bool, sink: inout S) {
        if !toServer {
            if !flags.contains(.serverStarted) {
                flags.insert(.serverStarted)
                if total == 40 || total == 41 { return }   // ConnectResponse
            }
            if b.count >= 20 && Bytes.be32(b, 16) != 0 { reply(error: true, sink: &sink) }
            return
        }
        if !flags.contains(.clientStarted) {
            flags.insert(.clientStarted)
            if (total == 48 || total == 49) && b.count >= 8 && Bytes.be32(b, 4) == 0 {
                command("connect", sink: &sink)
                return
            }
        }
        guard b.count >= 12 else { return }
        let type = Bytes.be32s(b, 8)
        var path = Bytes.slice(b, 0, 0)
        switch type {
        case 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 15, 19, 20, 21, 103, 104, 106:
            if b.count >= 16 {
                let n = Bytes.be32s(b, 12)
                if n > 0 { path = Bytes.slice(b, 16, min(16 + n, total)) }
            }
        default: break
        }
        command(Self.zookeeperOpName(type), path, sink: &sink)
    }

    @inlinable static func zookeeperOpName(_ type: Int) -> StaticString {
        switch type {
        case 0: return "notification"
        case 1: return "create"
        case 2: return "delete"
        case 3: return "exists"
        case 4: return "getData"
        case 5: return "setData"
        case 6: return "getACL"
        case 7: return "setACL"
        case 8: return "getChildren"
        case 9: return "sync"
        case 11: return "ping"
        case 12: return "getChildren2"
        case 13: return "check"
        case 14: return "multi"
        case 15: return "create2"
        case 16: return "reconfig"
        case 17: return "checkWatches"
        case 18: return "removeWatches"
        case 19: return "createContainer"
        case 20: return "deleteContainer"
        case 21: return "createTTL"
        case 22: return "multiRead"
        case 100: return "auth"
        case 101: return "setWatches"
        case 102: return "sasl"
        case 103: return "getEphemerals"
        case 104: return "getAllChildrenNumber"
        case 105: return "setWatches2"
        case 106: return "addWatch"
        case 107: return "whoAmI"
        case -10: return "createSession"
        case -11: return "closeSession"
        default: return "unknown"
        }
    }
}
