import SQLKit
import Synchronization

/// Runs write transactions on SQLite's single writer, several per commit. Transactions that queue
/// up while one batch is being written go into the next batch; the batch commits once (one
/// fsync), and only then does any of them hear its result. Persist-first holds: nobody is
/// answered before the commit that makes their work durable.
final class GroupCommit: Sendable {
    /// A queued transaction: runs on the writer, and answers how to deliver its outcome.
    private struct Job: Sendable {
        let run: @Sendable (any SQLDatabase) async -> (succeeded: Bool, deliver: @Sendable () -> Void)
        let fail: @Sendable (any Error) -> Void
    }

    private struct Queue {
        var jobs: [Job] = []
        var writing = false
    }

    private let writer: SQLiteWriter
    private let maxBatch: Int
    private let queue = Mutex(Queue())
    /// Where the batches are written: the server's event loop (`ServerLoops`), or Swift's global
    /// executor where there is none (the command line's tools).
    private let executor: any TaskExecutor

    init(writer: SQLiteWriter, maxBatch: Int = 256, executor: (any TaskExecutor)? = nil) {
        self.writer = writer
        self.maxBatch = maxBatch
        self.executor = executor ?? globalConcurrentExecutor
    }

    func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<R, any Error>) in
            let job = Job(
                run: { db in
                    do {
                        let result = try await body(db)
                        return (true, { continuation.resume(returning: result) })
                    } catch {
                        return (false, { continuation.resume(throwing: error) })
                    }
                },
                fail: { error in continuation.resume(throwing: error) })
            let startWriter = queue.withLock { queue -> Bool in
                queue.jobs.append(job)
                guard !queue.writing else { return false }
                queue.writing = true
                return true
            }
            // On the server's event loop: a message's statements take microseconds there and never
            // wait — what can (the commit's fsync, a write lock another process holds) `SQLiteWriter`
            // sends to the thread pool.
            if startWriter { Task(executorPreference: executor) { await self.writeBatches() } }
        }
    }

    /// Writes batches until the queue is empty.
    private func writeBatches() async {
        while true {
            let batch = queue.withLock { queue -> [Job] in
                let batch = Array(queue.jobs.prefix(maxBatch))
                queue.jobs.removeFirst(batch.count)
                if batch.isEmpty { queue.writing = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            await write(batch)
        }
    }

    /// Runs the batch in one transaction. A job that fails takes the transaction down with it:
    /// it is rolled back and the batch runs again without that job (nothing has been answered
    /// yet, and every job computes its work afresh from what it reads). Failures are refusals of
    /// the product's rules and rare, so the usual batch runs once with no savepoints.
    private func write(_ batch: [Job]) async {
        var pending = batch
        while !pending.isEmpty {
            var deliveries: [@Sendable () -> Void] = []
            var refusal: (index: Int, deliver: @Sendable () -> Void)?
            do {
                try await writer.begin()
                for (index, job) in pending.enumerated() {
                    let outcome = await job.run(writer)
                    guard outcome.succeeded else {
                        refusal = (index, outcome.deliver)
                        break
                    }
                    deliveries.append(outcome.deliver)
                }
                if let refusal {
                    // Out of the batch before anything else can fail, so it is answered exactly once.
                    pending.remove(at: refusal.index)
                    refusal.deliver()
                    writer.rollback()
                    continue
                }
                try await writer.commit()
            } catch {
                // The batch as a whole could not be written: nothing of it stands, everyone hears why.
                writer.rollback()
                for job in pending { job.fail(error) }
                return
            }
            for deliver in deliveries { deliver() }
            return
        }
    }
}
