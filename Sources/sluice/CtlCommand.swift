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
        subcommands: [Status.self, Flows.self, PolicyCtl.self, Workloads.self, Workload.self, SensorsCtl.self, Events.self, Capture.self])

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

        /// Sends the request; prints API errors (with their file position) and exits non-zero.
        func call(_ method: String, _ path: String, body: [UInt8] = [], headers: [String: String] = [:]) throws -> [String: Any] {
            let r: APIClient.Response
            let client = try client()
            do { r = try client.send(method, path, body: body, headers: headers) } catch {
                throw RuntimeError(.unavailable, "cannot reach the API (\(url ?? socket)): \(error)")
            }
            let object = (try? JSONSerialization.jsonObject(with: Data(r.body))) as? [String: Any] ?? [:]
            if json { print(String(decoding: r.body, as: UTF8.self), terminator: "") }
            guard (200..<300).contains(r.status) else {
                let e = object["error"] as? [String: Any] ?? [:]
                throw Self.refused(r.status, e["message"] as? String ?? e["reason"] as? String ?? "")
            }
            return object
        }

        /// The error for an API answer that is not a success: a rejected token is
        /// ``ExitStatus/noPermission``, anything else the daemon refused ``ExitStatus/failed``.
        static func refused(_ status: Int, _ message: String) -> RuntimeError {
            RuntimeError(status == 401 ? .noPermission : .failed, "the API answered \(status): \(message)")
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
            let s = try connection.call("GET", "/v1/status")
            guard !connection.json else { return }
            let p = s["policy"] as? [String: Any] ?? [:]
            print("uptime \(s["uptime_seconds"] ?? 0)s  workers \(s["workers"] ?? 0)  fail \(s["fail"] ?? "")")
            print("policy version \(p["version"] ?? "?") from \(p["source"] ?? "?")")
            print("sensors \((s["sensors"] as? [String] ?? []).joined(separator: ", "))")
            print("INTERFACE  MODE    DEVICES                WORKLOAD")
            for i in s["interfaces"] as? [[String: Any]] ?? [] {
                let devs = (i["pair"] as? [String])?.joined(separator: "<->") ?? i["interface"] as? String ?? ""
                print("\(pad(i["name"], 10)) \(pad(i["mode"], 7)) \(pad(devs, 22)) \(i["workload"] ?? "-")")
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
                let p = try connection.call("GET", "/v1/policy")
                if !connection.json {
                    FileHandleStderr.write("# version \(p["version"] ?? "?") from \(p["source"] ?? "?")\n")
                    print(p["policy"] as? String ?? "", terminator: "")
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
                let r = try connection.call("PUT", "/v1/policy?name=\(name)", body: Array(text.utf8), headers: headers)
                guard !connection.json else { return }
                let ms = r["applied_ms"] as? Double ?? -1
                print("policy \(file) in force: version \(r["version"] ?? "?")"
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
                let r = try connection.call("PUT", "/v1/sensors?name=\(name)", body: Array(text.utf8))
                if !connection.json { print("sensors \(file) in force: version \(r["version"] ?? "?")") }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "The sensors the daemon runs.")
        @OptionGroup var connection: Connection
        func run() throws {
            let r = try connection.call("GET", "/v1/sensors")
            guard !connection.json else { return }
            for s in r["sensors"] as? [[String: Any]] ?? [] {
                print("\(s["name"] ?? ""): \((s["rules"] as? [Any])?.count ?? 0) rules")
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
                throw Connection.refused(r.status, String(decoding: r.body.prefix(512), as: UTF8.self))
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
            let r = try connection.call("GET", "/v1/flows?limit=\(limit)")
            guard !connection.json else { return }
            print("PROTO  SOURCE                         DESTINATION                    APP       STATE        PKTS      BYTES  VERDICT")
            for f in r["flows"] as? [[String: Any]] ?? [] {
                let proto = [1: "icmp", 6: "tcp", 17: "udp", 58: "icmp6"][f["proto"] as? Int ?? 0] ?? "\(f["proto"] ?? "")"
                let src = "\(f["src_ip"] ?? "")" + (f["src_port"].map { ":\($0)" } ?? "")
                let dst = "\(f["dest_ip"] ?? "")" + (f["dest_port"].map { ":\($0)" } ?? "")
                print("\(pad(proto, 6)) \(pad(src, 30)) \(pad(dst, 30)) \(pad(f["app_proto"] ?? "-", 9)) \(pad(f["state"], 12)) "
                      + "\(pad(f["pkts"], 9)) \(pad(f["bytes"], 10)) \(f["verdict"] ?? "")")
            }
            if let late = r["workers_late"] as? Int, late > 0 { FileHandleStderr.write("\(late) worker(s) did not answer in time\n") }
        }
    }

    struct Workloads: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The policy's workloads: mode in force, quarantine, sensors.")
        @OptionGroup var connection: Connection
        func run() throws {
            let r = try connection.call("GET", "/v1/workloads")
            guard !connection.json else { return }
            print("WORKLOAD     GROUP        MODE      QUARANTINE  SENSORS")
            for w in r["workloads"] as? [[String: Any]] ?? [] {
                print("\(pad(w["name"], 12)) \(pad(w["group"], 12)) \(pad(w["mode"], 9)) \(pad((w["quarantine"] as? Bool ?? false) ? "yes" : "no", 11)) "
                      + "\((w["sensors"] as? [String] ?? []).joined(separator: ","))")
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
            var body: [String: Any] = [:]
            if let mode { body["mode"] = mode }
            if quarantine { body["quarantine"] = true }
            if release { body["quarantine"] = false }
            guard !body.isEmpty, !(quarantine && release) else { throw ValidationError("give --mode, --quarantine or --release") }
            let data = Array(try JSONSerialization.data(withJSONObject: body))
            let r = try connection.call("PUT", "/v1/workloads/\(name)", body: data, headers: ["Content-Type": "application/json"])
            if !connection.json { print("workload \(name) updated: policy version \(r["version"] ?? "?")") }
        }
    }
}

func pad(_ v: Any?, _ n: Int) -> String {
    let s = v.map { "\($0)" } ?? ""
    return s.count >= n ? s : s + String(repeating: " ", count: n - s.count)
}
