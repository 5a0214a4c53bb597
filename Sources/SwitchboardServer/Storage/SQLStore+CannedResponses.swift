import Foundation
import SQLKit
import SwitchboardProtocol

extension SQLStore {
    static let cannedColumns = "id, shortcut, title, body, shared, owner_id"

    static func canned(_ row: any SQLRow) throws -> CannedResponse {
        CannedResponse(
            id: try row.int("id"), shortcut: try row.string("shortcut"), title: try row.string("title"),
            body: try row.string("body"), shared: try row.bool("shared"), ownerId: try row.int("owner_id"))
    }

    public func cannedResponses(visibleTo userId: Int, matching text: String?) async throws -> [CannedResponse] {
        var query: SQLQueryString = """
            SELECT \(unsafeRaw: Self.cannedColumns) FROM canned_responses WHERE (shared OR owner_id = \(bind: userId))
            """
        if let text {
            let pattern = likePattern(text)
            query += """
                 AND (LOWER(shortcut) LIKE \(bind: pattern) ESCAPE '\\' OR LOWER(title) LIKE \(bind: pattern) ESCAPE '\\'
                      OR LOWER(body) LIKE \(bind: pattern) ESCAPE '\\')
                """
        }
        // The caller's own first, so a personal shortcut wins over a shared one of the same name.
        query += " ORDER BY CASE WHEN owner_id = \(bind: userId) THEN 0 ELSE 1 END, shortcut, id"
        return try await reader.raw(query).all().map(Self.canned)
    }

    public func cannedResponse(id: Int) async throws -> CannedResponse? {
        try await reader.raw("SELECT \(unsafeRaw: Self.cannedColumns) FROM canned_responses WHERE id = \(bind: id)")
            .first().map(Self.canned)
    }

    public func createCannedResponse(_ draft: CannedDraft, ownerId: Int, now: Date) async throws -> CannedResponse {
        do {
            return try await driver.transaction { db in
                guard
                    let row = try await db.raw(
                        """
                        INSERT INTO canned_responses (owner_id, shortcut, title, body, shared, created_at, updated_at)
                        VALUES (\(bind: ownerId), \(bind: draft.shortcut), \(bind: draft.title), \(bind: draft.body),
                                \(bind: draft.shared), \(bind: millis(now)), \(bind: millis(now)))
                        RETURNING \(unsafeRaw: Self.cannedColumns)
                        """
                    ).first()
                else { throw StorageError.missingRow("canned response") }
                return try Self.canned(row)
            }
        } catch  where isUniqueViolation(error) {
            throw ContractError(.conflict, "you already have a canned response with the shortcut '\(draft.shortcut)'")
        }
    }

    public func updateCannedResponse(id: Int, _ draft: CannedDraft, now: Date) async throws -> CannedResponse {
        do {
            return try await driver.transaction { db in
                guard
                    let row = try await db.raw(
                        """
                        UPDATE canned_responses SET shortcut = \(bind: draft.shortcut), title = \(bind: draft.title),
                            body = \(bind: draft.body), shared = \(bind: draft.shared), updated_at = \(bind: millis(now))
                        WHERE id = \(bind: id)
                        RETURNING \(unsafeRaw: Self.cannedColumns)
                        """
                    ).first()
                else { throw ContractError(.notFound, "no canned response #\(id)") }
                return try Self.canned(row)
            }
        } catch  where isUniqueViolation(error) {
            throw ContractError(.conflict, "the owner already has a canned response with the shortcut '\(draft.shortcut)'")
        }
    }

    public func deleteCannedResponse(id: Int) async throws {
        try await driver.transaction { db in
            try await db.raw("DELETE FROM canned_responses WHERE id = \(bind: id)").run()
        }
    }
}
