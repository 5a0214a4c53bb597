import NIOCore
import Synchronization

/// A task executor on one event loop: a connection's frames are handled by a task that runs on
/// the loop that read them, so the hand-over from the socket to the session costs no thread
/// wake-up, and the session's answers and the hub's frames to sockets of the same loop are
/// written without one either. Only work that never blocks runs there: the session awaits the
/// store, whose readers have threads of their own and whose writer, on SQLite, runs on the loop
/// too (`GroupCommit`) but sends every wait to the thread pool.
final class LoopExecutor: TaskExecutor {
    let loop: any EventLoop

    private init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    func asUnownedTaskExecutor() -> UnownedTaskExecutor { UnownedTaskExecutor(ordinary: self) }

    /// One per loop, for the life of the process (its loops live as long: `ServerLoops`).
    private static let byLoop = Mutex<[ObjectIdentifier: LoopExecutor]>([:])

    static func on(_ loop: any EventLoop) -> LoopExecutor {
        byLoop.withLock { executors in
            if let executor = executors[ObjectIdentifier(loop)] { return executor }
            let executor = LoopExecutor(loop)
            executors[ObjectIdentifier(loop)] = executor
            return executor
        }
    }
}
