import Logging
import NIOPosix
import ServiceLifecycle
import SwitchboardProtocol

#if canImport(Glibc)
    import Glibc
#endif

/// Gives memory the server has freed back to the system, when it has grown since the last time.
///
/// glibc keeps freed memory for the process's next allocations and returns it to the system
/// only from the top of its main heap. A burst of work — every client reconnecting after a
/// restart, thousands of joins reading the store at once — leaves a heap that is mostly free
/// but still resident: at 10 000 sockets the server was 434 MB resident, 254 MB after one
/// `malloc_trim` (measured 2026-11-29, `docs/performance.md`).
///
/// A trim walks the whole heap with the allocator's locks held, so every thread that allocates
/// waits for it: it runs only when the process has grown by `growth` since the last one, and on
/// NIO's thread pool rather than one of Swift's few concurrency threads. (Trimming every 30 s
/// regardless stalled the test process, which runs dozens of servers, for seconds at a time.)
struct MemoryTrimmer: Service {
    let interval: Duration
    let logger: Logger
    var growth = 32 << 20

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var settled = ServerStatistics.residentBytes()
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                guard ServerStatistics.residentBytes() > settled + growth else { continue }
                settled = try await NIOThreadPool.singleton.runIfActive { trim() }
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

    /// Answers the resident size after.
    @discardableResult
    func trim() -> Int {
        guard let mallocTrim = Self.mallocTrim else { return ServerStatistics.residentBytes() }
        let before = ServerStatistics.residentBytes()
        let start = ContinuousClock.now
        _ = mallocTrim(0)
        let took = ContinuousClock.now - start
        let after = ServerStatistics.residentBytes()
        logger.debug("memory given back", metadata: ["MiB": "\((before - after) >> 20)", "took": "\(took)"])
        return after
    }
}
