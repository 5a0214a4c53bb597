import Logging
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct MemoryTrimmerTests {
    /// 200 MB in small blocks, freed, with one block after them still in use (so glibc cannot
    /// simply lower its heap's top): resident until trimmed, then given back.
    @Test func freedMemoryIsGivenBackToTheSystem() {
        #if canImport(Glibc)
            var blocks: [UnsafeMutableRawPointer] = []
            blocks.reserveCapacity(200_000)
            for _ in 0..<200_000 {
                let block = malloc(1_000)!
                memset(block, 1, 1_000)
                blocks.append(block)
            }
            let last = malloc(1_000)
            for block in blocks { free(block) }
            let before = ServerStatistics.residentBytes()
            MemoryTrimmer(interval: .seconds(30), logger: Logger(label: "test")).trim()
            let after = ServerStatistics.residentBytes()
            free(last)
            #expect(before - after > 100 << 20, "resident \(before >> 20) MiB before the trim, \(after >> 20) MiB after")
        #endif
    }
}
