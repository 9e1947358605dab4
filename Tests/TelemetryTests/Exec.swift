import Foundation
import XCTest

/// Runs `executable` with `arguments`; returns its exit status and standard output.
func exec(_ executable: String, _ arguments: [String], stdin: String? = nil) throws -> (status: Int32, out: String, err: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    // Read before waiting, so a large output cannot fill the pipe and stall the child.
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

/// The first of `candidates` that exists and is executable.
func findExecutable(_ candidates: [String]) -> String? {
    candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// A Python with `prometheus_client`: an existing venv under /tmp, else one made there now
/// (`pip install prometheus-client`); skips the test when pip cannot install it.
func prometheusPython() throws -> String {
    let venv = "/tmp/sluice-prom-venv"
    let python = venv + "/bin/python"
    func works() -> Bool {
        (try? exec(python, ["-c", "import prometheus_client.parser"]).status) == 0
    }
    if FileManager.default.isExecutableFile(atPath: python), works() { return python }
    guard let system = findExecutable(["/usr/bin/python3", "/usr/local/bin/python3"]) ?? (try? exec("/usr/bin/env", ["which", "python3"]))
        .flatMap({ $0.status == 0 ? $0.out.trimmingCharacters(in: .whitespacesAndNewlines) : nil }) else {
        throw XCTSkip("no python3 to parse the exposition with")
    }
    guard try exec(system, ["-m", "venv", venv]).status == 0,
          try exec(python, ["-m", "pip", "install", "-q", "prometheus-client"]).status == 0, works() else {
        throw XCTSkip("pip could not install prometheus-client into \(venv)")
    }
    return python
}
