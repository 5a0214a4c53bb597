import Logging
import ServiceLifecycle
import SwitchboardProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Gives memory the server has freed back to the system, every `interval`.
///
/// glibc keeps freed memory for the process's next allocations and returns it to the system
/// only from the top of its main heap. A burst of work — every client reconnecting after a
/// restart, thousands of joins reading the store at once — leaves a heap that is mostly free
/// but still resident: at 10 000 sockets the server was 434 MB resident, 254 MB after one
/// `malloc_trim` (measured 2026-11-29, `docs/performance.md`). The trim walks the allocator's free
/// lists and releases whole free pages; it takes milliseconds.
struct MemoryTrimmer: Service {
    let interval: Duration
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                trim()
            }
        }
    }

    /// glibc's `malloc_trim`, looked up at run time: Swift's Glibc module leaves out `malloc.h`,
    /// and a C library without it (musl) simply has nothing to trim.
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()

    func trim() {
        guard let mallocTrim = Self.mallocTrim else { return }
        let before = ServerStatistics.residentBytes()
        let start = ContinuousClock.now
        _ = mallocTrim(0)
        let took = ContinuousClock.now - start
        let released = before - ServerStatistics.residentBytes()
        if released > 16 << 20 {
            logger.debug("memory given back", metadata: ["MiB": "\(released >> 20)", "took": "\(took)"])
        }
    }
}
