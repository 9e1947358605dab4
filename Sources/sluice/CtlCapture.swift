import APITypes
import ArgumentParser
import ControlAPI
import Foundation

extension CtlCommand {
    /// `sluice ctl capture ...`: packet capture on demand, like a remote tcpdump.
    struct Capture: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "capture", abstract: "Capture packets on an interface or workload, with a tcpdump filter.",
            subcommands: [Start.self, List.self, Get.self, Stop.self, Delete.self])

        struct Start: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Start a capture; prints its id.")
            @OptionGroup var connection: Connection
            @Option(name: .long, help: "An interface's name in the daemon config.") var interface: String?
            @Option(name: .long, help: "A workload: every interface it is behind.") var workload: String?
            @Option(name: .long, help: "A tcpdump filter, e.g. 'tcp port 80'.") var filter = ""
            @Option(name: .long, help: "Stop after this many packets.") var packets: Int?
            @Option(name: .long, help: "Stop after this many bytes.") var bytes: Int?
            @Option(name: .long, help: "Stop after this many seconds.") var seconds: Double?
            @Option(name: .long, help: "Bytes kept of each packet.") var snaplen: Int?
            func run() throws {
                guard (interface == nil) != (workload == nil) else { throw ValidationError("give --interface or --workload") }
                var body = CaptureStartRequest(interface: interface, workload: workload)
                body.filter = filter
                if let packets { body.packets = packets }
                if let bytes { body.bytes = bytes }
                if let seconds { body.seconds = seconds }
                if let snaplen { body.snaplen = snaplen }
                let r = try connection.call(CaptureResponse.self, "POST", "/v1/captures", body: APIJSON.encode(body))
                if !connection.json { print("capture \(r.id) started on \(r.target)") }
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "The captures and their state.")
            @OptionGroup var connection: Connection
            func run() throws {
                let r = try connection.call(CapturesResponse.self, "GET", "/v1/captures")
                guard !connection.json else { return }
                print("ID       TARGET                 FILTER               STATE                 PACKETS  BYTES")
                for c in r.captures {
                    print("\(pad(c.id, 8)) \(pad(c.target, 22)) \(pad(c.filter, 20)) \(pad(c.state, 21)) "
                          + "\(pad(c.counters.written, 8)) \(c.counters.bytes)")
                }
            }
        }

        struct Get: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Download a capture as one pcapng file.")
            @OptionGroup var connection: Connection
            @Argument(help: "The capture's id.") var id: String
            @Option(name: [.short, .long], help: "Where to write it (default ID.pcapng).") var output: String?
            func run() throws {
                let r: APIClient.Response
                let client = try connection.client()
                do { r = try client.send("GET", "/v1/captures/\(id)/pcap", timeoutSeconds: 60) } catch {
                    throw RuntimeError(.unavailable, "cannot reach the API (\(connection.url ?? connection.socket)): \(error)")
                }
                guard r.status == 200 else {
                    throw CtlCommand.Connection.refused(r.status, body: r.body)
                }
                let path = output ?? "\(id).pcapng"
                do { try Data(r.body).write(to: URL(fileURLWithPath: path)) } catch {
                    throw RuntimeError(.cantCreate, "\(path): \(error.localizedDescription)")
                }
                print("\(path): \(r.body.count) bytes")
            }
        }

        struct Stop: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Stop a capture (its file stays).")
            @OptionGroup var connection: Connection
            @Argument var id: String
            func run() throws {
                let r = try connection.call(CaptureResponse.self, "POST", "/v1/captures/\(id)/stop")
                if !connection.json { print("capture \(id): \(r.state)") }
            }
        }

        struct Delete: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Stop a capture and delete its files.")
            @OptionGroup var connection: Connection
            @Argument var id: String
            func run() throws {
                _ = try connection.call(CaptureDeletedResponse.self, "DELETE", "/v1/captures/\(id)")
                if !connection.json { print("capture \(id) deleted") }
            }
        }
    }
}
