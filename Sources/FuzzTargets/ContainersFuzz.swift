import APITypes
import ControlAPI
import Dataplane
import Foundation

/// The container watcher's inputs (docs/deploy.md): byte 0 picks an interposition record
/// (`VethInterposer.parse`), a runtime container list (`PodmanList.parse`) or an attach request
/// body (`AttachRequest.parse`); the rest is the input.
enum ContainersFuzz {
    static func run(_ data: UnsafeRawBufferPointer) {
        guard let first = data.first else { return }
        let rest = UnsafeRawBufferPointer(rebasing: data[1...])
        switch first % 3 {
        case 0: _ = VethInterposer.parse(String(decoding: rest, as: UTF8.self))
        case 1: _ = PodmanList.parse(Data(rest))
        default: _ = try? AttachRequest.parse(Array(rest))
        }
    }
}
