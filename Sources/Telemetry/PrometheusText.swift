import Codecs
import Threats
import L7Core

/// Renders the workers' published metrics as a Prometheus text exposition (format 0.0.4):
/// counters summed over workers at scrape time, named `sluice_..._total`, in base units
/// (bytes, seconds); per-worker busy ratio and time; the per-packet processing histogram.
public enum PrometheusText {
    /// The `Content-Type` of the rendered text.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The exposition of `workers` (in worker order, as `MetricsBoard.read()` returns them),
    /// labelled by `labels`.
    public static func render(workers: [WorkerMetrics], labels: MetricsLabels) -> String {
        let t = MetricsTotals(workers)
        var w = PrometheusWriter()
        traffic(t, labels, &w)
        drops(t, &w)
        flows(t, &w)
        policy(t, labels, &w)
        sensors(t, labels, &w)
        threats(t, &w)
        limits(t, &w)
        decode(t, &w)
        reassembly(t, &w)
        workerTime(t, &w)
        latency(t.sum.latency, &w)
        return w.text
    }

    /// The interfaces to show: every labelled one, then any other number that counted frames.
    static func interfaces(_ t: MetricsTotals, _ labels: MetricsLabels) -> [MetricsLabels.Interface] {
        var list = labels.interfaces.filter { $0.index >= 0 && $0.index < InterfaceTraffic.capacity }
        let named = Set(list.map(\.index))
        for i in 0..<InterfaceTraffic.capacity where !named.contains(i) {
            let a = t.sum.interfaces[i, .aToB], b = t.sum.interfaces[i, .bToA]
            if a.packets != 0 || b.packets != 0 || t.sum.interfaces.kernelDrops[i] != 0 {
                list.append(.init(index: i, name: String(i), directions: ["a_to_b", "b_to_a"]))
            }
        }
        return list
    }

    static func traffic(_ t: MetricsTotals, _ labels: MetricsLabels, _ w: inout PrometheusWriter) {
        let list = interfaces(t, labels)
        let kinds: [(String, String, KeyPath<DirectionTraffic, UInt64>)] = [
            ("sluice_packets_total", "Frames read from the interface, by interface and direction.", \.packets),
            ("sluice_bytes_total", "Bytes on the wire of the frames read, by interface and direction.", \.bytes),
            ("sluice_packets_forwarded_total", "Frames forwarded to the other side of an inline pair.", \.forwarded),
            ("sluice_packets_dropped_total", "Frames read and not forwarded (verdict, fail-closed, truncated).", \.dropped),
        ]
        for (name, help, key) in kinds {
            w.family(name, .counter, help: help)
            for i in list {
                for (d, dir) in zip(TrafficDirection.allCases, i.directions) {
                    w.sample(name, [("interface", i.name), ("direction", dir)], t.sum.interfaces[i.index, d][keyPath: key])
                }
            }
        }
        w.family("sluice_kernel_drops_total", .counter, help: "Frames the kernel dropped because the interface's ring was full.")
        for i in list {
            w.sample("sluice_kernel_drops_total", [("interface", i.name)], t.sum.interfaces.kernelDrops[i.index])
        }
        w.family("sluice_untracked_interface_packets_total", .counter,
                 help: "Frames counted under an interface number beyond the metrics' capacity.")
        w.sample("sluice_untracked_interface_packets_total", t.sum.interfaces.untracked)
    }

    static func drops(_ t: MetricsTotals, _ w: inout PrometheusWriter) {
        w.family("sluice_drops_total", .counter, help: "Frames the dataplane dropped after reading them, by reason.")
        for r in DropReason.allCases {
            w.sample("sluice_drops_total", [("reason", r.label)], t.sum[drops: r])
        }
    }

