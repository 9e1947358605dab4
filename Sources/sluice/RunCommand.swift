import ArgumentParser
import Dataplane
#if canImport(Glibc)
import Glibc
#endif

/// `sluice run --config FILE`: the long-running dataplane on AF_PACKET interfaces.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the dataplane: inline pairs and taps over AF_PACKET (configs/sidecar.yaml, configs/node.yaml).",
        discussion: "SIGHUP reloads the policy (a policy that does not validate is rejected and the running one stays); "
            + "SIGTERM or SIGINT stops, flushes events and prints a summary.")

    @Option(name: .long, help: "The daemon config (see configs/sidecar.yaml).")
    var config: String

    @Flag(name: .long, help: "Validate the config, policy and sensors and open nothing.")
    var check = false

    func run() throws {
        let parsed: DaemonConfig
        do { parsed = try DaemonConfig.load(path: config) } catch { throw ValidationError(error.description) }
        if check {
            print("\(config): ok: \(parsed.workers) workers, \(parsed.interfaces.count) interfaces")
            return
        }
        let daemon: Daemon
        do {
            daemon = try Daemon(config: parsed) { FileHandleStderr.write("sluice run: \($0)\n") }
        } catch {
            throw ValidationError("\(error)")
        }
        let summary = daemon.run()
        FileHandleStderr.write("sluice run: stopped\n" + summary)
    }
}
