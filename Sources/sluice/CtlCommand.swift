import APITypes
import ArgumentParser
import ConfigYAML
import ControlAPI
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `sluice ctl`: the local API from the command line.
struct CtlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctl", abstract: "Talk to a running `sluice run` through its API.",
        subcommands: [Status.self, Flows.self, PolicyCtl.self, Workloads.self, Workload.self, SensorsCtl.self, Threats.self, Events.self,
                      Capture.self, Interfaces.self])

    /// Where and how to connect; shared by every subcommand.
    struct Connection: ParsableArguments {
        @Option(name: .long, help: "The API's Unix socket.") var socket = "/run/sluice/sluice.sock"
        @Option(name: .long, help: "The API's TCP address (host:port) instead of the socket.") var url: String?
        @Option(name: .long, help: "The file holding the bearer token.") var tokenFile = "/etc/sluice/token"
        @Flag(name: .long, help: "Print the API's JSON instead of the human summary.") var json = false

        func client() throws -> APIClient {
            let token: String
            do { token = try readFile(tokenFile) } catch {
                throw RuntimeError(.noPermission, "cannot read the token file \(tokenFile): \(error)")
            }
            let t = token.trimmingCharacters(in: .whitespacesAndNewlines)
            if let url {
                let hostPort = url.replacingOccurrences(of: "http://", with: "")
                // The socket layer traps on a port past 16 bits.
                guard let c = hostPort.lastIndex(of: ":"), let port = Int(hostPort[hostPort.index(after: c)...]),
                      (1...65535).contains(port) else {
                    throw ValidationError("--url must be host:port")
                }
                return APIClient(endpoint: .tcp(String(hostPort[..<c]), port), token: t)
            }
            return APIClient(endpoint: .unix(socket), token: t)
        }

        /// Sends the request and reads the answer as `T`, the type the daemon encodes (APITypes);
        /// an error answer becomes its message (with the file position of a rejected push).
        /// With `--json` the answer is printed as the API sent it.
        func call<T: Decodable>(_ type: T.Type, _ method: String, _ path: String, body: [UInt8] = [],
                                headers: [String: String] = [:]) throws -> T {
            let r: APIClient.Response
            let client = try client()
            do { r = try client.send(method, path, body: body, headers: headers) } catch {
                throw RuntimeError(.unavailable, "cannot reach the API (\(url ?? socket)): \(error)")
            }
            if json { print(String(decoding: r.body, as: UTF8.self), terminator: "") }
            guard (200..<300).contains(r.status) else {
                throw Self.refused(r.status, body: r.body)
            }
            do { return try APIJSON.decode(T.self, from: r.body) } catch {
                throw RuntimeError(.dataError, "the API's answer to \(method) \(path) is not the \(T.self) this client reads: \(error)")
            }
        }

        /// The error for an API answer that is not a success: a rejected token is
        /// ``ExitStatus/noPermission``, anything else the daemon refused ``ExitStatus/failed``.
        static func refused(_ status: Int, body: [UInt8]) -> RuntimeError {
            let message = (try? APIJSON.decode(APIErrorResponse.self, from: body))?.error.text ?? String(decoding: body.prefix(512), as: UTF8.self)
            return RuntimeError(status == 401 ? .noPermission : .failed, "the API answered \(status): \(message)")
        }

        /// A file to push, read with the size bound every config file has.
        static func read(_ file: String) throws -> String {
            do { return try readFile(file) } catch { throw RuntimeError(.noInput, "cannot read \(file): \(error)") }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The daemon's interfaces, policy version and sensors.")
        @OptionGroup var connection: Connection
        func run() throws {
            let s = try connection.call(StatusResponse.self, "GET", "/v1/status")
            guard !connection.json else { return }
            print("uptime \(s.uptimeSeconds)s  workers \(s.workers)  fail \(s.fail)")
            print("policy version \(s.policy.version) from \(s.policy.source)")
            print("sensors \(s.sensors.joined(separator: ", "))")
            print("INTERFACE  MODE    DEVICES                WORKLOAD")
            for i in s.interfaces {
                let devs = i.pair?.joined(separator: "<->") ?? i.interface ?? ""
                print("\(pad(i.name, 10)) \(pad(i.mode, 7)) \(pad(devs, 22)) \(i.workload ?? "-")")
            }
        }
    }

    struct PolicyCtl: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "policy", abstract: "Get or push the whitelist policy.",
                                                        subcommands: [Get.self, Push.self, Learned.self])
        struct Get: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Print the policy in force (YAML).")
            @OptionGroup var connection: Connection
            func run() throws {
                let p = try connection.call(PolicyResponse.self, "GET", "/v1/policy")
                if !connection.json {
                    FileHandleStderr.write("# version \(p.version) from \(p.source)\n")
                    print(p.policy, terminator: "")
                }
            }
        }
        struct Push: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Validate and put a policy in force; a policy that does not validate is rejected and the running one stays.")
            @OptionGroup var connection: Connection
            @Argument(help: "The policy YAML file.") var file: String
            @Option(name: .long, help: "Only if the policy in force is this version.") var ifVersion: Int?
            func run() throws {
                let text = try Connection.read(file)
                var headers: [String: String] = [:]
                if let v = ifVersion { headers["If-Match"] = "\"\(v)\"" }
                let name = URL(fileURLWithPath: file).lastPathComponent.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? "policy.yaml"
                let r = try connection.call(PushResponse.self, "PUT", "/v1/policy?name=\(name)", body: Array(text.utf8), headers: headers)
                guard !connection.json else { return }
                let ms = r.appliedMs
                print("policy \(file) in force: version \(r.version)"
                      + (ms >= 0 ? ", on every worker \(String(format: "%.2f", ms)) ms after the push" : ", not yet on every worker"))
            }
        }
    }

    struct SensorsCtl: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "sensors", abstract: "The sensors the daemon runs.",
                                                        subcommands: [List.self, Push.self], defaultSubcommand: List.self)
        struct Push: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Validate a sensor file and put it in force beside the built-in sets; a file that does not validate is rejected.")
            @OptionGroup var connection: Connection
            @Argument(help: "The sensor YAML file.") var file: String
            func run() throws {
                let text = try Connection.read(file)
                let name = URL(fileURLWithPath: file).lastPathComponent.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? "sensors.yaml"
                let r = try connection.call(PushResponse.self, "PUT", "/v1/sensors?name=\(name)", body: Array(text.utf8))
                if !connection.json { print("sensors \(file) in force: version \(r.version)") }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "The sensors the daemon runs.")
        @OptionGroup var connection: Connection
        func run() throws {
            let r = try connection.call(SensorsResponse.self, "GET", "/v1/sensors")
            guard !connection.json else { return }
            for s in r.sensors {
                print("\(s.name): \(s.rules.count) rules")
            }
        }
    }
}

