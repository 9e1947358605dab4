#if os(Linux)
import CDPDKShim
import Glibc

/// DPDK's environment abstraction layer, which a process can start only once: the arguments,
/// their defaults, and the ports it probed.
public enum DPDKEAL {
    /// Whether this build has DPDK (libdpdk-dev was installed when it was compiled).
    public static var isBuiltIn: Bool { sluice_dpdk_available() != 0 }

    /// Arguments for a machine without hugepages or bound NICs: no hugepages (`-m` MiB of
    /// ordinary memory; `--in-memory` cannot be combined with `--no-huge`), no PCI scan, one
    /// lcore, no telemetry socket, and a runtime directory of this process's own so several
    /// processes never share one.
    public static func defaultArguments(memoryMB: Int = 512) -> [String] {
        ["--no-huge", "-m", "\(memoryMB)", "--no-pci", "-l", "0", "--no-telemetry", "--file-prefix", "sluice-\(getpid())"]
    }

    /// `arguments` with what sluice needs added when missing: a per-process `--file-prefix`
    /// (two primaries with the same prefix refuse to start) and one lcore (`-l 0`; workers
    /// are sluice's own threads).
    public static func completed(_ arguments: [String]) -> [String] {
        var a = arguments
        if !a.contains(where: { $0.hasPrefix("--file-prefix") }) { a += ["--file-prefix", "sluice-\(getpid())"] }
        if !a.contains(where: { $0 == "-l" || $0.hasPrefix("--lcores") || $0 == "-c" }) { a += ["-l", "0"] }
        return a
    }

    nonisolated(unsafe) private static var started = false

    /// Starts EAL with `arguments` (without the program name). Throws a worded `DPDKError`.
    public static func start(_ arguments: [String]) throws(DPDKError) {
        guard isBuiltIn else { throw DPDKError.eal(-ENOTSUP, arguments: arguments) }
        guard !started else { throw DPDKError.eal(-EALREADY, arguments: arguments) }
        let all = ["sluice"] + arguments
        var argv: [UnsafeMutablePointer<CChar>?] = all.map { strdup($0) }
        // EAL keeps pointers into argv (device arguments), so the strings live for the process.
        argv.append(nil)
        let rc = argv.withUnsafeMutableBufferPointer { sluice_dpdk_eal_init(Int32(all.count), $0.baseAddress) }
        guard rc == 0 else { throw DPDKError.eal(rc, arguments: arguments) }
        started = true
    }

    /// Whether `start` succeeded in this process.
    public static var isStarted: Bool { started }

    /// The probed ports' names, in port order.
    public static func portNames() -> [String] {
        var names: [String] = []
        var buf = [CChar](repeating: 0, count: 128)
        for i in 0..<sluice_dpdk_port_count() {
            var port: UInt16 = 0
            if sluice_dpdk_port_at(i, &port, &buf, buf.count) == 0 {
                names.append(String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
        }
        return names
    }

    /// The id of the port called `name` (a vdev name such as `net_pcap0`, or a PCI address).
    public static func port(named name: String) throws(DPDKError) -> UInt16 {
        var id: UInt16 = 0
        guard sluice_dpdk_port_by_name(name, &id) == 0 else { throw DPDKError.noPort(name, available: portNames()) }
        return id
    }

    /// Registers the calling thread with EAL so its mempool accesses use a per-thread cache;
    /// call it first on each worker thread. Harmless when it fails (the pool works uncached).
    @discardableResult public static func registerThread() -> Bool { sluice_dpdk_thread_register() == 0 }
}
#endif
