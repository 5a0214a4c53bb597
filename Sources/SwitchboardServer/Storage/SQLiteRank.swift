import Foundation
import Synchronization
// SQLiteNIO's own copy of SQLite, the one every connection of the process uses.
import VaporCSQLite

/// `switchboard_rank(message_search, docs₁, docs₂, …)`: FTS5's bm25, given how many messages hold
/// each of the query's phrases instead of counting them.
///
/// Why: bm25 counts them itself, per query, by reading the whole list of every phrase — for a word
/// in half of a million messages that is 20–30 ms, whatever the rank window, so three common words
/// cost three such walks (docs/performance.md). Those counts change slowly, so the store keeps them
/// (`TermCounts`) and hands them in; the score is bm25's to the last digit when they are exact
/// (`SQLiteRankTests`). A count not given (more phrases than numbers) is counted as bm25 would.
enum SQLiteRank {
    /// Registers the function on every SQLite connection the process opens from now on (SQLiteNIO's
    /// readers give no handle to register it on one by one). Idempotent.
    static func install() { _ = installed }

    private static let installed: Void = {
        let entry: @convention(c) (OpaquePointer?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, UnsafeRawPointer?) -> Int32 = {
            connection, _, _ in
            if let connection { SQLiteRank.register(on: connection) }
            return SQLITE_OK  // a connection without FTS5 opens all the same
        }
        _ = sqlite_nio_sqlite3_auto_extension(unsafeBitCast(entry, to: (@convention(c) () -> Void).self))
    }()

    private static let name: StaticString = "switchboard_rank"
    private static let apiPointerType: StaticString = "fts5_api_ptr"

    private static func cString(_ text: StaticString) -> UnsafePointer<CChar> {
        UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    /// FTS5 hands its extension API out through `SELECT fts5(?1)` with a bound pointer.
    private static func register(on connection: OpaquePointer) {
        var statement: OpaquePointer?
        guard sqlite_nio_sqlite3_prepare_v2(connection, "SELECT fts5(?1)", -1, &statement, nil) == SQLITE_OK else { return }
        defer { sqlite_nio_sqlite3_finalize(statement) }
        var api: UnsafeMutablePointer<fts5_api>?
        withUnsafeMutablePointer(to: &api) { slot in
            _ = sqlite_nio_sqlite3_bind_pointer(statement, 1, slot, cString(apiPointerType), nil)
            _ = sqlite_nio_sqlite3_step(statement)
        }
        guard let api, let create = api.pointee.xCreateFunction else { return }
        _ = create(api, cString(name), nil, rank, nil)
    }

    private static let rank: fts5_extension_function = { api, context, result, count, values in
        guard let api, let context else { return }
        let fts = api.pointee
        let k1 = 1.2, b = 0.75
        var rows: sqlite3_int64 = 0, tokens: sqlite3_int64 = 0, instances: Int32 = 0, length: Int32 = 0
        guard let rowCount = fts.xRowCount, let totalSize = fts.xColumnTotalSize, let phraseCount = fts.xPhraseCount,
            let instanceCount = fts.xInstCount, let instance = fts.xInst, let columnSize = fts.xColumnSize,
            rowCount(context, &rows) == SQLITE_OK, totalSize(context, -1, &tokens) == SQLITE_OK,
            instanceCount(context, &instances) == SQLITE_OK, columnSize(context, -1, &length) == SQLITE_OK
        else { return sqlite_nio_sqlite3_result_error(result, "switchboard_rank: FTS5 gave no statistics", -1) }
        let phrases = Int(phraseCount(context))
        let averageLength = Double(tokens) / Double(max(rows, 1))
        var score = 0.0
        withUnsafeTemporaryAllocation(of: Double.self, capacity: max(phrases, 1)) { frequency in
            frequency.initialize(repeating: 0)
            for index in 0..<instances {
                var phrase: Int32 = 0, column: Int32 = 0, offset: Int32 = 0
                if instance(context, index, &phrase, &column, &offset) == SQLITE_OK, Int(phrase) < phrases {
                    frequency[Int(phrase)] += 1
                }
            }
            for phrase in 0..<phrases {
                let holding =
                    phrase < Int(count) ? Double(sqlite_nio_sqlite3_value_int64(values![phrase])) : counted(phrase, api, context)
                // As bm25: a phrase in more than half of all rows weighs (almost) nothing.
                let idf = max(log((Double(rows) - holding + 0.5) / (holding + 0.5)), 1e-6)
                let f = frequency[phrase]
                score += idf * (f * (k1 + 1)) / (f + k1 * (1 - b + b * Double(length) / averageLength))
            }
        }
        sqlite_nio_sqlite3_result_double(result, -score)
    }

    /// The rows holding phrase `index`, counted as bm25 counts them (a walk of its list).
    private static func counted(_ index: Int, _ api: UnsafePointer<Fts5ExtensionApi>, _ context: OpaquePointer) -> Double {
        var hits: Int64 = 0
        _ = withUnsafeMutablePointer(to: &hits) { slot in
            api.pointee.xQueryPhrase?(context, Int32(index), slot) { _, _, user in
                user?.assumingMemoryBound(to: Int64.self).pointee += 1
                return SQLITE_OK
            }
        }
        return Double(hits)
    }
}

/// How many messages hold a phrase, kept between searches: counting a common word reads its whole
/// list. Only counts worth keeping are kept (a rare phrase is counted in a moment), and each only
/// while the messages have grown by less than a tenth since — a count that far off would weigh
/// the words differently; closer than that, the order of the hits is the same.
final class TermCounts: Sendable {
    private struct Count {
        var messages: Int
        var newestMessage: Int
    }

    private let counts = Mutex<[String: Count]>([:])
    static let worthKeeping = 1_000
    static let limit = 4_096

    /// The count of `phrase` taken when the newest message id was `newest`, if still good.
    func count(of phrase: String, newestMessage newest: Int) -> Int? {
        counts.withLock { counts in
            guard let kept = counts[phrase], newest - kept.newestMessage <= kept.newestMessage / 10 else { return nil }
            return kept.messages
        }
    }

    func remember(_ phrase: String, messages: Int, newestMessage newest: Int) {
        guard messages >= Self.worthKeeping else { return }
        counts.withLock { counts in
            if counts.count >= Self.limit { counts.removeAll(keepingCapacity: true) }
            counts[phrase] = Count(messages: messages, newestMessage: newest)
        }
    }
}
