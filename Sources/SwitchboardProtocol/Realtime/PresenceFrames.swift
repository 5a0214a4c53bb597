/// How a `/ws` connection hears of presence: the `presence` query parameter of the upgrade.
public enum PresenceFrames: String, Sendable, CaseIterable {
    /// The contract's `USER_ONLINE` / `USER_OFFLINE`, one frame per change, to every agent (the
    /// default).
    case single
    /// `PRESENCE` frames carrying every change since the last one, at most one per interval
    /// (250 ms); an agent hears of the customers of the tickets in their view only: in the queue,
    /// assigned to them, or in a room they are in. Admins hear of everyone.
    case batched
}
