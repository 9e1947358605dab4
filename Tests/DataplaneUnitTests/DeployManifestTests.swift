import Dataplane
import Foundation
import Policy
import XCTest
import Yams

/// deploy/*.yaml checked without a cluster (kubectl's client-side dry run still asks a server
/// for the API groups): the fields a DaemonSet and a Pod need, the capabilities (NET_ADMIN,
/// NET_RAW, BPF and nothing else; never privileged), every mount backed by a volume, every
/// ConfigMap a volume names present, and the Sluice configs and policies they carry load as
/// `sluice run` would load them, with every file they name inside the mounted ConfigMap.
final class DeployManifestTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func documents(_ name: String) throws -> [[String: Any]] {
        let text = try String(contentsOf: root.appendingPathComponent("deploy/\(name)"), encoding: .utf8)
        return try Yams.load_all(yaml: text).compactMap { $0 as? [String: Any] }
    }

    static let allowedCapabilities: Set<String> = ["NET_ADMIN", "NET_RAW", "BPF"]

    /// A pod spec's containers, volumes and mounts; returns the ConfigMaps its volumes name and
    /// the mount path of each.
    func checkPodSpec(_ spec: [String: Any], at path: String) throws -> [(configMap: String, mountPath: String)] {
        let containers = try XCTUnwrap(spec["containers"] as? [[String: Any]], "\(path).containers")
        let all = containers + ((spec["initContainers"] as? [[String: Any]]) ?? [])
        let volumes = (spec["volumes"] as? [[String: Any]]) ?? []
        let volumeNames = Set(volumes.compactMap { $0["name"] as? String })
        XCTAssertEqual(volumeNames.count, volumes.count, "\(path): volume names are unique")
        var mounted: [(String, String)] = []
        for c in all {
            let name = try XCTUnwrap(c["name"] as? String, "\(path): a container without a name")
            XCTAssertNotNil(c["image"] as? String, "\(path).\(name).image")
            let security = (c["securityContext"] as? [String: Any]) ?? [:]
            XCTAssertNotEqual(security["privileged"] as? Bool, true, "\(path).\(name) must not be privileged")
            if let caps = security["capabilities"] as? [String: Any] {
                let add = Set((caps["add"] as? [String]) ?? [])
                XCTAssertTrue(add.isSubset(of: Self.allowedCapabilities), "\(path).\(name) adds \(add.subtracting(Self.allowedCapabilities))")
                XCTAssertEqual(caps["drop"] as? [String], ["ALL"], "\(path).\(name) drops every other capability")
            }
            for m in (c["volumeMounts"] as? [[String: Any]]) ?? [] {
                let v = try XCTUnwrap(m["name"] as? String)
                XCTAssertTrue(volumeNames.contains(v), "\(path).\(name) mounts \(v), which is no volume")
                XCTAssertNotNil(m["mountPath"] as? String)
                if let vol = volumes.first(where: { $0["name"] as? String == v }),
                   let cm = (vol["configMap"] as? [String: Any])?["name"] as? String, let at = m["mountPath"] as? String {
                    mounted.append((cm, at))
                }
            }
        }
        return mounted
    }

    /// The Sluice configs in a ConfigMap load, and every file they name under `mountPath` is a
    /// key of the ConfigMap (a policy among them compiles).
    func checkConfigMap(_ data: [String: String], mountPath: String, name: String) throws {
        var configs = 0
        for (key, text) in data where key.hasSuffix(".yaml") && text.contains("policy:") {
            configs += 1
            let c = try DaemonConfig.parse(text, file: "\(mountPath)/\(key)")
            for file in [c.policyPath, c.enginePath].compactMap({ $0 }) + c.sensorFiles where file.hasPrefix(mountPath + "/") {
                let k = String(file.dropFirst(mountPath.count + 1))
                let body = try XCTUnwrap(data[k], "\(name)/\(key) names \(file), which the ConfigMap lacks")
                if file == c.policyPath { XCTAssertNoThrow(try PolicyDocument.parse(body, file: file), "\(name)/\(k)") }
            }
        }
        XCTAssertGreaterThan(configs, 0, "\(name) holds a Sluice config")
    }

    func check(_ file: String, kind: String) throws {
        let docs = try Self.documents(file)
        var configMaps: [String: [String: String]] = [:]
        for d in docs where d["kind"] as? String == "ConfigMap" {
            let meta = try XCTUnwrap(d["metadata"] as? [String: Any])
            configMaps[try XCTUnwrap(meta["name"] as? String)] = try XCTUnwrap(d["data"] as? [String: String])
        }
        let workload = try XCTUnwrap(docs.first { $0["kind"] as? String == kind }, "\(file) has a \(kind)")
        let spec: [String: Any]
        if kind == "DaemonSet" {
            XCTAssertEqual(workload["apiVersion"] as? String, "apps/v1")
            let ds = try XCTUnwrap(workload["spec"] as? [String: Any])
            let selector = try XCTUnwrap((ds["selector"] as? [String: Any])?["matchLabels"] as? [String: String])
            let template = try XCTUnwrap(ds["template"] as? [String: Any])
            let labels = try XCTUnwrap((template["metadata"] as? [String: Any])?["labels"] as? [String: String])
            XCTAssertTrue(selector.allSatisfy { labels[$0.key] == $0.value }, "the selector matches the template's labels")
            spec = try XCTUnwrap(template["spec"] as? [String: Any])
            XCTAssertEqual(spec["hostNetwork"] as? Bool, true, "a node agent sees the pods' veths in the node's namespace")
        } else {
            XCTAssertEqual(workload["apiVersion"] as? String, "v1")
            spec = try XCTUnwrap(workload["spec"] as? [String: Any])
        }
        for (cm, at) in try checkPodSpec(spec, at: file) {
            let data = try XCTUnwrap(configMaps[cm], "\(file): the volume names ConfigMap \(cm), which the file lacks")
            if data.values.contains(where: { $0.contains("policy:") }) { try checkConfigMap(data, mountPath: at, name: cm) }
        }
    }

    func testDaemonSetManifest() throws { try check("daemonset.yaml", kind: "DaemonSet") }

    func testSidecarManifest() throws {
        try check("sidecar.yaml", kind: "Pod")
        let docs = try Self.documents("sidecar.yaml")
        let pod = try XCTUnwrap(docs.first { $0["kind"] as? String == "Pod" }?["spec"] as? [String: Any])
        XCTAssertEqual((pod["initContainers"] as? [[String: Any]])?.count, 1, "the init step that splits the pod's interface")
    }

    func testContainerfileAndUnit() throws {
        let containerfile = try String(contentsOf: Self.root.appendingPathComponent("deploy/Containerfile"), encoding: .utf8)
        XCTAssertTrue(containerfile.contains("FROM scratch"))
        XCTAssertTrue(containerfile.contains(#"ENTRYPOINT ["/usr/local/bin/sluice"]"#))
        let unit = try String(contentsOf: Self.root.appendingPathComponent("configs/sluice.service"), encoding: .utf8)
        XCTAssertTrue(unit.contains("ExecStopPost=/usr/local/bin/sluice restore"))
        let c = try DaemonConfig.load(path: Self.root.appendingPathComponent("configs/containers.yaml").path)
        XCTAssertEqual(c.containers?.mode, .inline)
    }
}