    static func flows(_ t: MetricsTotals, _ w: inout PrometheusWriter) {
        w.family("sluice_flows_active", .gauge, help: "Flows held in the flow tables.")
        w.sample("sluice_flows_active", t.sum.flowsActive)
        w.family("sluice_flows_capacity", .gauge,
                 help: "Flows the flow tables hold at most; at capacity a new flow evicts the oldest idle one.")
        w.sample("sluice_flows_capacity", t.sum.flowsCapacity)
        w.family("sluice_flows_created_total", .counter, help: "Flows created.")
        w.sample("sluice_flows_created_total", t.sum.flowsCreated)
        w.family("sluice_flows_ended_total", .counter, help: "Flows ended before shutdown, by reason.")
        w.sample("sluice_flows_ended_total", [("reason", "timeout")], t.sum.flowsTimedOut)
        w.sample("sluice_flows_ended_total", [("reason", "evicted")], t.sum.flowsEvicted)
        w.sample("sluice_flows_ended_total", [("reason", "reused")], t.sum.flowsReused)
        w.family("sluice_flows_by_app_total", .counter, help: "Flows by application protocol detected from their content.")
        for app in AppProto.allCases where app != .unknown {
            w.sample("sluice_flows_by_app_total", [("app", "\(app.name)")], t.sum.flowsByApp[Int(app.rawValue)])
        }
        w.family("sluice_l7_parse_errors_total", .counter,
                 help: "What the HTTP, HTTP/2 and datastore parsers distrusted or gave up on, by reason (counted as each flow's parser is released).")
        for r in L7ParseError.allCases {
            w.sample("sluice_l7_parse_errors_total", [("reason", r.name)], t.sum.l7ParseErrors[Int(r.rawValue)])
        }
    }

    static func policy(_ t: MetricsTotals, _ labels: MetricsLabels, _ w: inout PrometheusWriter) {
        w.family("sluice_policy_verdicts_total", .counter, help: "Policy verdicts on flows, by action.")
        for a in VerdictAction.allCases {
            w.sample("sluice_policy_verdicts_total", [("action", a.label)], t.sum[verdicts: a])
        }
        w.family("sluice_eve_records_suppressed_total", .counter,
                 help: "Policy violate/deny EVE records suppressed by the per-source rate limit (each counted in an aggregate record).")
        w.sample("sluice_eve_records_suppressed_total", t.sum.eveSuppressed)
        w.family("sluice_policy_rule_hits_total", .counter,
                 help: "Policy verdicts by the rule that decided them (rule_id=\"default\": no rule matched).")
        for (id, n) in t.ruleHits.sorted(by: { $0.key < $1.key }) {
            w.sample("sluice_policy_rule_hits_total", [("rule_id", String(id)), ("rule", labels.ruleDescription(id) ?? "")], n)
        }
        w.sample("sluice_policy_rule_hits_total", [("rule_id", "default"), ("rule", "")], t.sum.defaultRuleHits)
        w.family("sluice_policy_rule_hits_unattributed_total", .counter,
                 help: "Policy verdicts whose rule a worker could not count because its rule table was full.")
        w.sample("sluice_policy_rule_hits_unattributed_total", t.ruleHitOverflow)
    }

    static func sensors(_ t: MetricsTotals, _ labels: MetricsLabels, _ w: inout PrometheusWriter) {
        w.family("sluice_sensor_matches_total", .counter, help: "Sensor rules that fired, by sensor and rule.")
        for (sid, n) in t.sensorMatches.sorted(by: { $0.key < $1.key }) {
            let names = labels.sensorRule(sid)
            w.sample("sluice_sensor_matches_total",
                     [("sensor", names?.sensor ?? ""), ("rule_id", String(sid)), ("rule", names?.rule ?? "")], n)
        }
        w.family("sluice_sensor_matches_unattributed_total", .counter,
                 help: "Sensor matches whose rule a worker could not count because its sensor table was full.")
        w.sample("sluice_sensor_matches_unattributed_total", t.sensorMatchOverflow)
    }

