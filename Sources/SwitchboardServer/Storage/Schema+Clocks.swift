extension Schema {
    /// Ratings and merges (issue 33).
    ///
    /// - `resolution`: how many times the ticket went from active to resolved or closed; a rating
    ///   is of one resolution, so a reopened and again resolved ticket is rated again.
    /// - `rating_asks`: how often the customer's clients asked for this resolution's rating.
    /// - `merged_into_id`: the ticket this one was merged into (no foreign key: a database copy
    ///   writes tickets in id order, and a ticket may be merged into a later one).
    /// - `messages.merged_from_ticket_id`: the ticket a merged message was first written on.
    static func ratingsAndMerges(_ flavor: SQLFlavor) -> Migration {
        let int = flavor == .postgres ? "BIGINT" : "INTEGER"
        return Migration(
            version: 11, name: "ratings and merges",
            statements: [
                "ALTER TABLE tickets ADD COLUMN resolution INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE tickets ADD COLUMN rating_asks INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE tickets ADD COLUMN merged_into_id \(int)",
                "ALTER TABLE messages ADD COLUMN merged_from_ticket_id \(int)",
                "UPDATE tickets SET resolution = 1 WHERE status IN ('RESOLVED', 'CLOSED')",
                """
                CREATE TABLE ticket_ratings (
                    ticket_id \(int) NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
                    resolution INTEGER NOT NULL,
                    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
                    comment TEXT,
                    at \(int) NOT NULL,
                    agent_id \(int),
                    category TEXT NOT NULL,
                    PRIMARY KEY (ticket_id, resolution)
                )
                """,
                "CREATE INDEX ticket_ratings_at ON ticket_ratings (at)",
            ])
    }

    /// Silent chats resolved by themselves (issue 33): when staff last said something in public,
    /// and when the customer was warned the chat would close.
    static func autoResolve(_ flavor: SQLFlavor) -> Migration {
        let int = flavor == .postgres ? "BIGINT" : "INTEGER"
        return Migration(
            version: 10, name: "auto-resolve",
            statements: [
                "ALTER TABLE tickets ADD COLUMN last_reply_at \(int)",
                "ALTER TABLE tickets ADD COLUMN auto_resolve_warned_at \(int)",
                """
                UPDATE tickets SET last_reply_at = (SELECT MAX(m.created_at) FROM messages m
                    WHERE m.ticket_id = tickets.id AND m.sender_type = 'AGENT' AND NOT m.internal)
                """,
                "CREATE INDEX tickets_last_reply ON tickets (last_reply_at) WHERE waiting_since IS NULL",
            ])
    }

    /// Snoozed tickets (issue 33): out of the active queue and off their agent's capacity until
    /// `snoozed_until`; a customer's message wakes them unless `snooze_through_replies`.
    static func snooze(_ flavor: SQLFlavor) -> Migration {
        let (int, bool, no) = flavor == .postgres ? ("BIGINT", "BOOLEAN", "FALSE") : ("INTEGER", "INTEGER", "0")
        return Migration(
            version: 9, name: "snooze",
            statements: [
                "ALTER TABLE tickets ADD COLUMN snoozed_until \(int)",
                "ALTER TABLE tickets ADD COLUMN snooze_through_replies \(bool) NOT NULL DEFAULT \(no)",
                "CREATE INDEX tickets_snoozed ON tickets (snoozed_until) WHERE snoozed_until IS NOT NULL",
            ])
    }

    /// The ticket's clocks (issue 32): what its service-level targets are read from, kept on the
    /// ticket's row by the same statements that change it, and the outcomes once decided.
    ///
    /// - `waiting_since`: a customer waits for a public reply since then (the opening, a message
    ///   after the last reply, a reopening); NULL when nobody waits or the ticket is not active.
    /// - `answered_wait_since`, `answered_at`: the wait a public reply ended, until its outcome is written.
    /// - `first_resolved_at`: the first time the ticket was resolved or closed (the resolution target).
    /// - `assigned_at`: when the ticket got its agent (the reply timer counts from it).
    /// - `reassign_round`, `reassign_tried`: reassignments for want of a reply, and whom they passed.
    /// - `clock_warned`: the warnings already sent, by target and the wait they were for.
    /// - `clock_due_at`: when the clock keeper should look at the ticket next; NULL for never.
    static func clocks(_ flavor: SQLFlavor) -> Migration {
        let (int, bool, text) = flavor == .postgres ? ("BIGINT", "BOOLEAN", "TEXT") : ("INTEGER", "INTEGER", "TEXT")
        let active = "status IN ('OPEN', 'IN_PROGRESS')"
        let publicBy = { (type: String) in "m.ticket_id = tickets.id AND m.sender_type = '\(type)' AND NOT m.internal" }
        return Migration(
            version: 8, name: "ticket clocks",
            statements: [
                "ALTER TABLE tickets ADD COLUMN waiting_since \(int)",
                "ALTER TABLE tickets ADD COLUMN answered_wait_since \(int)",
                "ALTER TABLE tickets ADD COLUMN answered_at \(int)",
                "ALTER TABLE tickets ADD COLUMN first_resolved_at \(int)",
                "ALTER TABLE tickets ADD COLUMN assigned_at \(int)",
                "ALTER TABLE tickets ADD COLUMN reassign_round INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE tickets ADD COLUMN reassign_tried \(text)",
                "ALTER TABLE tickets ADD COLUMN clock_warned \(text)",
                "ALTER TABLE tickets ADD COLUMN clock_due_at \(int)",
                "CREATE INDEX tickets_clock_due ON tickets (clock_due_at) WHERE clock_due_at IS NOT NULL",
                // Tickets already there: who waits is read from their history; the keeper looks at
                // every active one once.
                "UPDATE tickets SET waiting_since = created_at WHERE \(active) AND first_response_at IS NULL",
                """
                UPDATE tickets SET waiting_since = (
                    SELECT MIN(m.created_at) FROM messages m WHERE \(publicBy("CUSTOMER"))
                      AND m.created_at > COALESCE((SELECT MAX(m.created_at) FROM messages m WHERE \(publicBy("AGENT"))), 0))
                WHERE \(active) AND first_response_at IS NOT NULL
                """,
                "UPDATE tickets SET first_resolved_at = COALESCE(resolved_at, updated_at) WHERE NOT (\(active))",
                "UPDATE tickets SET assigned_at = updated_at WHERE assigned_agent_id IS NOT NULL",
                "UPDATE tickets SET clock_due_at = 0 WHERE \(active)",
                """
                CREATE TABLE sla_outcomes (
                    ticket_id \(int) NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
                    target TEXT NOT NULL,
                    started_at \(int) NOT NULL,
                    breached \(bool) NOT NULL,
                    at \(int) NOT NULL,
                    agent_id \(int),
                    priority TEXT NOT NULL,
                    category TEXT NOT NULL,
                    PRIMARY KEY (ticket_id, target, started_at)
                )
                """,
                "CREATE INDEX sla_outcomes_at ON sla_outcomes (at)",
                "CREATE TABLE server_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at \(int) NOT NULL)",
            ])
    }
}
