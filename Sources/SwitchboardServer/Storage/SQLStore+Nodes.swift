import Foundation
import SQLKit

/// Leases and connection records of the server processes sharing the database.
extension SQLStore {
    public func renewLease(node: String, now: Date) async throws {
        try await driver.transaction { db in
            try await db.raw(
                """
                INSERT INTO nodes (id, started_at, heartbeat_at) VALUES (\(bind: node), \(bind: millis(now)), \(bind: millis(now)))
                ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at
                """
            ).run()
        }
    }

    public func expireLeases(before: Date) async throws -> [Int] {
        try await driver.transaction { db in
            // Only one surviving node gets the rows (DELETE … RETURNING); the others get none.
            let users = try await db.raw(
                """
                DELETE FROM node_users WHERE node_id IN (SELECT id FROM nodes WHERE heartbeat_at < \(bind: millis(before)))
                RETURNING user_id
                """
            ).all(decodingColumn: "user_id", as: Int.self)
            try await db.raw("DELETE FROM nodes WHERE heartbeat_at < \(bind: millis(before))").run()
            guard !users.isEmpty else { return [] }
            let stillHeld = Set(
                try await db.raw("SELECT DISTINCT user_id FROM node_users WHERE user_id IN (\(binds: Array(Set(users))))")
                    .all(decodingColumn: "user_id", as: Int.self))
            return Set(users).subtracting(stillHeld).sorted()
        }
    }

    /// One user's connection records change one node at a time: two nodes letting go at once
    /// would each still see the other's row and neither would say the user left.
    private static func lockUser(_ userId: Int, in db: any SQLDatabase, flavor: SQLFlavor) async throws {
        if flavor == .postgres { try await PostgresDriver.lock("user \(userId)", in: db) }
    }

    public func nodeHolds(node: String, userId: Int) async throws -> Bool {
        let flavor = driver.flavor
        return try await driver.transaction { db in
            try await Self.lockUser(userId, in: db, flavor: flavor)
            let others =
                try await db.raw("SELECT COUNT(*) AS n FROM node_users WHERE user_id = \(bind: userId) AND node_id <> \(bind: node)")
                .first(decodingColumn: "n", as: Int.self) ?? 0
            try await db.raw(
                """
                INSERT INTO node_users (node_id, user_id) VALUES (\(bind: node), \(bind: userId)) ON CONFLICT (node_id, user_id) DO NOTHING
                """
            ).run()
            return others == 0
        }
    }

    public func nodeReleases(node: String, userId: Int) async throws -> Bool {
        let flavor = driver.flavor
        return try await driver.transaction { db in
            try await Self.lockUser(userId, in: db, flavor: flavor)
            try await db.raw("DELETE FROM node_users WHERE node_id = \(bind: node) AND user_id = \(bind: userId)").run()
            let left =
                try await db.raw("SELECT COUNT(*) AS n FROM node_users WHERE user_id = \(bind: userId)")
                .first(decodingColumn: "n", as: Int.self) ?? 0
            return left == 0
        }
    }
}
