extension Schema {
    /// Full-text search (issue 34). `search_text` is the text as `SearchText.fold` gives it (case
    /// and accents folded, wide scripts set apart), written with every message and ticket by the
    /// statement that writes them; the index follows it in the same transaction — on SQLite an
    /// FTS5 table over it kept by triggers, on PostgreSQL a generated `tsvector` with a GIN index.
    /// Rows from before are given their text by `SearchBackfill` at start-up; a partial index of
    /// the rows still without it (empty once they all have it) makes its look at every start, and
    /// its batches, lookups instead of walks over every message.
    static func search(_ flavor: SQLFlavor) -> Migration {
        switch flavor {
        case .sqlite:
            // Prefixes of 2–4 characters are indexed too: `refu*` is a lookup, not a walk over every word.
            let tokenizer = "tokenize = 'porter unicode61 remove_diacritics 2', prefix = '2 3 4'"
            var statements =
                [
                    "ALTER TABLE messages ADD COLUMN search_text TEXT",
                    "ALTER TABLE tickets ADD COLUMN search_text TEXT",
                ] + unsearched
            for (table, index) in [("messages", "message_search"), ("tickets", "ticket_search")] {
                statements += [
                    "CREATE VIRTUAL TABLE \(index) USING fts5(search_text, content = '\(table)', content_rowid = 'id', \(tokenizer))",
                    """
                    CREATE TRIGGER \(index)_insert AFTER INSERT ON \(table) WHEN new.search_text IS NOT NULL BEGIN
                      INSERT INTO \(index) (rowid, search_text) VALUES (new.id, new.search_text);
                    END
                    """,
                    """
                    CREATE TRIGGER \(index)_delete AFTER DELETE ON \(table) WHEN old.search_text IS NOT NULL BEGIN
                      INSERT INTO \(index) (\(index), rowid, search_text) VALUES ('delete', old.id, old.search_text);
                    END
                    """,
                    """
                    CREATE TRIGGER \(index)_update AFTER UPDATE OF search_text ON \(table) BEGIN
                      INSERT INTO \(index) (\(index), rowid, search_text) SELECT 'delete', old.id, old.search_text WHERE old.search_text IS NOT NULL;
                      INSERT INTO \(index) (rowid, search_text) SELECT new.id, new.search_text WHERE new.search_text IS NOT NULL;
                    END
                    """,
                ]
            }
            return Migration(version: 12, name: "search", statements: statements)
        case .postgres:
            var statements: [String] = []
            for table in ["messages", "tickets"] {
                statements += [
                    "ALTER TABLE \(table) ADD COLUMN search_text TEXT",
                    """
                    ALTER TABLE \(table) ADD COLUMN search_vector tsvector
                      GENERATED ALWAYS AS (to_tsvector('english', COALESCE(search_text, ''))) STORED
                    """,
                    "CREATE INDEX \(table)_search ON \(table) USING GIN (search_vector)",
                ]
            }
            return Migration(version: 12, name: "search", statements: statements + unsearched)
        }
    }

    /// The rows the backfill has still to give their search text.
    private static let unsearched = [
        "CREATE INDEX messages_unsearched ON messages (id) WHERE search_text IS NULL",
        "CREATE INDEX tickets_unsearched ON tickets (id) WHERE search_text IS NULL",
    ]
}

extension Schema {
    /// Mentions (issue 34): a note's `@name` of a colleague, kept until they have seen it. Keyed by
    /// the message, so a merge (which moves messages) moves its mentions too.
    static func mentions(_ flavor: SQLFlavor) -> Migration {
        let int = flavor == .postgres ? "BIGINT" : "INTEGER"
        return Migration(
            version: 13, name: "mentions",
            statements: [
                """
                CREATE TABLE mentions (
                    user_id \(int) NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    message_id \(int) NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
                    by_id \(int) NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    created_at \(int) NOT NULL,
                    seen_at \(int),
                    PRIMARY KEY (user_id, message_id)
                )
                """,
                "CREATE INDEX mentions_unseen ON mentions (user_id) WHERE seen_at IS NULL",
            ])
    }
}

extension Schema {
    /// PostgreSQL's planner chooses between walking the newest messages and reading the GIN index
    /// by how many messages it expects a query to match; with the default statistics it knew the
    /// frequency of a few hundred words only and guessed a prefix's matches 100× too low (reading
    /// 130 000 rows for a window of 2 000: p99 230 ms at a million messages). A thousand-fold target
    /// keeps the frequencies of ten thousand words. SQLite's FTS5 needs no statistics: the
    /// version is kept in step so both stores count the same migrations.
    static func searchStatistics(_ flavor: SQLFlavor) -> Migration {
        Migration(
            version: 14, name: "search statistics",
            statements: flavor == .postgres
                ? ["ALTER TABLE messages ALTER COLUMN search_vector SET STATISTICS 1000", "ANALYZE messages"] : [])
    }
}
