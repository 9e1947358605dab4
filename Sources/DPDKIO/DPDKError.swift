#if os(Linux)
import Glibc

/// A DPDK failure, worded for what a DPDK user hits first: no hugepages, a port that is not
/// bound to a DPDK driver or whose name is mistyped, too few mbufs.
public struct DPDKError: Error, CustomStringConvertible, Equatable {
    /// What went wrong and what to do about it.
    public var description: String
    /// The errno behind it (positive), 0 when none.
    public var code: Int32

    /// An error with a message.
    public init(_ description: String, code: Int32 = 0) {
        self.description = description
        self.code = code
    }

    /// The shim's -errno as an error about `what`, with a hint for the common causes.
    static func eal(_ rc: Int32, arguments: [String]) -> DPDKError {
        let code = -rc
        let args = arguments.joined(separator: " ")
        let reason = String(cString: strerror(code))
        switch code {
        case ENOTSUP where !DPDKEAL.isBuiltIn:
            return DPDKError("DPDK: sluice was built without DPDK (install libdpdk-dev and rebuild)", code: code)
        case EALREADY:
            return DPDKError("DPDK: EAL is already initialised in this process (it can start only once)", code: code)
        case EACCES where !args.contains("--no-huge"):
            return DPDKError("DPDK: EAL cannot get hugepage information (\(reason)): reserve hugepages "
                + "(echo 512 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages) or add --no-huge -m 512 "
                + "to the EAL arguments [\(args)]", code: code)
        case ENOMEM:
            return DPDKError("DPDK: EAL cannot reserve its memory (\(reason)): without hugepages give --no-huge -m 512; "
                + "with them, reserve more [\(args)]", code: code)
        case ENODEV, ENOEXEC, ENOTSUP:
            return DPDKError("DPDK: EAL could not probe the devices (\(reason)): check each --vdev for a misspelt driver "
                + "(net_pcap, net_af_packet, net_ring, net_null, net_tap, net_memif, net_af_xdp, net_vhost, virtio_user) "
                + "or argument, and that each PCI device (-a) is bound to vfio-pci or uio [\(args)]", code: code)
        default:
            return DPDKError("DPDK: rte_eal_init failed: \(reason) (EAL's own message is above) [\(args)]", code: code)
        }
    }

    /// A port that EAL did not probe: lists the ones it did, and for a PCI address says which
    /// kernel driver holds the device.
    static func noPort(_ name: String, available: [String]) -> DPDKError {
        var text = "DPDK: no port named '\(name)'; EAL probed "
            + (available.isEmpty ? "no ports" : available.joined(separator: ", "))
        if isPCIAddress(name) {
            let driver = boundDriver(pci: name)
            if let driver, !["vfio-pci", "uio_pci_generic", "igb_uio"].contains(driver) {
                text += ". \(name) is bound to the kernel driver \(driver), not a DPDK one: "
                    + "dpdk-devbind.py --bind=vfio-pci \(name)"
            } else if driver == nil {
                text += ". \(name) has no driver bound (or is not a PCI device here): dpdk-devbind.py --status"
            }
            text += "; and allow it with -a \(name) (not --no-pci)"
        } else {
            text += ". A vdev port is named by its --vdev string's first word (net_pcap0 from --vdev=net_pcap0,rx_pcap=f)"
        }
        return DPDKError(text, code: ENODEV)
    }

    static func isPCIAddress(_ s: String) -> Bool {
        let parts = s.split(separator: ":")
        return (parts.count == 3 || parts.count == 2) && s.contains(".") && s.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
    }

    static func boundDriver(pci: String) -> String? {
        let full = pci.split(separator: ":").count == 2 ? "0000:" + pci : pci
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/sys/bus/pci/devices/\(full)/driver", &buf, buf.count - 1)
        guard n > 0 else { return nil }
        let path = String(decoding: buf[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return path.split(separator: "/").last.map(String.init)
    }
}
#endif
