import Foundation
import Logging
import SQLKit
import Testing

@testable import SwitchboardServer

@Suite struct GroupCommitTests {
    struct Refused: Error {}

    /// A transaction that fails after SQLite has already ended the transaction (some errors do
    /// that) must get its error once, and the transactions batched with it must still commit.
    /// It used to be answered twice — a crash.
    @Test func aFailureThatEndsTheTransactionIsAnsweredOnce() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("group-commit-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let driver = try await SQLiteDriver.open(path: directory.appendingPathComponent("db.sqlite").path, logger: Logger(label: "test"))
        try await driver.transaction { db in try await db.raw("CREATE TABLE notes (body TEXT NOT NULL)").run() }
        let outcomes = await withTaskGroup(of: String.self) { group in
            for index in 0..<20 {
                group.addTask {
                    do {
                        try await driver.transaction { db in
                            if index.isMultiple(of: 5) {
                                try await db.raw("ROLLBACK").run()  // as SQLite does on some errors
                                throw Refused()
                            }
                            try await db.raw("INSERT INTO notes (body) VALUES (\(bind: "n\(index)"))").run()
                        }
                        return "ok"
                    } catch is Refused {
                        return "refused"
                    } catch {
                        return "other: \(error)"
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == "refused" }.count == 4)
        #expect(outcomes.filter { $0 == "ok" }.count == 16, "\(outcomes)")
        let count = try await driver.reader.raw("SELECT COUNT(*) AS n FROM notes").first(decodingColumn: "n", as: Int.self)
        #expect(count == 16)
        try await driver.close()
    }
}
