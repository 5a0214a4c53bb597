import Logging
import NIOCore
import SQLKit
import Synchronization

/// Read connections handed out one statement at a time. A SQLite connection running two
/// statements at once gives the second the first one's snapshot, so a read just after a commit
/// could miss it; a connection used by one statement at a time starts each read afresh.
final class ReaderPool: AsyncSQLDatabase {
    private struct State {
        var idle: [Int]
        var waiters: [CheckedContinuation<Int, Never>] = []
    }

    private let connections: [any SQLDatabase]
    private let state: Mutex<State>

    init(_ connections: [any SQLDatabase]) {
        precondition(!connections.isEmpty)
        self.connections = connections
        state = Mutex(State(idle: Array(connections.indices)))
    }

    var logger: Logger { connections[0].logger }
    var eventLoop: any EventLoop { connections[0].eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { connections[0].version }
    var dialect: any SQLDialect { connections[0].dialect }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        let index = await checkOut()
        defer { checkIn(index) }
        try await connections[index].execute(sql: query, onRow)
    }

    private func checkOut() async -> Int {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Int? in
                if let index = state.idle.popLast() { return index }
                state.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    private func checkIn(_ index: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Int, Never>? in
            if state.waiters.isEmpty {
                state.idle.append(index)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: index)
    }
}

/// A database whose statements run in async code (a pool leasing connections): SQLKit's older
/// future-returning entry point is answered from it.
protocol AsyncSQLDatabase: SQLDatabase {
    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws
}

extension AsyncSQLDatabase {
    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        promise.completeWithTask { try await self.execute(sql: query, onRow) }
        return promise.futureResult
    }
}
