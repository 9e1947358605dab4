import L7Core

// Kafka protocol (https://kafka.apache.org/protocol): every request is an int32 size, then
// api_key, api_version, correlation_id and a nullable int16-length client id; responses repeat
// only the correlation id, so commands are read from the client side.

extension DatastoreProbes {
    /// Highest API key Kafka defines (ListClientMetricsResources, 3.7).
    @usableFromInline static var kafkaMaxApiKey: Int { 74 }

    /// Kafka: a request header with a known API key, a small version, a non-negative correlation
    /// id and a printable client id that fits in the request. An empty client id is accepted only
    /// for the first requests clients send (Metadata, ApiVersions) in a short request, since the
    /// header alone is then too weak a signal.
    @inlinable public static func kafka(_ b: UnsafeRawBufferPointer, toServer: Bool) -> DatastoreVerdict {
        guard toServer else { return .noMatch }
        guard b.count >= 14 else {
            if b.count >= 1 && b[0] > 0x07 { return .noMatch }
            if b.count >= 5 && b[4] != 0 { return .noMatch }
            return .needMore
        }
        let length = Bytes.be32(b, 0)
        let key = Bytes.be16(b, 4), version = Bytes.be16(b, 6)
        guard length >= 10, length < 1 << 27, key <= kafkaMaxApiKey, version <= 20, b[8] & 0x80 == 0 else { return .noMatch }
        let idLength = Int(Int16(truncatingIfNeeded: Bytes.be16(b, 12)))
        if idLength <= 0 {
            return idLength >= -1 && (key == 3 || key == 18) && length < 4096 ? .match(.kafka) : .noMatch
        }
        guard idLength <= 256, 10 + idLength <= length else { return .noMatch }
        guard Bytes.allPrintable(b, from: 14, to: 14 + idLength) else { return .noMatch }
        return b.count >= 14 + idLength ? .match(.kafka) : .needMore
    }
}

extension DatastoreParser {
    @inlinable func kafkaMeasure(_ b: UnsafeRawBufferPointer) -> Measure {
        guard b.count >= 4 else { return .need(4) }
        let length = Bytes.be32(b, 0)
        return length < 1 << 30 ? .frame(4 + length) : .bad
    }

    @inlinable func kafkaEmit<S: DatastoreSink & ~Copyable>(_ b: UnsafeRawBufferPointer, total: Int, toServer: Bool, sink: inout S) {
        guard toServer, b.count >= 8 else { return }
        var client = Bytes.slice(b, 0, 0)
        if b.count >= 14 {
            let n = Int(Int16(truncatingIfNeeded: Bytes.be16(b, 12)))
            if n > 0 { client = Bytes.slice(b, 14, min(14 + n, total)) }
        }
        command(Self.kafkaApiName(Bytes.be16(b, 4)), client, sink: &sink)
    }

    @inlinable static func kafkaApiName(_ key: Int) -> StaticString {
        switch key {
        case 0: return "Produce"
        case 1: return "Fetch"
        case 2: return "ListOffsets"
        case 3: return "Metadata"
        case 4: return "LeaderAndIsr"
        case 5: return "StopReplica"
        case 6: return "UpdateMetadata"
        case 7: return "ControlledShutdown"
        case 8: return "OffsetCommit"
        case 9: return "OffsetFetch"
        case 10: return "FindCoordinator"
        case 11: return "JoinGroup"
        case 12: return "Heartbeat"
        case 13: return "LeaveGroup"
        case 14: return "SyncGroup"
        case 15: return "DescribeGroups"
        case 16: return "ListGroups"
        case 17: return "SaslHandshake"
        case 18: return "ApiVersions"
        case 19: return "CreateTopics"
        case 20: return "DeleteTopics"
        case 21: return "DeleteRecords"
        case 22: return "InitProducerId"
        case 23: return "OffsetForLeaderEpoch"
        case 24: return "AddPartitionsToTxn"
        case 25: return "AddOffsetsToTxn"
        case 26: return "EndTxn"
        case 27: return "WriteTxnMarkers"
        case 28: return "TxnOffsetCommit"
        case 29: return "DescribeAcls"
        case 30: return "CreateAcls"
        case 31: return "DeleteAcls"
        case 32: return "DescribeConfigs"
        case 33: return "AlterConfigs"
        case 34: return "AlterReplicaLogDirs"
        case 35: return "DescribeLogDirs"
        case 36: return "SaslAuthenticate"
        case 37: return "CreatePartitions"
        case 38: return "CreateDelegationToken"
        case 39: return "RenewDelegationToken"
        case 40: return "ExpireDelegationToken"
        case 41: return "DescribeDelegationToken"
        case 42: return "DeleteGroups"
        case 43: return "ElectLeaders"
        case 44: return "IncrementalAlterConfigs"
        case 45: return "AlterPartitionReassignments"
        case 46: return "ListPartitionReassignments"
        case 47: return "OffsetDelete"
        case 48: return "DescribeClientQuotas"
        case 49: return "AlterClientQuotas"
        case 50: return "DescribeUserScramCredentials"
        case 51: return "AlterUserScramCredentials"
        case 52: return "Vote"
        case 53: return "BeginQuorumEpoch"
        case 54: return "EndQuorumEpoch"
        case 55: return "DescribeQuorum"
        case 56: return "AlterPartition"
        case 57: return "UpdateFeatures"
        case 58: return "Envelope"
        case 59: return "FetchSnapshot"
        case 60: return "DescribeCluster"
        case 61: return "DescribeProducers"
        case 62: return "BrokerRegistration"
        case 63: return "BrokerHeartbeat"
        case 64: return "UnregisterBroker"
        case 65: return "DescribeTransactions"
        case 66: return "ListTransactions"
        case 67: return "AllocateProducerIds"
        case 68: return "ConsumerGroupHeartbeat"
        case 69: return "ConsumerGroupDescribe"
        case 70: return "ControllerRegistration"
        case 71: return "GetTelemetrySubscriptions"
        case 72: return "PushTelemetry"
        case 73: return "AssignReplicasToDirs"
        case 74: return "ListClientMetricsResources"
        default: return "Unknown"
        }
    }
}
