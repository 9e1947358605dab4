#if canImport(Glibc)
import Glibc
#endif
import FuzzTargets

// Built with `-sanitize=fuzzer,address -DFUZZING` (scripts/fuzz.sh), libFuzzer supplies `main`
// and calls `LLVMFuzzerTestOneInput` with the target named by SLUICE_FUZZ_TARGET. In an
// ordinary build the same executable replays inputs: `sluice-fuzz TARGET FILE|DIR...`, which
// is how a crash file is reproduced under a debugger.

/// Writes to standard error.
func complain(_ s: String) { _ = s.withCString { write(2, $0, strlen($0)) } }

/// The target picked by the environment, read once.
nonisolated(unsafe) let selectedTarget: FuzzTarget = {
    guard let name = getenv("SLUICE_FUZZ_TARGET").map({ String(cString: $0) }),
          let target = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: " ")
        complain("sluice-fuzz: set SLUICE_FUZZ_TARGET to one of: \(names)\n")
        exit(2)
    }
    return target
}()

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    selectedTarget.prepare()
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    selectedTarget.run(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size))
    return 0
}

#if FUZZING
/// libFuzzer's driver: the fuzzing runtime's own entry point, called with our callback.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// SwiftPM links an executable's `main` to `<module>_main` (so tests can import executables);
/// under the fuzzer that entry hands control to libFuzzer's driver, as libFuzzer's own `main` would.
@_cdecl("SluiceFuzz_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var c = argc
    var v = argv
    return LLVMFuzzerRunDriver(&c, &v) { data, size in fuzzOneInput(data, size) }
}
#else
@main
struct ReplayInputs {
    static func main() {
        let args = CommandLine.arguments.dropFirst()
        guard let name = args.first, let target = FuzzTarget(rawValue: name) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: " ")
            complain("usage: sluice-fuzz TARGET FILE|DIR...\ntargets: \(names)\n")
            exit(64)
        }
        var count = 0
        for path in FuzzCorpus.files(args.dropFirst().map { $0 }) {
            guard let bytes = FuzzCorpus.read(path) else { complain("\(path): unreadable\n"); exit(66) }
            bytes.withUnsafeBytes { target.run($0) }
            count += 1
        }
        print("\(name): \(count) inputs ran")
    }
}
#endif
