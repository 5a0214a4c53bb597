import NIOCore
import NIOPosix
import Synchronization

/// The event loops the server's sockets run on, one group per size for the life of the process
/// (like NIO's own singleton, which is the group when the size is the number of cores).
///
/// Why a server on SQLite has one loop: a message is read on a loop, written by the one writer
/// and relayed to sockets; with every socket and the writer on the same thread (`GroupCommit`
/// runs there), none of those steps wakes another thread — only the commit's disk wait goes to
/// NIO's thread pool, once per batch. Against one loop per core that was 8–15 % less CPU per
/// message (`docs/performance.md`), and SQLite's single writer is the ceiling either way.
enum ServerLoops {
    private static let groups = Mutex<[Int: MultiThreadedEventLoopGroup]>([:])

    static func group(loops: Int) -> MultiThreadedEventLoopGroup {
        if loops == NIOSingletons.groupLoopCountSuggestion { return .singleton }
        return groups.withLock { groups in
            if let group = groups[loops] { return group }
            let group = MultiThreadedEventLoopGroup(numberOfThreads: loops)
            groups[loops] = group
            return group
        }
    }
}