    /// Fixed pools whose exhaustion leaves traffic uninspected (the flow table's evictions,
    /// reassembly's drops and unbuffered bytes are in their own families).
    static func threats(_ t: MetricsTotals, _ w: inout PrometheusWriter) {
        let c = t.sum.threats
        w.family("sluice_threats_total", .counter,
                 help: "Network threat detections, by threat (docs/threats.md); a flood counts each packet over its threshold.")
        for id in ThreatID.allCases {
            w.sample("sluice_threats_total", [("threat", "\(id.name)")], c[id])
        }
        w.family("sluice_threat_alerts_total", .counter, help: "Threat alert records written.")
        w.sample("sluice_threat_alerts_total", c.alerts)
        w.family("sluice_threat_alerts_suppressed_total", .counter,
                 help: "Threat alert records not written because a worker's per-second alert budget was spent.")
        w.sample("sluice_threat_alerts_suppressed_total", c.alertsSuppressed)
        w.family("sluice_threat_drops_total", .counter, help: "Packets dropped because a threat blocked them (protect mode).")
        w.sample("sluice_threat_drops_total", c.drops)
        w.family("sluice_threat_would_block_total", .counter,
                 help: "Threat detections that would have blocked were the workload in protect mode.")
        w.sample("sluice_threat_would_block_total", c.wouldBlock)
        w.family("sluice_threat_queue_full_total", .counter,
                 help: "Threat detections not acted on because more fired on one packet than the queue holds.")
        w.sample("sluice_threat_queue_full_total", c.queueFull)
    }

    static func limits(_ t: MetricsTotals, _ w: inout PrometheusWriter) {
        w.family("sluice_parser_pool_exhausted_total", .counter,
                 help: "Flows not parsed because every parser of their protocol's pool was lent, by pool.")
        for p in ParserPool.allCases {
            w.sample("sluice_parser_pool_exhausted_total", [("parser", p.label)], t.sum[parserPoolExhausted: p])
        }
        w.family("sluice_sensor_scanners_exhausted_total", .counter,
                 help: "Streams or bodies sensors did not scan because every scanner was lent.")
        w.sample("sluice_sensor_scanners_exhausted_total", t.sum.sensorScannersExhausted)
        w.family("sluice_policy_learned_shapes", .gauge,
                 help: "Distinct flow shapes discover mode learned (GET /v1/policy/learned), summed over workers.")
        w.sample("sluice_policy_learned_shapes", t.sum.learnedShapes)
        w.family("sluice_policy_learned_overflow_total", .counter,
                 help: "Flow shapes discover mode could not learn because a worker's learned table was full.")
        w.sample("sluice_policy_learned_overflow_total", t.sum.learnedOverflow)
        w.family("sluice_sensor_would_block_total", .counter,
                 help: "Sensor alerts that would have blocked their flow were the workload in protect mode.")
        w.sample("sluice_sensor_would_block_total", t.sum.sensorWouldBlock)
        w.family("sluice_sensor_disabled_matches_total", .counter,
                 help: "Sensor matches not reported because the workload's binding disabled the rule.")
        w.sample("sluice_sensor_disabled_matches_total", t.sum.sensorDisabledMatches)
    }

    static func decode(_ t: MetricsTotals, _ w: inout PrometheusWriter) {
        w.family("sluice_decode_errors_total", .counter, help: "Malformed frames, by the decoder's reason.")
        for e in DecodeError.allCases where e != .none {
            w.sample("sluice_decode_errors_total", [("reason", e.name)], t.sum.decode.malformed[Int(e.rawValue)])
        }
        w.family("sluice_ipv4_checksum_errors_total", .counter, help: "IPv4 headers whose checksum did not verify.")
        w.sample("sluice_ipv4_checksum_errors_total", t.sum.decode.ipv4ChecksumBad)
    }

