import APITypes
import ArgumentParser
import Codecs
import Enforce
import Foundation
import L7Core
import Policy

extension CtlCommand.PolicyCtl {
    /// `sluice ctl policy learned`: what discover mode learned, as a policy to review. With
    /// `--merge-into`, the learned rules merged into a policy file (new rules after its last
    /// id; its groups, workloads and modes kept), ready to push.
    struct Learned: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the policy discover mode learned from the traffic so far (review it, then push it).")
        @OptionGroup var connection: CtlCommand.Connection
        @Option(name: .long, help: "The top-level mode the learned policy sets: discover, monitor or protect.") var mode = "protect"
        @Option(name: .long, help: "A policy file to merge the learned rules into (printed, not written).") var mergeInto: String?

        func run() throws {
            let r = try connection.call(LearnedPolicyResponse.self, "GET",
                                        "/v1/policy/learned?mode=\(mode.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")
            guard !connection.json else { return }
            if r.workersLate > 0 { FileHandleStderr.write("# \(r.workersLate) worker(s) did not answer: their flows are missing\n") }
            guard let mergeInto else {
                FileHandleStderr.write("# \(r.count) distinct flows learned\n")
                print(r.policy, terminator: "")
                return
            }
            let current: PolicyDocument
            do { current = try PolicyDocument.load(path: mergeInto) } catch { throw RuntimeError.rejected(error) }
            var shapes: [LearnedFlow] = []
            for f in r.flows {
                guard let s = Self.shape(f) else { throw RuntimeError(.dataError, "the API listed a flow this client cannot read: \(f)") }
                shapes.append(s)
            }
            let merged = LearnedPolicy.merge(shapes, into: current)
            FileHandleStderr.write("# \(shapes.count) distinct flows learned: \(merged.alreadyAllowed) already allowed by \(mergeInto), "
                                   + "\(merged.added) rules added, \(merged.explicitlyDenied.count) left denied by an explicit rule\n")
            for d in merged.explicitlyDenied {
                FileHandleStderr.write("#   denied by a rule: \(d.client) -> \(d.server) proto \(d.proto) port \(d.port)\n")
            }
            print(merged.document.yaml, terminator: "")
        }

        /// A shape from the API's listing; nil when its address, protocol or port is not one.
        static func shape(_ f: LearnedShape) -> LearnedFlow? {
            guard let src = IPAddress(f.srcIP), let dst = IPAddress(f.destIP), let p = UInt8(exactly: f.proto) else { return nil }
            let port = UInt16(exactly: f.destPort ?? 0) ?? 0
            let app = f.appProto.flatMap(AppProto.init(name:)) ?? .unknown
            return LearnedFlow(client: src, server: dst, proto: p, port: port, app: app)
        }
    }
}