extension CtlCommand {
    struct Events: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the latest EVE records (JSON lines); --follow keeps printing new ones, like tail -f.")
        @OptionGroup var connection: Connection
        @Option(name: .long, help: "How many of the latest records.") var tail = 20
        @Flag(name: .long, help: "Keep printing records as they are written.") var follow = false
        func run() throws {
            let path = "/v1/events?tail=\(tail)" + (follow ? "&follow=1" : "")
            let r: APIClient.Response
            let client = try connection.client()
            do {
                r = try client.stream(path) { bytes in
                    _ = bytes.withUnsafeBytes { Glibc.write(1, $0.baseAddress, $0.count) }
                }
            } catch {
                throw RuntimeError(.unavailable, "cannot reach the API (\(connection.url ?? connection.socket)): \(error)")
            }
            guard r.status == 200 else {
                throw Connection.refused(r.status, body: r.body)
            }
        }
    }
}

extension CtlCommand {
    struct Flows: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The active flows, most recently active first.")
        @OptionGroup var connection: Connection
        @Option(name: .long, help: "At most this many.") var limit = 50
        func run() throws {
            let r = try connection.call(FlowsResponse.self, "GET", "/v1/flows?limit=\(limit)")
            guard !connection.json else { return }
            print("PROTO  SOURCE                         DESTINATION                    APP       STATE        PKTS      BYTES  VERDICT")
            for f in r.flows {
                let proto = [1: "icmp", 6: "tcp", 17: "udp", 58: "icmp6"][f.proto] ?? "\(f.proto)"
                let src = f.srcIP + (f.srcPort.map { ":\($0)" } ?? "")
                let dst = f.destIP + (f.destPort.map { ":\($0)" } ?? "")
                print("\(pad(proto, 6)) \(pad(src, 30)) \(pad(dst, 30)) \(pad(f.appProto ?? "-", 9)) \(pad(f.state, 12)) "
                      + "\(pad(f.pkts, 9)) \(pad(f.bytes, 10)) \(f.verdict)")
            }
            if r.workersLate > 0 { FileHandleStderr.write("\(r.workersLate) worker(s) did not answer in time\n") }
        }
    }

    struct Workloads: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The policy's workloads: mode in force, quarantine, sensors.")
        @OptionGroup var connection: Connection
        func run() throws {
            let r = try connection.call(WorkloadsResponse.self, "GET", "/v1/workloads")
            guard !connection.json else { return }
            print("WORKLOAD     GROUP        MODE      QUARANTINE  SENSORS")
            for w in r.workloads {
                print("\(pad(w.name, 12)) \(pad(w.group, 12)) \(pad(w.mode, 9)) \(pad(w.quarantine ? "yes" : "no", 11)) "
                      + "\(w.sensors.joined(separator: ","))")
            }
        }
    }

    struct Threats: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The network threats detected: id, name, action, threshold and detections (docs/threats.md).")
        @OptionGroup var connection: Connection
        func run() throws {
            let r = try connection.call(ThreatsResponse.self, "GET", "/v1/threats")
            guard !connection.json else { return }
            print("ID    THREAT                 ACTION  DETECTIONS  THRESHOLD")
            for t in r.threats {
                let action = t.enabled ? t.action : "off"
                print("\(t.id)  \(pad(t.name, 22)) \(pad(action, 7)) \(pad(String(t.detections), 11)) \(t.threshold ?? "-")")
            }
        }
    }

    struct Workload: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a workload's mode, or quarantine it (all its traffic denied) and release it.")
        @OptionGroup var connection: Connection
        @Argument(help: "The workload's name in the policy.") var name: String
        @Option(name: .long, help: "discover, monitor or protect.") var mode: String?
        @Flag(name: .long, help: "Deny all of its traffic.") var quarantine = false
        @Flag(name: .long, help: "End its quarantine.") var release = false
        func run() throws {
            let update = WorkloadUpdate(mode: mode, quarantine: quarantine ? true : release ? false : nil)
            guard update != WorkloadUpdate(), !(quarantine && release) else { throw ValidationError("give --mode, --quarantine or --release") }
            let r = try connection.call(PushResponse.self, "PUT", "/v1/workloads/\(name)", body: APIJSON.encode(update),
                                        headers: ["Content-Type": "application/json"])
            if !connection.json { print("workload \(name) updated: policy version \(r.version)") }
        }
    }
}

/// `v` left-aligned in `n` columns.
func pad(_ v: some CustomStringConvertible, _ n: Int) -> String {
    let s = v.description
    return s.count >= n ? s : s + String(repeating: " ", count: n - s.count)
}
