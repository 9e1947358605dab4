import ArgumentParser
import Dataplane
import Foundation

/// `sluice restore`: takes Sluice out of every container's path after it died (systemd's
/// `ExecStopPost`, the DaemonSet's preStop, or by hand): each recorded interposition is undone,
/// the container's veth going back on its bridge (docs/deploy.md).
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Put containers' veths back on their bridges (undo what a stopped or crashed `sluice run` interposed).")

    @Option(name: .long, help: "The daemon config; its containers.run_dir names the records.")
    var config: String?

    @Option(name: .long, help: "The records' folder (default: the config's containers.run_dir, else /run/sluice/interposed).")
    var runDir: String?

    func run() throws {
        var dir = runDir ?? ContainerSettings().runDirectory
        if runDir == nil, let config {
            do { dir = try DaemonConfig.load(path: config).containers?.runDirectory ?? dir } catch { throw RuntimeError.rejected(error) }
        }
        let restored = VethInterposer.restoreAll(runDir: dir)
        for i in restored { print("restored \(i.veth) on \(i.bridge) (removed \(i.bridgeSide)/\(i.sluiceSide))") }
        if restored.isEmpty { print("nothing to restore in \(dir)") }
    }
}
