import SQLKit
import Synchronization

/// Runs write transactions on SQLite's single writer, several per commit. Transactions that queue
/// up while one batch is being written go into the next batch: each runs inside its own
/// SAVEPOINT (so a failure undoes only its own work), the batch commits once (one fsync), and only
/// then does any of them hear its result. Persist-first holds: nobody is answered before the
/// commit that makes their work durable.
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

    private let writer: any SQLDatabase
    private let maxBatch: Int
    private let queue = Mutex(Queue())

    init(writer: any SQLDatabase, maxBatch: Int = 256) {
        self.writer = writer
        self.maxBatch = maxBatch
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
            if startWriter { Task { await self.writeBatches() } }
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

    private func write(_ batch: [Job]) async {
        var deliveries: [@Sendable () -> Void] = []
        do {
            try await writer.raw("BEGIN IMMEDIATE").run()
            for job in batch {
                try await writer.raw("SAVEPOINT job").run()
                let outcome = await job.run(writer)
                if !outcome.succeeded { try await writer.raw("ROLLBACK TO job").run() }
                try await writer.raw("RELEASE job").run()
                deliveries.append(outcome.deliver)
            }
            try await writer.raw("COMMIT").run()
        } catch {
            // The batch as a whole could not be written: nothing of it stands, everyone hears why.
            try? await writer.raw("ROLLBACK").run()
            for job in batch { job.fail(error) }
            return
        }
        for deliver in deliveries { deliver() }
    }
}
