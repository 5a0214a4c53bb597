import Foundation
import SQLKit

/// Per-user limits counted in the database (`rate_grants`): the same for every server process
/// sharing it, and taken atomically — on SQLite the one writer runs each transaction alone; on
/// PostgreSQL an advisory lock per key orders the transactions that take under it.
extension SQLStore {
    public func takeGrant(key: String, amount: Int, limit: GrantLimit, now: Date) async throws -> GrantOutcome {
        let flavor = driver.flavor
        let since = millis(now.addingTimeInterval(-limit.window))
        return try await driver.transaction { db in
            if flavor == .postgres { try await PostgresDriver.lock("grant \(key)", in: db) }
            try await db.raw("DELETE FROM rate_grants WHERE key = \(bind: key) AND at < \(bind: since)").run()
            let rows = try await db.raw("SELECT at, amount FROM rate_grants WHERE key = \(bind: key) ORDER BY at").all()
            let taken = try rows.map {
                (at: try $0.decode(column: "at", as: Int64.self), amount: try $0.decode(column: "amount", as: Int.self))
            }
            let nowMillis = millis(now)
            /// When the grants up to `index` have left the window.
            func wait(untilGone index: Int) -> TimeInterval {
                max(1, Double(taken[index].at + Int64(limit.window * 1000) - nowMillis) / 1000)
            }
            if taken.count >= limit.count {
                return .refused(retryAfter: wait(untilGone: taken.count - limit.count), overAmount: false)
            }
            if let budget = limit.amount {
                var used = taken.reduce(0) { $0 + $1.amount }
                guard amount <= budget else { return .refused(retryAfter: limit.window, overAmount: true) }
                if used + amount > budget {
                    var index = 0
                    while used + amount > budget, index < taken.count {
                        used -= taken[index].amount
                        index += 1
                    }
                    return .refused(retryAfter: wait(untilGone: max(0, index - 1)), overAmount: true)
                }
            }
            guard
                let row = try await db.raw(
                    """
                    INSERT INTO rate_grants (key, at, amount) VALUES (\(bind: key), \(bind: nowMillis), \(bind: amount)) RETURNING id
                    """
                ).first()
            else { throw StorageError.missingRow("rate grant") }
            return .granted(id: try row.decode(column: "id", as: Int.self))
        }
    }

    public func settleGrant(id: Int, amount: Int?) async throws {
        try await driver.transaction { db in
            if let amount {
                try await db.raw("UPDATE rate_grants SET amount = \(bind: amount) WHERE id = \(bind: id)").run()
            } else {
                try await db.raw("DELETE FROM rate_grants WHERE id = \(bind: id)").run()
            }
        }
    }
}
