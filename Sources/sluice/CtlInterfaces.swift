import APITypes
import ArgumentParser
import Foundation

/// `sluice ctl interfaces`: what is attached, and attaching and detaching by hand.
extension CtlCommand {
    struct Interfaces: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "interfaces",
            abstract: "List attached interfaces (config, API, containers); --attach or --detach one by hand.")
        @OptionGroup var connection: Connection
        @Option(name: .long, help: "Attach: the new interface's name.") var attach: String?
        @Option(name: .long, help: "Attach: inline or tap.") var mode = "tap"
        @Option(name: .long, help: "Attach a tap: the interface inspected.") var interface: String?
        @Option(name: .long, parsing: .upToNextOption, help: "Attach inline: the two interfaces bridged.") var pair: [String] = []
        @Option(name: .long, help: "Attach: the policy workload behind it.") var workload: String?
        @Option(name: .long, help: "Detach the interface of this name.") var detach: String?

        func run() throws {
            if let attach {
                let req = AttachRequest(name: attach, mode: mode, pair: pair.isEmpty ? nil : pair, interface: interface, workload: workload)
                let i = try connection.call(InterfaceInfo.self, "POST", "/v1/interfaces", body: APIJSON.encode(req),
                                            headers: ["Content-Type": "application/json"])
                if !connection.json { print("attached \(i.name)") }
                return
            }
            if let detach {
                let i = try connection.call(InterfaceInfo.self, "DELETE", "/v1/interfaces/\(detach)")
                if !connection.json { print("detached \(i.name)") }
                return
            }
            let r = try connection.call(InterfacesResponse.self, "GET", "/v1/interfaces")
            guard !connection.json else { return }
            print("NAME              MODE    DEVICES                   WORKLOAD     ORIGIN     CONTAINER")
            for i in r.interfaces {
                let devices = i.pair?.joined(separator: "<->") ?? i.interface ?? "-"
                print("\(pad(i.name, 17)) \(pad(i.mode, 7)) \(pad(devices, 25)) \(pad(i.workload ?? "-", 12)) \(pad(i.origin, 10)) \(i.container ?? "-")")
            }
        }
    }
}