    static func reassembly(_ t: MetricsTotals, _ w: inout PrometheusWriter) {
        let d = t.sum.defrag, s = t.sum.stream
        let plain: [(String, String, UInt64)] = [
            ("sluice_fragments_total", "IP fragments handed to reassembly.", d.fragments),
            ("sluice_fragment_datagrams_reassembled_total", "IP datagrams rebuilt from fragments.", d.reassembled),
            ("sluice_fragment_overlaps_total", "IP fragments that overlapped bytes already held (first wins).", d.overlaps),
            ("sluice_fragment_timeouts_total", "IP datagrams dropped incomplete at the reassembly timeout.", d.timeouts),
        ]
        for (name, help, v) in plain { w.family(name, .counter, help: help); w.sample(name, v) }
        w.family("sluice_fragment_drops_total", .counter, help: "IP datagrams or fragments reassembly dropped, by reason.")
        w.sample("sluice_fragment_drops_total", [("reason", "too_many_fragments")], d.tooManyFragments)
        w.sample("sluice_fragment_drops_total", [("reason", "table_full")], d.tableFull)
        w.sample("sluice_fragment_drops_total", [("reason", "too_large")], d.tooLarge)
        w.sample("sluice_fragment_drops_total", [("reason", "invalid")], d.invalid)
        let tcp: [(String, String, UInt64)] = [
            ("sluice_tcp_segments_total", "TCP segments with payload handed to stream reassembly.", s.segments),
            ("sluice_tcp_out_of_order_segments_total", "TCP segments that arrived ahead of their stream and were buffered.", s.outOfOrder),
            ("sluice_tcp_retransmitted_segments_total", "TCP segments whose bytes had all been seen.", s.retransmissions),
            ("sluice_tcp_overlapping_segments_total", "TCP segments that partly overlapped bytes already seen (first wins).", s.overlaps),
            ("sluice_tcp_overlap_bytes_total", "TCP bytes discarded because they overlapped bytes already seen.", s.overlapBytes),
            ("sluice_tcp_gaps_total", "Gaps in TCP streams reported to inspection.", s.gaps),
            ("sluice_tcp_gap_bytes_total", "TCP bytes covered by those gaps.", s.gapBytes),
            ("sluice_tcp_past_fin_bytes_total", "TCP bytes discarded because they lay past their direction's FIN.", s.pastFinBytes),
        ]
        for (name, help, v) in tcp { w.family(name, .counter, help: help); w.sample(name, v) }
        w.family("sluice_tcp_unbuffered_bytes_total", .counter,
                 help: "Out-of-order TCP bytes not buffered, by the limit reached (flow cap or worker pool).")
        w.sample("sluice_tcp_unbuffered_bytes_total", [("reason", "flow_cap")], s.flowCapDrops)
        w.sample("sluice_tcp_unbuffered_bytes_total", [("reason", "pool")], s.poolDrops)
    }

    static func workerTime(_ t: MetricsTotals, _ w: inout PrometheusWriter) {
        w.family("sluice_worker_busy_ratio", .gauge,
                 help: "Share of the worker's last second spent on frames rather than waiting for them (0 to 1).")
        for (i, b) in t.busy.enumerated() { w.sample("sluice_worker_busy_ratio", [("worker", String(i))], b.ratio) }
        w.family("sluice_worker_busy_seconds_total", .counter, help: "Time the worker spent on frames.")
        for (i, b) in t.busy.enumerated() {
            w.sample("sluice_worker_busy_seconds_total", [("worker", String(i))], Double(b.busyNanos) / 1e9)
        }
        w.family("sluice_worker_idle_seconds_total", .counter, help: "Time the worker spent waiting for frames.")
        for (i, b) in t.busy.enumerated() {
            w.sample("sluice_worker_idle_seconds_total", [("worker", String(i))], Double(b.idleNanos) / 1e9)
        }
    }

    static func latency(_ h: LatencyHistogram, _ w: inout PrometheusWriter) {
        let name = "sluice_packet_processing_seconds"
        w.family(name, .histogram, help: "Time to process one frame, from reading it to its verdict.")
        var cumulative: UInt64 = 0
        for k in 0..<LatencyHistogram.finiteBuckets {
            cumulative &+= h.buckets[k]
            let le = Double(LatencyHistogram.upperBoundNanos(k)) / 1e9
            w.sample(name + "_bucket", [("le", PrometheusWriter.format(le))], cumulative)
        }
        w.sample(name + "_bucket", [("le", "+Inf")], h.count)
        w.sample(name + "_sum", Double(h.sumNanos) / 1e9)
        w.sample(name + "_count", h.count)
    }
}
