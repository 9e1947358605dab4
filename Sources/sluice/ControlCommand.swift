import APITypes
import ArgumentParser
import ClusterControl
import ConfigYAML
import ControlAPI
import Dataplane
import Foundation
import Policy
import SluiceConfig

/// `sluice control`: a small control plane. It holds the desired policy for a set of
/// appliances (running `sluice run` daemons), pushes it to each one whose policy differs,
/// retries the ones that are down, and shows each one's version and drift. A desired policy
/// that does not validate is never pushed.
struct ControlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "control", abstract: "Keep a set of appliances on the desired policy (configs/control.yaml), "
            + "or write it to etcd for a cluster (configs/control-etcd.yaml).",
        discussion: "`sluice control status` shows every node watching the etcd prefix: applied and desired revision, "
            + "drift, rejections (docs/cluster.md).")

    @Argument(help: "push (the default) or status (the nodes' status keys in etcd).") var action: String?
    @Option(name: .long, help: "The control plane's config (see configs/control.yaml).") var config: String
    @Flag(name: .long, help: "One round, then exit: 0 when every appliance is in sync.") var once = false
    @Flag(name: .long, help: "status: print the nodes' status keys as JSON.") var json = false
    @Option(name: .long, help: "status: a node whose status is older than this many seconds is stale.") var staleAfter = 30

    struct Appliance {
        var name: String
        var endpoint: APIClient.Endpoint
        var tokenFile: String
    }

    func run() throws {
        guard action == nil || action == "push" || action == "status" else { throw ValidationError("expected push or status, not \(action!)") }
        let (policyPath, sensorsPath, appliances, interval) = try load()
        let etcd = try loadEtcd()
        if action == "status" {
            guard let etcd else { throw ValidationError("status reads etcd: the config has no etcd section") }
            let control = try EtcdControl(config: etcd.0)
            defer { control.close() }
            if try !control.status(json: json, staleAfterSeconds: staleAfter) { throw ExitCode(1) }
            return
        }
        let etcdControl = try etcd.map { try EtcdControl(config: $0.0) }
        defer { etcdControl?.close() }
        while true {
            // Read and validated every round: editing the file is how the desired state changes.
            let desired: String
            do {
                desired = try readConfigFile(policyPath)
                _ = CompiledPolicy(try PolicyDocument.parse(desired, file: policyPath))
            } catch {
                FileHandleStderr.write("desired policy rejected, nothing pushed: \(error)\n")
                if once { throw ExitCode(2) }
                sleep(UInt32(interval))
                continue
            }
            // Desired sensors (optional): validated locally, pushed before the policy that may name them.
            var desiredSensors: String? = nil
            if let sensorsPath {
                do {
                    let text = try readConfigFile(sensorsPath)
                    _ = try SensorFile.parse(text, file: sensorsPath)
                    desiredSensors = text
                } catch {
                    FileHandleStderr.write("desired sensors rejected, nothing pushed: \(error)\n")
                    if once { throw ExitCode(2) }
                    sleep(UInt32(interval))
                    continue
                }
            }
            var etcdInSync = true
            if let etcdControl {
                do {
                    let overrides = try etcd!.1.map { path in
                        let text = try readConfigFile(path)
                        _ = try DesiredOverrides.parse(text, file: path)
                        return text
                    }
                    print("ETCD \(etcdControl.config.prefix)  " + (try etcdControl.push(policy: desired, sensors: desiredSensors, overrides: overrides)))
                } catch let e as ConfigError {
                    FileHandleStderr.write("desired overrides rejected, nothing written to etcd: \(e)\n")
                    if once { throw ExitCode(2) }
                    etcdInSync = false
                } catch {
                    print("ETCD \(etcdControl.config.prefix)  down       \(error); retrying next round")
                    etcdInSync = false
                }
            }
            // Each round's lines as they happen, also when stdout is a file or a pipe (a log).
            fflush(nil)
            if appliances.isEmpty {
                if once { if etcdInSync { return } else { throw ExitCode(1) } }
                sleep(UInt32(interval))
                continue
            }
            var inSync = 0
            print("APPLIANCE        STATE      VERSION  DETAIL")
            for a in appliances {
                if let desiredSensors, let problem = reconcileSensors(a, desired: desiredSensors, file: (sensorsPath! as NSString).lastPathComponent) {
                    print("\(pad(a.name, 16)) \(pad("sensors", 10)) \(pad("-", 8)) \(problem)")
                    continue
                }
                let (state, version, detail) = reconcile(a, desired: desired, file: (policyPath as NSString).lastPathComponent)
                if state == "in-sync" || state == "pushed" { inSync += 1 }
                print("\(pad(a.name, 16)) \(pad(state, 10)) \(pad(version, 8)) \(detail)")
            }
            fflush(nil)
            if once { if inSync < appliances.count || !etcdInSync { throw ExitCode(1) } else { return } }
            sleep(UInt32(interval))
        }
    }

    /// The appliance's pushed sensor file made equal to `desired`; nil when it is, else why not.
    func reconcileSensors(_ a: Appliance, desired: String, file: String) -> String? {
        guard let token = try? readFile(a.tokenFile).trimmingCharacters(in: .whitespacesAndNewlines) else { return "cannot read \(a.tokenFile)" }
        let client = APIClient(endpoint: a.endpoint, token: token)
        do {
            let r = try client.send("GET", "/v1/sensors?format=yaml", timeoutSeconds: 5)
            guard r.status == 200 else { return "GET /v1/sensors answered \(r.status)" }
            if String(decoding: r.body, as: UTF8.self) == desired { return nil }
            let p = try client.send("PUT", "/v1/sensors?name=\(file)", body: Array(desired.utf8), timeoutSeconds: 10)
            if p.status == 200 { return nil }
            return "sensors rejected \(p.status): \((try? APIJSON.decode(APIErrorResponse.self, from: p.body))?.error.text ?? "")"
        } catch {
            return "unreachable (\(error)); retrying next round"
        }
    }

    /// One appliance: compare, push if it drifted; (state, version, detail).
    func reconcile(_ a: Appliance, desired: String, file: String) -> (String, String, String) {
        guard let token = try? readFile(a.tokenFile).trimmingCharacters(in: .whitespacesAndNewlines) else {
            return ("error", "-", "cannot read \(a.tokenFile)")
        }
        let client = APIClient(endpoint: a.endpoint, token: token)
        let current: PolicyResponse
        do {
            let r = try client.send("GET", "/v1/policy", timeoutSeconds: 5)
            guard r.status == 200, let o = try? APIJSON.decode(PolicyResponse.self, from: r.body) else {
                return ("error", "-", "GET /v1/policy answered \(r.status)")
            }
            current = o
        } catch {
            return ("down", "-", "unreachable (\(error)); retrying next round")
        }
        let version = current.version
        if current.policy == desired { return ("in-sync", "\(version)", "") }
        do {
            let r = try client.send("PUT", "/v1/policy?name=\(file)", body: Array(desired.utf8),
                                    headers: ["If-Match": "\"\(version)\""], timeoutSeconds: 5)
            switch r.status {
            case 200:
                let pushed = try? APIJSON.decode(PushResponse.self, from: r.body)
                let ms = pushed?.appliedMs ?? -1
                return ("pushed", pushed.map { "\($0.version)" } ?? "?",
                        "drifted from v\(version); in force" + (ms >= 0 ? " after \(String(format: "%.2f", ms)) ms" : ""))
            case 409:
                return ("drift", "\(version)", "changed meanwhile; next round")
            default:
                return ("rejected", "\(version)", "\(r.status): \((try? APIJSON.decode(APIErrorResponse.self, from: r.body))?.error.text ?? "")")
            }
        } catch {
            return ("down", "\(version)", "push failed (\(error)); retrying next round")
        }
    }

    /// The `etcd:` section (endpoints, prefix, TLS, auth) and the overrides file, nil without one.
    func loadEtcd() throws -> (ClusterConfig, String?)? {
        do {
            let top = try ConfigMap.parse(try readConfigFile(config), file: config)
            let base = URL(fileURLWithPath: config).deletingLastPathComponent()
            return try EtcdControl.load(top) { $0.hasPrefix("/") ? $0 : base.appendingPathComponent($0).path }
        } catch let e as ConfigError {
            throw ValidationError(e.description)
        }
    }

    func load() throws -> (String, String?, [Appliance], Int) {
        do {
            let top = try ConfigMap.parse(try readConfigFile(config), file: config)
            try top.allowOnly(["policy", "sensors", "appliances", "interval", "etcd", "overrides"])
            let base = URL(fileURLWithPath: config).deletingLastPathComponent()
            func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : base.appendingPathComponent(p).path }
            guard let policy = try top.string("policy") else { throw top.error("policy", "missing (the desired policy file)") }
            // With etcd, nodes watch the store and the appliance list may be left out.
            let list = top.value("appliances")?.sequence ?? []
            guard !list.isEmpty || top.value("etcd") != nil else { throw top.error("appliances", "missing (a list, or an etcd section)") }
            var out: [Appliance] = []
            for (i, n) in list.enumerated() {
                let m = try ConfigMap(node: n, file: config, path: "appliances[\(i)]")
                try m.allowOnly(["name", "socket", "url", "token_file"])
                guard let name = try m.string("name") else { throw m.error("name", "missing") }
                guard let token = try m.string("token_file") else { throw m.error("token_file", "missing") }
                let endpoint: APIClient.Endpoint
                if let s = try m.string("socket") {
                    endpoint = .unix(resolve(s))
                } else if let u = try m.string("url") {
                    let hp = u.replacingOccurrences(of: "http://", with: "")
                    guard let c = hp.lastIndex(of: ":"), let port = Int(hp[hp.index(after: c)...]) else { throw m.error("url", "expected host:port") }
                    // The socket layer traps on a port past 16 bits.
                    guard (1...65535).contains(port) else { throw m.error("url", "port must be between 1 and 65535") }
                    endpoint = .tcp(String(hp[..<c]), port)
                } else {
                    throw m.error("socket", "give socket or url")
                }
                out.append(Appliance(name: name, endpoint: endpoint, tokenFile: resolve(token)))
            }
            return (resolve(policy), try top.string("sensors").map(resolve), out, try top.seconds("interval", in: 1...3600) ?? 10)
        } catch let e as ConfigError {
            throw RuntimeError.rejected(e)
        }
    }
}
